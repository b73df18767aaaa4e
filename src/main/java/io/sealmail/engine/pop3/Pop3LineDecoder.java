package io.sealmail.engine.pop3;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.LineBasedFrameDecoder;

/** POP3 lines, bounded; STLS drops whatever was pipelined behind it. */
public final class Pop3LineDecoder extends LineBasedFrameDecoder {
    /** RFC 2449 §4: 255 octets per command; SASL responses (RFC 5034) may be longer, so allow some room. */
    public static final int MAX_LINE = 2048;

    public Pop3LineDecoder(int maxLine) {
        super(maxLine, true, true);
    }

    public void discardBufferedInput() {
        ByteBuf buffered = internalBuffer();
        buffered.skipBytes(buffered.readableBytes());
    }
}
