package io.sealmail.store;

import java.io.IOException;

/**
 * A mailbox operation refused for a reason the user can act on. {@link #code()} is the IMAP response code to
 * answer with (RFC 5530 NONEXISTENT, ALREADYEXISTS, CANNOT, OVERQUOTA; RFC 9051 TRYCREATE).
 */
public class MailboxStoreException extends IOException {
    private final String code;

    public MailboxStoreException(String code, String message) {
        super(message);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
