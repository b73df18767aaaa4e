package io.sealmail.engine.imap;

import io.sealmail.config.Limits;

import java.time.Duration;

/**
 * The bounds one IMAP connection lives within. Each one is tested past its limit.
 *
 * @param maxLineLength       one line of a command (the text between literals), CRLF included. RFC 7162 §4 asks
 *                            clients to stay under 8192; Dovecot allows 64 KiB.
 * @param maxLiteralSize      one literal, APPEND included ({@link Limits#maxLiteralSize()})
 * @param maxCommandSize      a whole command: lines plus literals
 * @param maxNestingDepth     parenthesized lists inside lists
 * @param maxSequenceRanges   ranges in one sequence set ({@code 1,3,5:7} is three)
 * @param maxCommandsInFlight commands read but not yet answered (pipelining) before reading stops
 * @param idleTimeout         silence allowed, IDLE included (RFC 9051 §5.4: at least 30 minutes)
 * @param maxAuthFailures     failed LOGIN/AUTHENTICATE on one connection before BYE
 * @param maxFolders          mailboxes per account, INBOX included, before CREATE is refused with NO [LIMIT]
 */
public record ImapLimits(int maxLineLength, long maxLiteralSize, long maxCommandSize, int maxNestingDepth,
                         int maxSequenceRanges, int maxCommandsInFlight, Duration idleTimeout, int maxAuthFailures,
                         int maxFolders) {

    public static final ImapLimits DEFAULTS = from(Limits.DEFAULTS);

    public static ImapLimits from(Limits limits) {
        Limits l = limits.withDefaults();
        return new ImapLimits(65536, l.maxLiteralSize(), l.maxLiteralSize() + 1024 * 1024, 16, 1000, 32,
                l.imapIdleTimeout(), l.maxAuthFailuresPerConnection(), l.maxFoldersPerAccount());
    }

    public ImapLimits withMaxLineLength(int v) {
        return new ImapLimits(v, maxLiteralSize, maxCommandSize, maxNestingDepth, maxSequenceRanges, maxCommandsInFlight, idleTimeout, maxAuthFailures, maxFolders);
    }

    public ImapLimits withMaxLiteralSize(long v) {
        return new ImapLimits(maxLineLength, v, maxCommandSize, maxNestingDepth, maxSequenceRanges, maxCommandsInFlight, idleTimeout, maxAuthFailures, maxFolders);
    }

    public ImapLimits withMaxCommandSize(long v) {
        return new ImapLimits(maxLineLength, maxLiteralSize, v, maxNestingDepth, maxSequenceRanges, maxCommandsInFlight, idleTimeout, maxAuthFailures, maxFolders);
    }

    public ImapLimits withMaxNestingDepth(int v) {
        return new ImapLimits(maxLineLength, maxLiteralSize, maxCommandSize, v, maxSequenceRanges, maxCommandsInFlight, idleTimeout, maxAuthFailures, maxFolders);
    }

    public ImapLimits withMaxSequenceRanges(int v) {
        return new ImapLimits(maxLineLength, maxLiteralSize, maxCommandSize, maxNestingDepth, v, maxCommandsInFlight, idleTimeout, maxAuthFailures, maxFolders);
    }

    public ImapLimits withMaxCommandsInFlight(int v) {
        return new ImapLimits(maxLineLength, maxLiteralSize, maxCommandSize, maxNestingDepth, maxSequenceRanges, v, idleTimeout, maxAuthFailures, maxFolders);
    }

    public ImapLimits withMaxFolders(int v) {
        return new ImapLimits(maxLineLength, maxLiteralSize, maxCommandSize, maxNestingDepth, maxSequenceRanges, maxCommandsInFlight, idleTimeout, maxAuthFailures, v);
    }

    public ImapLimits withIdleTimeout(Duration v) {
        return new ImapLimits(maxLineLength, maxLiteralSize, maxCommandSize, maxNestingDepth, maxSequenceRanges, maxCommandsInFlight, v, maxAuthFailures, maxFolders);
    }
}
