package io.sealmail.engine.imap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.nio.charset.StandardCharsets;

/**
 * Builds IMAP response text into one buffer. Strings go out quoted when they can (RFC 9051 §4.3) and as literals
 * when they must: CR, LF, NUL, a quote or backslash that is better not escaped, 8-bit text when UTF8=ACCEPT is not
 * enabled, or length past what a line should carry.
 */
public final class ResponseWriter {
    private static final int MAX_QUOTED = 1024;

    private final ByteBuf out;
    private final boolean utf8;

    public ResponseWriter(ByteBufAllocator alloc, boolean utf8) {
        this.out = alloc.buffer(256);
        this.utf8 = utf8;
    }

    public ResponseWriter raw(String text) {
        out.writeCharSequence(text, StandardCharsets.UTF_8);
        return this;
    }

    public ResponseWriter raw(char c) {
        out.writeByte(c);
        return this;
    }

    public ResponseWriter sp() {
        out.writeByte(' ');
        return this;
    }

    public ResponseWriter crlf() {
        out.writeByte('\r').writeByte('\n');
        return this;
    }

    public ResponseWriter nil() {
        return raw("NIL");
    }

    /** A string, or NIL for null (RFC 9051 nstring). */
    public ResponseWriter nstring(String s) {
        return s == null ? nil() : string(s);
    }

    public ResponseWriter string(String s) {
        if (needsLiteral(s, utf8)) {
            return literal(s.getBytes(StandardCharsets.UTF_8));
        }
        out.writeByte('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                out.writeByte('\\');
            }
            if (c < 0x80) {
                out.writeByte(c);
            } else {
                out.writeCharSequence(String.valueOf(c), StandardCharsets.UTF_8);
            }
        }
        out.writeByte('"');
        return this;
    }

    public ResponseWriter literal(byte[] bytes) {
        return literal(bytes, 0, bytes.length);
    }

    public ResponseWriter literal(byte[] bytes, int offset, int length) {
        out.writeCharSequence("{" + length + "}\r\n", StandardCharsets.US_ASCII);
        out.writeBytes(bytes, offset, length);
        return this;
    }

    /** Binary literal (RFC 3516 {@code ~{n}}) for content that holds NUL. */
    public ResponseWriter binaryLiteral(byte[] bytes) {
        out.writeCharSequence("~{" + bytes.length + "}\r\n", StandardCharsets.US_ASCII);
        out.writeBytes(bytes);
        return this;
    }

    static boolean needsLiteral(String s, boolean utf8) {
        if (s.length() > MAX_QUOTED) {
            return true;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\r' || c == '\n' || c == 0 || (c >= 0x80 && !utf8)) {
                return true;
            }
        }
        return false;
    }

    public int size() {
        return out.readableBytes();
    }

    /** Hands the buffer over; the writer must not be used afterwards. */
    public ByteBuf buffer() {
        return out;
    }
}
