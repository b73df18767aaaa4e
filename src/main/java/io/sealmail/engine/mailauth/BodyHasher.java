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
        int end = off + len;
        int i = off;
        while (i < end) {
            byte c = b[i];
            if (pendingCr) {
                pendingCr = false;
                if (c == '\n') {
                    lineEnd();
                    i++;
                    continue;
                }
                content((byte) '\r');
            }
            if (c == '\r') {
                pendingCr = true;
                i++;
            } else if (isSpace(c)) {
                pendingSpace = true;
                i++;
            } else {
                // A run of octets that pass unchanged is copied at once, not octet by octet.
                int run = i + 1;
                while (run < end && b[run] != '\r' && !isSpace(b[run])) {
                    run++;
                }
                content(b, i, run - i);
                i = run;
            }
        }
    }

    /** Whitespace that relaxed canonicalisation folds (simple keeps every octet). */
    private boolean isSpace(byte c) {
        return canon == Canonicalization.RELAXED && (c == ' ' || c == '\t');
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

    private void content(byte[] b, int off, int len) {
        content(b[off]);
        off++;
        len--;
        long room = limit == NO_LIMIT ? len : Math.max(0, Math.min(len, limit - produced));
        produced += len;
        for (int n = (int) room; n > 0; ) {
            int k = Math.min(n, out.length - outLength);
            System.arraycopy(b, off, out, outLength, k);
            outLength += k;
            off += k;
            n -= k;
            if (outLength == out.length) {
                digest.update(out, 0, outLength);
                outLength = 0;
            }
        }
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
