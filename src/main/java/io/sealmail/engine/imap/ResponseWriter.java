package io.sealmail.engine.imap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Builds IMAP response text into one buffer. Strings go out quoted when they can (RFC 9051 §4.3) and as literals
 * when they must: CR, LF, NUL, a quote or backslash that is better not escaped, 8-bit text when UTF8=ACCEPT is not
 * enabled, or length past what a line should carry.
 *
 * <p>Large responses (a FETCH of many bodies) are kept as pieces of at most {@link #PIECE} octets (or one literal
 * that is longer) rather than one buffer that doubles as it grows: the pooled allocator serves buffers up to its
 * chunk size (64 KiB under Quarkus) from its pools, and anything larger is a fresh, zeroed allocation each time.
 */
public final class ResponseWriter {
    private static final int MAX_QUOTED = 1024;
    private static final int PIECE = 32 * 1024;

    private final ByteBufAllocator alloc;
    private final boolean utf8;
    private ByteBuf out;
    /** The pieces already full, in order; null while there is only {@link #out}. */
    private CompositeByteBuf full;

    public ResponseWriter(ByteBufAllocator alloc, boolean utf8) {
        this.alloc = alloc;
        this.out = alloc.buffer(256);
        this.utf8 = utf8;
    }

    /** Makes room for {@code n} more octets, starting a new piece rather than growing one past {@link #PIECE}. */
    private ByteBuf room(int n) {
        if (out.writableBytes() < n && out.readableBytes() + n > PIECE && out.isReadable()) {
            if (full == null) {
                full = alloc.compositeBuffer(Integer.MAX_VALUE);
            }
            full.addComponent(true, out);
            out = alloc.buffer(Math.max(PIECE, n));
        }
        return out;
    }

    public ResponseWriter raw(String text) {
        room(text.length() * 3).writeCharSequence(text, StandardCharsets.UTF_8);
        return this;
    }

    /** Octets already in response form (a cached ENVELOPE or BODYSTRUCTURE). */
    public ResponseWriter raw(byte[] bytes) {
        room(bytes.length).writeBytes(bytes);
        return this;
    }

    /** Octets already in response form, from a cache entry; the buffer's position is left as it was. */
    public ResponseWriter raw(ByteBuffer bytes) {
        room(bytes.remaining()).writeBytes(bytes.duplicate());
        return this;
    }

    public ResponseWriter raw(char c) {
        room(1).writeByte(c);
        return this;
    }

    public ResponseWriter sp() {
        room(1).writeByte(' ');
        return this;
    }

    public ResponseWriter crlf() {
        room(2).writeByte('\r').writeByte('\n');
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
        room(s.length() * 4 + 2).writeByte('"');
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            if (c == '"' || c == '\\') {
                out.writeByte('\\');
            }
            if (c < 0x80) {
                out.writeByte(c);
            } else {
                // By code point: a surrogate pair written half by half would become two '?'.
                out.writeCharSequence(new String(Character.toChars(c)), StandardCharsets.UTF_8);
            }
        }
        out.writeByte('"');
        return this;
    }

    public ResponseWriter literal(byte[] bytes) {
        return literal(bytes, 0, bytes.length);
    }

    public ResponseWriter literal(byte[] bytes, int offset, int length) {
        String prefix = "{" + length + "}\r\n";
        room(prefix.length() + length).writeCharSequence(prefix, StandardCharsets.US_ASCII);
        out.writeBytes(bytes, offset, length);
        return this;
    }

    /** A literal of {@code length} octets that {@code body} writes into the buffer it is handed, without a copy between. */
    public ResponseWriter literal(int length, Consumer<ByteBuf> body) {
        String prefix = "{" + length + "}\r\n";
        ByteBuf b = room(prefix.length() + length);
        b.writeCharSequence(prefix, StandardCharsets.US_ASCII);
        int start = b.writerIndex();
        body.accept(b);
        if (b.writerIndex() - start != length) {
            throw new IllegalStateException("literal of " + length + " octets got " + (b.writerIndex() - start));
        }
        return this;
    }

    /**
     * A literal of the readable octets of {@code content}, which this writer now owns: they join the response as
     * they are (no copy), between the text before and after.
     */
    public ResponseWriter literal(ByteBuf content) {
        String prefix = "{" + content.readableBytes() + "}\r\n";
        room(prefix.length()).writeCharSequence(prefix, StandardCharsets.US_ASCII);
        if (full == null) {
            full = alloc.compositeBuffer(Integer.MAX_VALUE);
        }
        full.addComponent(true, out);
        full.addComponent(true, content);
        out = alloc.buffer(256);
        return this;
    }

    /** Binary literal (RFC 3516 {@code ~{n}}) for content that holds NUL. */
    public ResponseWriter binaryLiteral(byte[] bytes) {
        String prefix = "~{" + bytes.length + "}\r\n";
        room(prefix.length() + bytes.length).writeCharSequence(prefix, StandardCharsets.US_ASCII);
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
        return (full == null ? 0 : full.readableBytes()) + out.readableBytes();
    }

    /** Hands the response over; the writer must not be used afterwards. */
    public ByteBuf buffer() {
        if (full == null) {
            return out;
        }
        full.addComponent(true, out);
        return full;
    }
}
