package io.sealmail.engine.smtp;

/**
 * The reply table: every reply the SMTP engine sends, with its enhanced status code (RFC 3463). Texts follow
 * Postfix's where admins already know them, so log searches keep working.
 */
final class SmtpReplies {
    private SmtpReplies() {
    }

    // 2xx
    static final SmtpReply OK = SmtpReply.of(250, "2.0.0", "Ok");
    static final SmtpReply SENDER_OK = SmtpReply.of(250, "2.1.0", "Ok");
    static final SmtpReply RECIPIENT_OK = SmtpReply.of(250, "2.1.5", "Ok");
    static final SmtpReply RESET_OK = SmtpReply.of(250, "2.0.0", "Ok");
    static final SmtpReply NOOP_OK = SmtpReply.of(250, "2.0.0", "Ok");
    static final SmtpReply BYE = SmtpReply.of(221, "2.0.0", "Bye");
    static final SmtpReply READY_FOR_TLS = SmtpReply.of(220, "2.0.0", "Ready to start TLS");
    static final SmtpReply AUTH_OK = SmtpReply.of(235, "2.7.0", "Authentication successful");
    // RFC 5321 §3.5.3: 252 when the server will not verify but will try to deliver; never enumerate users.
    static final SmtpReply CANNOT_VRFY = SmtpReply.of(252, "2.5.0", "Cannot VRFY user, but will accept message and attempt delivery");
    static final SmtpReply HELP = SmtpReply.of(214, "2.0.0",
            "Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP STARTTLS AUTH");

    // 3xx
    static final SmtpReply START_DATA = new SmtpReply(354, null, java.util.List.of("End data with <CR><LF>.<CR><LF>"));

    // 4xx: try again later
    static final SmtpReply TOO_MANY_CONNECTIONS = SmtpReply.of(421, "4.7.0", "Too many connections, try again later");
    static final SmtpReply TOO_MANY_ERRORS = SmtpReply.of(421, "4.7.0", "Too many errors, closing connection");
    static final SmtpReply IDLE_TIMEOUT = SmtpReply.of(421, "4.4.2", "Timeout exceeded, closing connection");
    static final SmtpReply SHUTTING_DOWN = SmtpReply.of(421, "4.3.2", "Service shutting down, closing connection");
    static final SmtpReply TOO_MANY_AUTH_FAILURES = SmtpReply.of(421, "4.7.0", "Too many authentication failures, closing connection");
    static final SmtpReply AUTH_THROTTLED = SmtpReply.of(454, "4.7.0", "Too many authentication failures from your address, try again later");
    static final SmtpReply AUTH_BUSY = SmtpReply.of(454, "4.3.0", "Authentication service busy, try again later");
    static final SmtpReply TOO_MANY_RECIPIENTS = SmtpReply.of(452, "4.5.3", "Too many recipients");
    static final SmtpReply LOCAL_ERROR = SmtpReply.of(451, "4.3.0", "Local error in processing, message not accepted; try again later");

