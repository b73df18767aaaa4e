package io.sealmail.engine.smtp;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.sealmail.engine.smtp.SmtpFrame.ContentViolation;
import io.sealmail.engine.tls.StartTls;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Frames the SMTP byte stream: command lines with a hard length bound, DATA content up to CRLF.CRLF, and BDAT
 * chunks by exact octet count (RFC 3030). The session switches the mode after a command; each call of
 * {@link #decode} emits at most one command line, so a mode change made while handling it applies to the
 * very next octet.
 *
 * <p>DATA is an explicit state machine. Only the sequence CR LF "." CR LF ends it (RFC 5321 §4.1.1.4); a bare LF
 * or bare CR anywhere in the content refuses the message. We reject rather than normalise: normalising
 * {@code <LF>.<LF>} or {@code <CR>.<CR>} is exactly what lets one SMTP server see the end of a message where
 * the next one sees more commands (SMTP smuggling, CVE-2023-51764 Postfix, -51765 Sendmail, -51766 Exim).
 * After a violation the decoder keeps consuming, passes nothing on, and still ends only at CRLF.CRLF, so
 * whatever the client hid after a fake end-of-data is swallowed as content, never executed as commands.
 * This is Postfix's {@code smtpd_forbid_bare_newline = reject} behaviour, except that we keep the
 * connection open and reply once at the real end of data.
 */
public final class SmtpFrameDecoder extends ByteToMessageDecoder implements StartTls.Framer {

    private enum Mode { COMMAND, DISCARD_COMMAND, DATA, CHUNK }

    /** Position inside a DATA line, for dot-unstuffing and line-ending checks. */
    private enum DataState { LINE_START, TEXT, CR, DOT, DOT_CR }

    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final byte DOT = '.';
    /** The end-of-data sequence, matched as a rolling window over the raw octets. */
    private static final byte[] END = {CR, LF, DOT, CR, LF};

    /** RFC 4954 §4: AUTH lines and SASL responses may be up to 12288 octets (long initial responses). */
    static final int AUTH_LINE_LIMIT = 12288;

    private final int maxCommandLine;
    private final int maxTextLine;
    private boolean saslResponse;

    private Mode mode = Mode.COMMAND;
    private boolean paused;
    private ChannelHandlerContext ctx;

    private DataState dataState;
    private int endMatch;
    private int lineLength;
    private ContentViolation violation;
    private long chunkRemaining;
    private boolean chunkPrevCr;

    /**
     * @param maxCommandLine longest command line in octets including CRLF (RFC 5321 §4.5.3.1.4: 512)
     * @param maxTextLine    longest text line in octets including CRLF (RFC 5321 §4.5.3.1.6: 1000)
     */
    public SmtpFrameDecoder(int maxCommandLine, int maxTextLine) {
        this.maxCommandLine = maxCommandLine;
        this.maxTextLine = maxTextLine;
    }

    /** After a 354 reply: what follows is DATA content up to CRLF.CRLF. */
    public void expectData() {
        mode = Mode.DATA;
        dataState = DataState.LINE_START;
        // DATA starts at the beginning of a line, as if CRLF had just been seen: "." CRLF at once ends it.
        endMatch = 2;
        lineLength = 0;
        violation = null;
    }

    /**
     * After a BDAT command with a valid size (also when the session refuses the chunk: its octets follow anyway
     * and must be consumed, RFC 3030 §2). {@code size} must be positive.
     *
     * @param firstOfMessage true for the first chunk of a message: resets the line checks carried across chunks
     */
    public void expectChunk(long size, boolean firstOfMessage) {
        if (size <= 0) {
            throw new IllegalArgumentException("chunk size " + size);
        }
        mode = Mode.CHUNK;
        chunkRemaining = size;
        if (firstOfMessage) {
            violation = null;
            lineLength = 0;
            chunkPrevCr = false;
        }
    }

    /** Stops framing (while the session waits for a slow operation); input stays buffered. */
    public void pause() {
        paused = true;
    }

    /** Resumes framing, starting with whatever was buffered meanwhile. Call on the event loop. */
    public void resume() {
        if (!paused) {
            return;
        }
        paused = false;
        if (ctx != null && !ctx.isRemoved()) {
            // Re-enters ByteToMessageDecoder with no new bytes so it decodes what it already holds.
            try {
                channelRead(ctx, Unpooled.EMPTY_BUFFER);
            } catch (Exception e) {
                ctx.fireExceptionCaught(e);
            }
        }
    }

    public boolean isPaused() {
        return paused;
    }

    /**
     * Drops every octet received but not yet framed. STARTTLS calls this: plaintext pipelined behind the
     * STARTTLS command must never be executed after the handshake (CVE-2011-0411 class).
     */
    @Override
    public int discardBufferedInput() {
        ByteBuf buffered = internalBuffer();
        int n = buffered.readableBytes();
        buffered.skipBytes(n);
        mode = Mode.COMMAND;
        return n;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        if (paused) {
            // The session turned auto-read off; do not let the base class ask for more input while we wait,
            // or a client could fill memory during an AUTH check or a delivery.
            ctx.fireChannelReadComplete();
            return;
        }
        super.channelReadComplete(ctx);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (paused) {
            return;
        }
        switch (mode) {
            case COMMAND -> decodeCommand(in, out);
            case DISCARD_COMMAND -> discardCommand(in, out);
            case DATA -> decodeData(ctx, in, out);
            case CHUNK -> decodeChunk(in, out);
        }
    }

    /** While a SASL exchange waits for the client's response line, that line may be as long as an AUTH line. */
    public void expectSaslResponse(boolean expect) {
        saslResponse = expect;
    }

    private int commandLimit(ByteBuf in) {
        if (saslResponse) {
            return Math.max(maxCommandLine, AUTH_LINE_LIMIT);
        }
        int i = in.readerIndex();
        boolean auth = in.readableBytes() >= 5 && (in.getByte(i) | 0x20) == 'a' && (in.getByte(i + 1) | 0x20) == 'u'
                && (in.getByte(i + 2) | 0x20) == 't' && (in.getByte(i + 3) | 0x20) == 'h' && in.getByte(i + 4) == ' ';
        return auth ? Math.max(maxCommandLine, AUTH_LINE_LIMIT) : maxCommandLine;
    }

    private void decodeCommand(ByteBuf in, List<Object> out) {
        int start = in.readerIndex();
        int readable = in.readableBytes();
        int limit = commandLimit(in);
        int lf = in.indexOf(start, start + Math.min(readable, limit), LF);
        if (lf < 0) {
            if (readable >= limit) {
                // No line end within the bound: drop what we have and resynchronise at the next LF
                // without closing the connection; the reply comes then, in order with pipelined commands.
                in.skipBytes(limit);
                mode = Mode.DISCARD_COMMAND;
            }
            return;
        }
        int length = lf - start;
        if (length > 0 && in.getByte(lf - 1) == CR) {
            length--;
        }
        String line = in.toString(start, length, StandardCharsets.UTF_8);
        in.readerIndex(lf + 1);
        out.add(new SmtpFrame.CommandLine(line));
    }

    private void discardCommand(ByteBuf in, List<Object> out) {
        int lf = in.indexOf(in.readerIndex(), in.writerIndex(), LF);
        if (lf < 0) {
            in.skipBytes(in.readableBytes());
            return;
        }
        in.readerIndex(lf + 1);
        mode = Mode.COMMAND;
        out.add(new SmtpFrame.CommandTooLong());
    }

    private void decodeData(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int i = in.readerIndex();
        int end = in.writerIndex();
        ByteBuf content = violation == null ? ctx.alloc().buffer(in.readableBytes()) : null;
        boolean finished = false;
        while (i < end) {
            if (violation == null && dataState == DataState.TEXT) {
                // Fast path inside a line: a run of octets other than CR and LF is copied as it is (it cannot end
                // the data nor change the state), up to the text-line bound; the octet-wise machine does the rest.
                int stop = in.forEachByte(i, end - i, ByteProcessor.FIND_CRLF);
                int run = Math.min((stop < 0 ? end : stop) - i, maxTextLine - 2 - lineLength);
                if (run > 0) {
                    content.writeBytes(in, i, run);
                    lineLength += run;
                    i += run;
                    continue;
                }
            }
            byte b = in.getByte(i++);
            endMatch = b == END[endMatch] ? endMatch + 1 : (b == CR ? 1 : 0);
            if (endMatch == END.length) {
                finished = true;
                break;
            }
            if (violation == null) {
                acceptDataOctet(b, content);
                if (violation != null) {
                    // Nothing after a violation is passed on; the whole message will be refused.
                    content.clear();
                }
            }
        }
        in.readerIndex(i);
        if (content != null) {
            if (content.isReadable()) {
                out.add(new SmtpFrame.Content(content));
            } else {
                content.release();
            }
        }
        if (finished) {
            mode = Mode.COMMAND;
            out.add(new SmtpFrame.ContentEnd(violation));
            violation = null;
        }
    }

    /** One octet of DATA content in the state machine; writes the unstuffed content. */
    private void acceptDataOctet(byte b, ByteBuf content) {
        switch (dataState) {
            case LINE_START -> {
                if (b == DOT) {
                    // RFC 5321 §4.5.2: a leading dot was added by the client; drop it (or this is the end).
                    dataState = DataState.DOT;
                    lineLength = 1;
                } else {
                    text(b, content);
                }
            }
            case DOT -> {
                if (b == CR) {
                    dataState = DataState.DOT_CR;
                } else {
                    text(b, content);
                }
            }
            // "." CR not followed by LF (CR LF would have ended the data in decodeData).
            case DOT_CR -> violation = ContentViolation.BARE_CR;
            case TEXT -> text(b, content);
            case CR -> {
                if (b == LF) {
                    content.writeByte(CR).writeByte(LF);
                    lineLength = 0;
                    dataState = DataState.LINE_START;
                } else {
                    violation = ContentViolation.BARE_CR;
                }
            }
        }
    }

    private void text(byte b, ByteBuf content) {
        if (b == CR) {
            dataState = DataState.CR;
            return;
        }
        if (b == LF) {
            violation = ContentViolation.BARE_LF;
            return;
        }
        lineLength++;
        if (lineLength + 2 > maxTextLine) {
            violation = ContentViolation.LINE_TOO_LONG;
            return;
        }
        content.writeByte(b);
        dataState = DataState.TEXT;
    }

    private void decodeChunk(ByteBuf in, List<Object> out) {
        int n = (int) Math.min(in.readableBytes(), chunkRemaining);
        if (n == 0) {
            return;
        }
        if (violation == null) {
            checkChunkText(in, in.readerIndex(), n);
        }
        out.add(new SmtpFrame.Content(in.readRetainedSlice(n)));
        chunkRemaining -= n;
        if (chunkRemaining == 0) {
            mode = Mode.COMMAND;
            out.add(new SmtpFrame.ContentEnd(violation));
        }
    }

    /** BDAT content is not dot-stuffed but is still text: the same line-ending and length rules apply. */
    private void checkChunkText(ByteBuf in, int from, int length) {
        for (int i = from; i < from + length && violation == null; i++) {
            byte b = in.getByte(i);
            if (chunkPrevCr && b != LF) {
                violation = ContentViolation.BARE_CR;
            } else if (b == LF && !chunkPrevCr) {
                violation = ContentViolation.BARE_LF;
            } else if (b == LF) {
                lineLength = 0;
            } else if (b != CR && ++lineLength + 2 > maxTextLine) {
                violation = ContentViolation.LINE_TOO_LONG;
            }
            chunkPrevCr = b == CR;
        }
    }
}
