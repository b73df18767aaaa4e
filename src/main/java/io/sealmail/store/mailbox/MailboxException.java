package io.sealmail.store.mailbox;

import java.io.IOException;

/**
 * A refusal the user can act on; {@code code} is the IMAP response code (RFC 5530: NONEXISTENT, ALREADYEXISTS,
 * CANNOT, OVERQUOTA, INUSE; RFC 9051: TRYCREATE) and the message is one line.
 */
public class MailboxException extends IOException {
    private final String code;

    public MailboxException(String code, String message) {
        super(message);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