    // 5xx: syntax and sequence (RFC 5321 §4.2.4, RFC 3463 X.5.Y)
    static final SmtpReply UNKNOWN_COMMAND = SmtpReply.of(500, "5.5.1", "Error: command not recognized");
    static final SmtpReply LINE_TOO_LONG = SmtpReply.of(500, "5.5.2", "Error: line too long");
    static final SmtpReply TEXT_LINE_TOO_LONG = SmtpReply.of(500, "5.5.2",
            "Error: message has a line longer than the limit (RFC 5321 section 4.5.3.1.6); message refused");
    static final SmtpReply BARE_LF = SmtpReply.of(550, "5.5.2",
            "Error: bare <LF> received; lines must end with <CR><LF> (RFC 5321 section 2.3.8); message refused");
    static final SmtpReply BARE_CR = SmtpReply.of(550, "5.5.2",
            "Error: bare <CR> received; lines must end with <CR><LF> (RFC 5321 section 2.3.8); message refused");
    static final SmtpReply SYNTAX = SmtpReply.of(501, "5.5.4", "Syntax error in parameters or arguments");
    static final SmtpReply NOT_IMPLEMENTED = SmtpReply.of(502, "5.5.1", "Error: command not implemented");
    static final SmtpReply NEED_HELO = SmtpReply.of(503, "5.5.1", "Error: send HELO/EHLO first");
    static final SmtpReply NESTED_MAIL = SmtpReply.of(503, "5.5.1", "Error: nested MAIL command");
    static final SmtpReply NEED_MAIL = SmtpReply.of(503, "5.5.1", "Error: need MAIL command");
    static final SmtpReply NEED_RCPT = SmtpReply.of(503, "5.5.1", "Error: need RCPT command");
    static final SmtpReply BDAT_PENDING = SmtpReply.of(503, "5.5.1", "Error: BDAT transfer in progress, finish it with BDAT LAST or RSET");
    static final SmtpReply DATA_AFTER_BDAT = SmtpReply.of(503, "5.5.1", "Error: DATA and BDAT cannot be mixed in one transaction");
    static final SmtpReply TLS_ALREADY_ACTIVE = SmtpReply.of(503, "5.5.1", "Error: TLS already active");
    static final SmtpReply TLS_UNAVAILABLE = SmtpReply.of(454, "4.7.0", "TLS not available due to local problem");
    static final SmtpReply AUTH_NOT_ENABLED = SmtpReply.of(503, "5.5.1", "Error: authentication not enabled");
    static final SmtpReply ALREADY_AUTHENTICATED = SmtpReply.of(503, "5.5.1", "Error: already authenticated");
    static final SmtpReply AUTH_IN_TRANSACTION = SmtpReply.of(503, "5.5.1", "Error: MAIL transaction in progress");
    static final SmtpReply PARAM_NOT_RECOGNIZED = SmtpReply.of(555, "5.5.4", "Error: parameter not recognized or not implemented");
    static final SmtpReply BAD_ADDRESS_SYNTAX = SmtpReply.of(501, "5.1.3", "Bad address syntax");
    static final SmtpReply BAD_SENDER_SYNTAX = SmtpReply.of(501, "5.1.7", "Bad sender address syntax");
    static final SmtpReply UTF8_NEEDS_SMTPUTF8 = SmtpReply.of(553, "5.6.7", "Non-ASCII address requires the SMTPUTF8 parameter (RFC 6531)");

    // 5xx: policy
    // RFC 3207 §4 and RFC 8314: no credentials before TLS. Postfix and Stalwart word it this way.
    static final SmtpReply MUST_STARTTLS = SmtpReply.of(530, "5.7.0", "Must issue a STARTTLS command first");
    static final SmtpReply AUTH_REQUIRED = SmtpReply.of(530, "5.7.0", "Authentication required");
    static final SmtpReply AUTH_FAILED = SmtpReply.of(535, "5.7.8", "Authentication credentials invalid");
    static final SmtpReply AUTH_ABORTED = SmtpReply.of(501, "5.0.0", "Authentication aborted");
    static final SmtpReply AUTH_MECHANISM = SmtpReply.of(504, "5.5.4", "Unrecognized authentication type");
    static final SmtpReply AUTH_BAD_RESPONSE = SmtpReply.of(501, "5.5.2", "Cannot decode the authentication response");
    /** RFC 5321 §4.2.2 / RFC 3463 5.2.2: the recipient's quota ({@code limits.quotaPerAccount}) is used up. */
    static final SmtpReply MAILBOX_FULL = SmtpReply.of(552, "5.2.2", "Mailbox full");
    static final SmtpReply RELAY_DENIED = SmtpReply.of(554, "5.7.1", "Relay access denied");
    static final SmtpReply SENDER_NOT_OWNED = SmtpReply.of(553, "5.7.1", "Sender address rejected: not owned by user");
    static final SmtpReply UNKNOWN_USER = SmtpReply.of(550, "5.1.1", "Recipient address rejected: User unknown in local recipient table");
    static final SmtpReply MESSAGE_TOO_BIG = SmtpReply.of(552, "5.3.4", "Error: message file too big");
    static final SmtpReply BODY_UNSUPPORTED = SmtpReply.of(555, "5.5.4", "Error: unsupported BODY type");
    static final SmtpReply NO_VALID_RECIPIENTS = SmtpReply.of(554, "5.5.1", "Error: no valid recipients");
}
