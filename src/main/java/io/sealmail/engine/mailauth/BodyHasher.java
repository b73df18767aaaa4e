package io.sealmail.engine.mailauth;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Canonicalises a body as it streams past (RFC 6376 §3.4.3 simple, §3.4.4 relaxed) and hashes the first
 * {@code limit} octets of the result (the l= tag, §3.5), keeping no more than one small buffer.
 */
final class BodyHasher implements MessageStream.BodySink {
    private static final int NO_LIMIT = -1;

    private final Canonicalization canon;
    private final long limit;
    private final MessageDigest digest;
    private final byte[] out = new byte[8192];
    private int outLength;
    /** Canonical octets produced (hashed or not). */
    private long produced;
    /** Line ends not yet written: trailing empty lines are dropped at the end. */
    private long pendingCrlf;
    /** Relaxed: whitespace seen in this line and not yet written (dropped at the end of the line). */
    private boolean pendingSpace;
    private boolean pendingCr;
    private boolean anyContent;
    private byte[] hash;

    BodyHasher(Canonicalization canon, long limit) {
        this.canon = canon;
        this.limit = limit;
        try {
            this.digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static BodyHasher unlimited(Canonicalization canon) {
        return new BodyHasher(canon, NO_LIMIT);
    }

    @Override
    public void body(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            byte c = b[i];
            if (pendingCr) {
                pendingCr = false;
                if (c == '\n') {
                    lineEnd();
                    continue;
                }
                content((byte) '\r');
            }
            if (c == '\r') {
                pendingCr = true;
            } else if (canon == Canonicalization.RELAXED && (c == ' ' || c == '\t')) {
                pendingSpace = true;
            } else {
                content(c);
            }
        }
    }

    private void lineEnd() {
        pendingSpace = false; // relaxed: whitespace at the end of a line is removed
        pendingCrlf++;
    }

    private void content(byte c) {
        for (; pendingCrlf > 0; pendingCrlf--) {
            emit((byte) '\r');
            emit((byte) '\n');
        }
        if (pendingSpace) {
            emit((byte) ' ');
            pendingSpace = false;
        }
        emit(c);
        anyContent = true;
    }

    private void emit(byte c) {
        produced++;
        if (limit != NO_LIMIT && produced > limit) {
            return;
        }
        out[outLength++] = c;
        if (outLength == out.length) {
            digest.update(out, 0, outLength);
            outLength = 0;
        }
    }

    @Override
    public void end() {
        if (hash != null) {
            return;
        }
        if (pendingCr) {
            pendingCr = false;
            content((byte) '\r');
        }
        if (pendingSpace && canon == Canonicalization.RELAXED) {
            pendingSpace = false; // trailing whitespace of an unterminated last line
        }
        // Simple: the body ends with exactly one CRLF, even when empty (§3.4.3). Relaxed: one CRLF after any
        // content, nothing for an empty body (§3.4.4).
        if (anyContent || canon == Canonicalization.SIMPLE) {
            emit((byte) '\r');
            emit((byte) '\n');
        }
        digest.update(out, 0, outLength);
        outLength = 0;
        hash = digest.digest();
    }

    /** The body hash (bh=); only after {@link #end()}. */
    byte[] hash() {
        if (hash == null) {
            throw new IllegalStateException("body not finished");
        }
        return hash;
    }

    /** Octets of the whole canonical body, beyond any limit. */
    long canonicalLength() {
        return produced;
    }
}
