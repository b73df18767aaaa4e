package io.sealmail.engine.pop3;

import io.netty.buffer.ByteBuf;
import io.sealmail.engine.tls.StartTls;
import io.netty.handler.codec.LineBasedFrameDecoder;

/** POP3 lines, bounded; STLS drops whatever was pipelined behind it. */
/** POP3 framing: one CRLF line, bounded; the first handler of the pipeline, so STLS can drop what it buffered. */
public final class Pop3LineDecoder extends LineBasedFrameDecoder implements StartTls.Framer {
    /** RFC 2449 §4: 255 octets per command; SASL responses (RFC 5034) may be longer, so allow some room. */
    public static final int MAX_LINE = 2048;

    public Pop3LineDecoder(int maxLine) {
        super(maxLine, true, true);
    }

    @Override
    public int discardBufferedInput() {
        ByteBuf buffered = internalBuffer();
        int n = buffered.readableBytes();
        buffered.skipBytes(n);
        return n;
    }
}
