package io.sealmail.config;

import java.time.Duration;

/**
 * Every bound the engine enforces. Defaults follow Postfix and Dovecot where they have one.
 * Durations are ISO-8601 in YAML ({@code PT5M}).
 */
public record Limits(
        /** Largest message accepted, in octets; advertised in EHLO SIZE (RFC 1870). */
        Long maxMessageSize,
        /** Recipients per message before 452 4.5.3 (RFC 5321 §4.5.3.1.8 asks servers to accept at least 100). */
        Integer maxRecipients,
        /** SMTP command line including CRLF (RFC 5321 §4.5.3.1.4: 512). */
        Integer maxCommandLine,
        /** SMTP text line inside DATA including CRLF (RFC 5321 §4.5.3.1.6: 1000). */
        Integer maxTextLine,
        /** Protocol errors in one session before 421 and close (Postfix smtpd_hard_error_limit). */
        Integer maxErrors,
        /** Failed AUTH attempts on one connection before it is closed. */
        Integer maxAuthFailuresPerConnection,
        /** Failed AUTH attempts from one client address within {@link #authFailureWindow} before it is refused. */
        Integer maxAuthFailuresPerAddress,
        Duration authFailureWindow,
        /** Idle time allowed between commands (RFC 5321 §4.5.3.2.7: at least 5 minutes). */
        Duration idleTimeout,
        /** Idle time allowed inside DATA/BDAT (RFC 5321 §4.5.3.2.6 asks for 10 minutes). */
        Duration dataTimeout,
        /** IMAP idle time, including during IDLE (RFC 9051 §5.4: at least 30 minutes). */
        Duration imapIdleTimeout,
        /** Open connections across all listeners. */
        Integer maxConnections,
        /** Open connections from one client address. */
        Integer maxConnectionsPerAddress,
        /** Largest IMAP literal accepted (APPEND included). */
        Long maxLiteralSize,
        /** Mailbox quota per account in octets; 0 means unlimited. */
        Long quotaPerAccount,
        /** IMAP mailboxes (folders) per account, INBOX included; CREATE past it gets NO [LIMIT]. */
        Integer maxFoldersPerAccount,
        /**
         * Messages per account across all its folders (RFC 9208 §5.2 MESSAGE resource); 0 means unlimited. Enforced
         * like {@link #quotaPerAccount}: SMTP/LMTP 552 5.2.2, IMAP APPEND and COPY {@code NO [OVERQUOTA]}.
         */
        Long quotaMessagesPerAccount) {

    /** The fields before {@code quotaMessagesPerAccount} existed (it defaults). */
    public Limits(Long maxMessageSize, Integer maxRecipients, Integer maxCommandLine, Integer maxTextLine,
                  Integer maxErrors, Integer maxAuthFailuresPerConnection, Integer maxAuthFailuresPerAddress,
                  Duration authFailureWindow, Duration idleTimeout, Duration dataTimeout, Duration imapIdleTimeout,
                  Integer maxConnections, Integer maxConnectionsPerAddress, Long maxLiteralSize, Long quotaPerAccount,
                  Integer maxFoldersPerAccount) {
        this(maxMessageSize, maxRecipients, maxCommandLine, maxTextLine, maxErrors, maxAuthFailuresPerConnection,
                maxAuthFailuresPerAddress, authFailureWindow, idleTimeout, dataTimeout, imapIdleTimeout, maxConnections,
                maxConnectionsPerAddress, maxLiteralSize, quotaPerAccount, maxFoldersPerAccount, null);
    }

    /** The fields before {@code maxFoldersPerAccount} existed (it defaults). */
    public Limits(Long maxMessageSize, Integer maxRecipients, Integer maxCommandLine, Integer maxTextLine,
                  Integer maxErrors, Integer maxAuthFailuresPerConnection, Integer maxAuthFailuresPerAddress,
                  Duration authFailureWindow, Duration idleTimeout, Duration dataTimeout, Duration imapIdleTimeout,
                  Integer maxConnections, Integer maxConnectionsPerAddress, Long maxLiteralSize, Long quotaPerAccount) {
        this(maxMessageSize, maxRecipients, maxCommandLine, maxTextLine, maxErrors, maxAuthFailuresPerConnection,
                maxAuthFailuresPerAddress, authFailureWindow, idleTimeout, dataTimeout, imapIdleTimeout, maxConnections,
                maxConnectionsPerAddress, maxLiteralSize, quotaPerAccount, null, null);
    }

    public Limits {
        atLeast("maxMessageSize", maxMessageSize, 1);
        atLeast("maxRecipients", maxRecipients, 1);
        // RFC 5321 §4.5.3.1: servers must accept these minimum lengths.
        atLeast("maxCommandLine", maxCommandLine, 512);
        atLeast("maxTextLine", maxTextLine, 1000);
        atLeast("maxErrors", maxErrors, 1);
        atLeast("maxAuthFailuresPerConnection", maxAuthFailuresPerConnection, 1);
        atLeast("maxAuthFailuresPerAddress", maxAuthFailuresPerAddress, 1);
        positive("authFailureWindow", authFailureWindow);
        positive("idleTimeout", idleTimeout);
        positive("dataTimeout", dataTimeout);
        positive("imapIdleTimeout", imapIdleTimeout);
        atLeast("maxConnections", maxConnections, 1);
        atLeast("maxConnectionsPerAddress", maxConnectionsPerAddress, 1);
        atLeast("maxLiteralSize", maxLiteralSize, 1);
        atLeast("quotaPerAccount", quotaPerAccount, 0);
        atLeast("maxFoldersPerAccount", maxFoldersPerAccount, 1);
        atLeast("quotaMessagesPerAccount", quotaMessagesPerAccount, 0);
    }

    private static void atLeast(String name, Number value, long min) {
        if (value != null && value.longValue() < min) {
            throw new ConfigException("limits." + name + ": " + value + " is below the minimum of " + min);
        }
    }

    private static void positive(String name, Duration value) {
        if (value != null && (value.isNegative() || value.isZero())) {
            throw new ConfigException("limits." + name + ": " + value + " must be a positive duration such as PT5M");
        }
    }

    public static final Limits DEFAULTS = new Limits(
            25L * 1024 * 1024, 100, 512, 1000, 10, 3, 10, Duration.ofMinutes(15),
            Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofMinutes(30),
            1000, 20, 64L * 1024 * 1024, 0L, 1000, 0L);

    /** Fills every missing field from {@link #DEFAULTS}, so a partial {@code limits:} block in YAML is valid. */
    public Limits withDefaults() {
        Limits d = DEFAULTS;
        return new Limits(
                or(maxMessageSize, d.maxMessageSize), or(maxRecipients, d.maxRecipients),
                or(maxCommandLine, d.maxCommandLine), or(maxTextLine, d.maxTextLine), or(maxErrors, d.maxErrors),
                or(maxAuthFailuresPerConnection, d.maxAuthFailuresPerConnection),
                or(maxAuthFailuresPerAddress, d.maxAuthFailuresPerAddress), or(authFailureWindow, d.authFailureWindow),
                or(idleTimeout, d.idleTimeout), or(dataTimeout, d.dataTimeout), or(imapIdleTimeout, d.imapIdleTimeout),
                or(maxConnections, d.maxConnections), or(maxConnectionsPerAddress, d.maxConnectionsPerAddress),
                or(maxLiteralSize, d.maxLiteralSize), or(quotaPerAccount, d.quotaPerAccount),
                or(maxFoldersPerAccount, d.maxFoldersPerAccount),
                or(quotaMessagesPerAccount, d.quotaMessagesPerAccount));
    }

    /** These limits with a quota of {@code octets} and {@code messages} per account (0: unlimited). */
    public Limits withQuotas(long octets, long messages) {
        return new Limits(maxMessageSize, maxRecipients, maxCommandLine, maxTextLine, maxErrors,
                maxAuthFailuresPerConnection, maxAuthFailuresPerAddress, authFailureWindow, idleTimeout, dataTimeout,
                imapIdleTimeout, maxConnections, maxConnectionsPerAddress, maxLiteralSize, octets, maxFoldersPerAccount,
                messages);
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }
}
