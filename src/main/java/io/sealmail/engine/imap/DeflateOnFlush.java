package io.sealmail.engine.imap;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;

import java.nio.ByteBuffer;
import java.util.zip.Deflater;

/**
 * The sending half of COMPRESS=DEFLATE (RFC 4978): raw DEFLATE whose blocks are closed with a SYNC_FLUSH only when
 * the session flushes, not after every buffer it writes. RFC 4978 §4 asks that a response never wait in the
 * compressor, and the session flushes at the end of each response; a FETCH of 10,000 messages is many writes but
 * one flush, so it is not cut into 10,000 blocks each ending in an empty stored block (Netty's JdkZlibEncoder
 * syncs every write, which costs about 5 octets a write and the matches across them).
 */
final class DeflateOnFlush extends ChannelOutboundHandlerAdapter {
    private static final int CHUNK = 16 * 1024;
    private final Deflater deflater;
    /** Input went in since the last SYNC_FLUSH (a flush with nothing new would still cost an empty block). */
    private boolean unsynced;

    /** @param level zlib level; 6 is zlib's default and Dovecot's imap_zlib_compress_level */
    DeflateOnFlush(int level) {
        this.deflater = new Deflater(level, true);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof ByteBuf in)) {
            ctx.write(msg, promise);
            return;
        }
        try {
            deflater.setInput(in.nioBuffer());
            unsynced |= in.isReadable();
            ByteBuf out = drain(ctx, Deflater.NO_FLUSH);
            // The promise completes when this (possibly empty) output is written, as the caller expects.
            ctx.write(out, promise);
        } finally {
            in.release();
        }
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        if (unsynced) {
            unsynced = false;
            ctx.write(drain(ctx, Deflater.SYNC_FLUSH));
        }
        ctx.flush();
    }

    /** Deflates all pending input; with SYNC_FLUSH also closes the block so the peer can inflate it all now. */
    private ByteBuf drain(ChannelHandlerContext ctx, int flush) {
        ByteBuf out = ctx.alloc().heapBuffer(CHUNK);
        while (true) {
            out.ensureWritable(CHUNK);
            ByteBuffer window = out.nioBuffer(out.writerIndex(), out.writableBytes());
            int n = deflater.deflate(window, flush);
            out.writerIndex(out.writerIndex() + n);
            // Done when the deflater took all input and, for a flush, did not fill the output (zlib's documented test).
            if (deflater.needsInput() && (flush == Deflater.NO_FLUSH || n < window.capacity())) {
                return out;
            }
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        deflater.end();
    }
}
