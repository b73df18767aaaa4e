package io.sealmail.engine.mailauth;

/** A header field or DNS record that does not follow its RFC's syntax; the message says what is wrong. */
public final class MailAuthSyntaxException extends Exception {
    public MailAuthSyntaxException(String message) {
        super(message, null, false, false);
    }
}
