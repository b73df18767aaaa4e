package io.sealmail.engine.imap;

import io.netty.buffer.ByteBuf;
import io.sealmail.engine.tls.StartTls;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.ByteProcessor;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Frames IMAP commands: lines and the literals between them (RFC 9051 §4.3, LITERAL+/LITERAL- RFC 7888, binary
 * literals RFC 3516). An explicit state machine in the shape of Netty's RedisDecoder.
 * <p>
 * Literal sizes are checked when announced, before a byte of the literal is read and before anything is allocated
 * for it: a synchronizing literal over the limit is answered with a tagged {@code [TOOBIG]} instead of the
 * {@code +} continuation, so the client never sends it; a non-synchronizing one is already on its way, so after
 * the tagged BAD the connection is closed (RFC 7888 §4). A literal's buffer grows as its bytes arrive, so an
 * announcement alone costs nothing.
 */
public final class ImapCommandDecoder extends ByteToMessageDecoder implements StartTls.Framer {

    static final String CONTINUATION = "+ Ready for literal data\r\n";

    enum State { LINE, LITERAL, CLOSED }

    /**
     * Before authentication a literal carries at most a user name, a password or an ID value: whoever has not logged
     * in may not make the server hold more than this per literal, nor more than a line and this per command (Dovecot's
     * login processes read through a few KiB of buffer). The configured limits (APPEND's size) apply after login.
     */
    static final int PRE_AUTH_LITERAL = 8 * 1024;

    private final ImapLimits limits;
    /** Set by the session once LOGIN or AUTHENTICATE succeeded; read on the event loop. */
    private volatile boolean authenticated;
    private State state = State.LINE;
    private final List<String> lines = new ArrayList<>();
    private final List<ImapInput.Literal> literals = new ArrayList<>();
    private long commandSize;
    private long literalRemaining;
    private boolean literalBinary;
    private ByteArrayOutputStream literal;

    public ImapCommandDecoder(ImapLimits limits) {
        this.limits = limits;
    }

    /**
     * The client logged in: the configured literal and command limits apply from the next command read. A command the
     * client pipelined behind its LOGIN was judged by the limits before it.
     */
    void authenticated() {
        authenticated = true;
    }

    private long maxLiteralSize() {
        return authenticated ? limits.maxLiteralSize() : Math.min(limits.maxLiteralSize(), PRE_AUTH_LITERAL);
    }

