package io.sealmail.engine.imap;

/** A command that does not parse: answered with a tagged BAD, the session goes on. */
public class ImapSyntaxException extends RuntimeException {
    private final String code;

    public ImapSyntaxException(String message) {
        this(null, message);
    }

    /** @param code a response code such as {@code TOOBIG} or {@code LIMIT}, or null */
    public ImapSyntaxException(String code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
