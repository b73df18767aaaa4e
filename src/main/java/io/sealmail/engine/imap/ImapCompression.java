package io.sealmail.engine.imap;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.compression.JdkZlibDecoder;
import io.netty.handler.codec.compression.ZlibWrapper;
import io.netty.buffer.Unpooled;

import java.nio.charset.StandardCharsets;

/**
 * COMPRESS=DEFLATE (RFC 4978): raw DEFLATE (RFC 1951, no zlib or gzip wrapper) in both directions, right behind TLS
 * and in front of the command framer, from the first octet after the tagged OK.
 *
 * <pre>
 *   [tls] -&gt; [inflate] [deflate] -&gt; [decoder (framer)] -&gt; [idle] -&gt; [session]
 * </pre>
 * Every flush ends with a SYNC_FLUSH (RFC 4978 §4: a response must not wait in the compressor for more data, or
 * a client waiting for it deadlocks; see {@link DeflateOnFlush}); the dictionary is kept across flushes, so a header
 * sync still compresses well. Cost per connection: zlib's default window and memory level (the same as Dovecot's imap_zlib), about
 * 300 KiB of native memory while compression is on (docs/benchmarks.md has the measured figure).
 */
final class ImapCompression {
    static final String INFLATE = "inflate";
    static final String DEFLATE = "deflate";

    private ImapCompression() {
    }

    static boolean active(ChannelPipeline pipeline) {
        return pipeline.get(DEFLATE) != null;
    }

    /**
     * On the event loop: sends {@code ok} uncompressed, then puts the codecs in. The client may not send anything
     * between COMPRESS and its OK (RFC 4978 §3); commands already framed behind it, or octets the framer holds,
     * could be either, so the connection is closed rather than guess.
     *
     * @param pipelined commands were queued behind COMPRESS
     * @return false when the connection was closed instead
     */
    static boolean start(ChannelHandlerContext session, String ok, boolean pipelined) {
        ChannelPipeline pipeline = session.pipeline();
        ImapCommandDecoder framer = pipeline.get(ImapCommandDecoder.class);
        if (pipelined || framer.bufferedBytes() > 0) {
            session.writeAndFlush(Unpooled.copiedBuffer("* BYE Data sent before the COMPRESS reply\r\n",
                    StandardCharsets.US_ASCII)).addListener(ChannelFutureListener.CLOSE);
            return false;
        }
        // On the event loop this write passes every outbound handler before the encoder exists: it leaves in clear.
        ByteBuf reply = Unpooled.copiedBuffer(ok, StandardCharsets.US_ASCII);
        session.writeAndFlush(reply);
        String framerName = pipeline.context(framer).name();
        pipeline.addBefore(framerName, INFLATE, new JdkZlibDecoder(ZlibWrapper.NONE, 0));
        pipeline.addBefore(framerName, DEFLATE, new DeflateOnFlush(6));
        return true;
    }
}
