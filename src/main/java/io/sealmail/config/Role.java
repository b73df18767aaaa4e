package io.sealmail.config;

import com.fasterxml.jackson.annotation.JsonValue;

/** What a listener does. The names are the ones used in engine.yaml and in the MailServer's {@code spec.ports}. */
public enum Role {
    SMTP("smtp", 25, false),
    SUBMISSION("submission", 587, false),
    SMTPS("smtps", 465, true),
    POP3("pop3", 110, false),
    POP3S("pop3s", 995, true),
    IMAP("imap", 143, false),
    IMAPS("imaps", 993, true),
    /** RFC 2033: local delivery from an MTA in front (no AUTH, one reply per recipient); cluster-internal only. */
    LMTP("lmtp", 24, false);

    private final String id;
    private final int standardPort;
    private final boolean implicitTls;

    Role(String id, int standardPort, boolean implicitTls) {
        this.id = id;
        this.standardPort = standardPort;
        this.implicitTls = implicitTls;
    }

    @JsonValue
    public String id() {
        return id;
    }

    /** The IANA port clients expect (RFC 8314 for the implicit-TLS ones). */
    public int standardPort() {
        return standardPort;
    }

    /** True when TLS starts with the connection (RFC 8314); false when it is negotiated with STARTTLS/STLS. */
    public boolean implicitTls() {
        return implicitTls;
    }

    public boolean isSmtp() {
        return this == SMTP || this == SUBMISSION || this == SMTPS || this == LMTP;
    }

    public boolean isPop3() {
        return this == POP3 || this == POP3S;
    }

    public boolean isImap() {
        return this == IMAP || this == IMAPS;
    }

    public static Role fromId(String id) {
        for (Role r : values()) {
            if (r.id.equalsIgnoreCase(id)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown role '" + id + "' (expected one of smtp, submission, smtps, pop3, pop3s, imap, imaps, lmtp)");
    }
}