    private long maxCommandSize() {
        return authenticated ? limits.maxCommandSize()
                : Math.min(limits.maxCommandSize(), (long) limits.maxLineLength() + PRE_AUTH_LITERAL);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.isReadable()) {
            switch (state) {
                case LINE -> {
                    if (!decodeLine(ctx, in, out)) {
                        return;
                    }
                }
                case LITERAL -> {
                    if (!decodeLiteral(in, out)) {
                        return;
                    }
                }
                case CLOSED -> {
                    in.skipBytes(in.readableBytes());
                    return;
                }
            }
        }
    }

    /** Forgets everything buffered, used by STARTTLS: plaintext pipelined behind it must never be executed. */
    @Override
    public int discardBufferedInput() {
        int dropped = bufferedBytes();
        resetCommand();
        state = State.LINE;
        ByteBuf buffered = internalBuffer();
        if (buffered != Unpooled.EMPTY_BUFFER && buffered.isReadable()) {
            buffered.skipBytes(buffered.readableBytes());
        }
        return dropped;
    }

    /** Bytes received but not yet turned into a command (for STARTTLS's check that nothing was pipelined). */
    public int bufferedBytes() {
        ByteBuf buffered = internalBuffer();
        return buffered.readableBytes() + (lines.isEmpty() ? 0 : 1);
    }

    private boolean decodeLine(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int searchable = Math.min(in.readableBytes(), limits.maxLineLength());
        int lf = in.forEachByte(in.readerIndex(), searchable, ByteProcessor.FIND_LF);
        if (lf < 0) {
            if (in.readableBytes() >= limits.maxLineLength()) {
                // Without the end of the line we cannot tell command text from literal data: stop here (as Dovecot does).
                fatal(out, "*", "* BYE [TOOBIG] Command line longer than " + limits.maxLineLength() + " octets");
                in.skipBytes(in.readableBytes());
            }
            return false;
        }
        int length = lf - in.readerIndex();
        int textLength = length > 0 && in.getByte(lf - 1) == '\r' ? length - 1 : length;
        String line = in.toString(in.readerIndex(), textLength, StandardCharsets.UTF_8);
        in.skipBytes(length + 1);
        commandSize += length + 1;
        String tag = tagOf(lines.isEmpty() ? line : lines.get(0));
        long maxCommand = maxCommandSize();
        long maxLiteral = maxLiteralSize();
        String when = authenticated ? "" : " before authentication";
        if (commandSize > maxCommand) {
            fatal(out, "*", "* BYE [TOOBIG] Command larger than " + maxCommand + " octets" + when);
            return false;
        }
        LiteralMarker marker = LiteralMarker.at(line);
        if (marker == null) {
            lines.add(line);
            out.add(new ImapInput.Command(lines, literals));
            resetCommand();
            return true;
        }
        if (marker.size() < 0 || marker.size() > maxLiteral || commandSize + marker.size() > maxCommand) {
            String verb = verbOf(lines.isEmpty() ? line : lines.get(0));
            // RFC 7889 §4 / RFC 9051 §7.1: TOOBIG; APPEND gets NO (the message is valid, just too big for us).
            String status = verb.equals("APPEND") ? "NO" : "BAD";
            boolean literalTooBig = marker.size() < 0 || marker.size() > maxLiteral;
            String text = tag + " " + status + " [TOOBIG] " + (literalTooBig
                    ? "Literal larger than " + maxLiteral + " octets"
                    : "Command larger than " + maxCommand + " octets") + when;
            if (marker.synchronizing()) {
                resetCommand();
                out.add(new ImapInput.Rejected(tag, text, false));
            } else {
                fatal(out, tag, text);
            }
            return marker.synchronizing();
        }
        lines.add(line);
        literalRemaining = marker.size();
        literalBinary = marker.binary();
        literal = new ByteArrayOutputStream((int) Math.min(literalRemaining, 8192));
        commandSize += literalRemaining;
        state = State.LITERAL;
        if (marker.synchronizing()) {
            ctx.writeAndFlush(Unpooled.copiedBuffer(CONTINUATION, StandardCharsets.US_ASCII));
        }
        if (literalRemaining == 0) {
            finishLiteral();
        }
        return true;
    }

    private boolean decodeLiteral(ByteBuf in, List<Object> out) {
        int n = (int) Math.min(in.readableBytes(), literalRemaining);
        byte[] chunk = new byte[n];
        in.readBytes(chunk);
        literal.write(chunk, 0, n);
        literalRemaining -= n;
        if (literalRemaining == 0) {
            finishLiteral();
            return true;
        }
        return false;
    }

    private void finishLiteral() {
        literals.add(new ImapInput.Literal(literal.toByteArray(), literalBinary));
        literal = null;
        state = State.LINE;
    }

    private void fatal(List<Object> out, String tag, String response) {
        resetCommand();
        state = State.CLOSED;
        out.add(new ImapInput.Rejected(tag, response, true));
    }

    private void resetCommand() {
        lines.clear();
        literals.clear();
        literal = null;
        commandSize = 0;
        literalRemaining = 0;
    }

    /** The tag if the line starts with a valid one (RFC 9051 §9 tag: ASTRING-CHAR except "+"), else "*". */
    static String tagOf(String line) {
        int sp = line.indexOf(' ');
        String tag = sp < 0 ? line : line.substring(0, sp);
        if (tag.isEmpty()) {
            return "*";
        }
        for (int i = 0; i < tag.length(); i++) {
            char c = tag.charAt(i);
            if (c <= ' ' || c >= 0x7f || "(){%*\"\\+".indexOf(c) >= 0) {
                return "*";
            }
        }
        return tag;
    }

    private static String verbOf(String line) {
        String[] words = line.split(" ", 4);
        if (words.length < 2) {
            return "";
        }
        String verb = words[1].toUpperCase(java.util.Locale.ROOT);
        if (verb.equals("UID") && words.length > 2) {
            verb = words[2].toUpperCase(java.util.Locale.ROOT);
        }
        return verb;
    }

    /**
     * A literal announcement at the end of a line: {@code {n}}, {@code {n+}} (LITERAL+), {@code ~{n}} (binary).
     * {@code size} is -1 when the digits do not fit a long (such a literal is refused like any oversized one).
     */
    record LiteralMarker(long size, boolean synchronizing, boolean binary) {
        static LiteralMarker at(String line) {
            int end = line.length() - 1;
            if (end < 2 || line.charAt(end) != '}') {
                return null;
            }
            int i = end - 1;
            boolean plus = line.charAt(i) == '+';
            if (plus) {
                i--;
            }
            int lastDigit = i;
            while (i >= 0 && ImapNumber.isDigit(line.charAt(i))) {
                i--;
            }
            if (i == lastDigit || i < 0 || line.charAt(i) != '{') {
                return null;
            }
            boolean binary = i > 0 && line.charAt(i - 1) == '~';
            String digits = line.substring(i + 1, lastDigit + 1);
            long size = ImapNumber.parse(digits, ImapNumber.MAX_NUMBER64); // -1 past 2^63-1: refused as too large
            return new LiteralMarker(size, !plus, binary);
        }
    }
}
