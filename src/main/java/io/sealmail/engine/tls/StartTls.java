package io.sealmail.engine.tls;

import org.jboss.logging.Logger;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;

/**
 * The STARTTLS upgrade, shared by SMTP ({@code STARTTLS}, RFC 3207), IMAP ({@code STARTTLS}, RFC 9051 §6.2.1) and
 * POP3 ({@code STLS}, RFC 2595 §4), built so that plaintext pipelined behind the command can never be executed.
 *
 * <h2>The attack (CVE-2011-0411 and its IMAP/POP3 siblings)</h2>
 * A man in the middle appends commands to the client's {@code STARTTLS} line in the same TCP segment:
 * {@code "STARTTLS\r\nRSET\r\nMAIL FROM:<evil>\r\n"}. A server that keeps the bytes it has already read and parses
 * them after the handshake treats the attacker's plaintext as if it had arrived over TLS from the authenticated
 * client. RFC 3207 §4.2 and RFC 9051 §11.1 require the server to discard such state; this class does it by
 * construction.
 *
 * <h2>The contract</h2>
 * The pipeline of a STARTTLS-capable connection starts with the protocol's framing decoder, which implements
 * {@link Framer}; everything else comes after it:
 * <pre>
 *   [framer (StartTls.Framer)] -&gt; [codecs...] -&gt; [session handler]
 * </pre>
 * When the session handler receives the STARTTLS command and decides to accept it, it resets its protocol state
 * (RFC 3207 §4.2: forget EHLO, AUTH and transaction state) and calls, on the event loop, from inside its
 * {@code channelRead}:
 * <pre>
 *   StartTls.upgrade(ctx, serverTls, reply);   // e.g. reply = "220 2.0.0 Ready to start TLS\r\n" as one message
 * </pre>
 * which, in this order:
 * <ol>
 * <li>tells the framer to drop every byte it holds but has not framed yet ({@link Framer#discardBufferedInput()}):
 * a partial line such as {@code "MAIL FR"} cannot be glued to the first line decrypted later;</li>
 * <li>puts a gate right after the framer that releases, unprocessed, every frame still on its way up from the same
 * read (a framer may have produced several frames from one buffer), until the TLS handshake completes;</li>
 * <li>adds an {@link SslHandler} at the very front of the pipeline with {@code startTls = true}, so the next bytes
 * from the socket are TLS records and only decrypted bytes ever reach the framer;</li>
 * <li>writes and flushes {@code reply}: the first message written through a startTls handler leaves in clear
 * (the client must read it before it starts the handshake); everything after it is encrypted.</li>
 * </ol>
 * The reply must therefore be a single message (one {@code write} reaching the SslHandler). The discarded input is
 * logged once per connection at WARN, as it is either a broken client or an attack.
 *
 * <p>Callers must refuse STARTTLS on a connection that already has TLS ({@link #isActive(Channel)}) with their
 * protocol's error reply instead of calling {@link #upgrade}.
 */
public final class StartTls {
    /** Name of the TLS handler in the pipeline after an upgrade. */
    public static final String HANDLER_NAME = "tls";
    /** Name of the handler that drops pre-handshake frames during an upgrade. */
    public static final String GATE_NAME = "starttls-plaintext-gate";

    private static final Logger LOG = Logger.getLogger(StartTls.class);

    private StartTls() {
    }

    /**
     * The framing decoder at the front of a STARTTLS-capable pipeline. For a {@code ByteToMessageDecoder} the whole
     * implementation is:
     * <pre>
     * public int discardBufferedInput() {
     *     ByteBuf buffered = internalBuffer();
     *     int n = buffered.readableBytes();
     *     buffered.skipBytes(n);
     *     return n;
     * }
     * </pre>
     * plus resetting any decoder state (e.g. a pending IMAP literal or SMTP DATA mode) to "expecting a line".
     */
    public interface Framer {
        /**
         * Forgets every byte received but not yet turned into a frame. Called on the event loop, usually while this
         * framer is delivering the STARTTLS frame itself.
         *
         * @return how many bytes were dropped (for the log)
         */
        int discardBufferedInput();
    }

    /** Whether the channel already speaks TLS (implicit TLS or an earlier STARTTLS). */
    public static boolean isActive(Channel channel) {
        return channel.pipeline().get(SslHandler.class) != null;
    }

    /**
     * Switches the connection to TLS after a STARTTLS command; see the class comment for the exact steps.
     *
     * @param ctx   the context of the handler that received the STARTTLS command; the reply is written from here
     * @param tls   where the SslHandler comes from (the certificate serving new handshakes now)
     * @param reply the protocol's "go ahead" reply as one message of whatever type the handlers between {@code ctx}
     *              and the front of the pipeline encode (e.g. a ByteBuf or a String with a StringEncoder)
     * @return the handshake future: succeeds with the channel, or fails (the SslHandler then closes the channel)
     * @throws IllegalStateException if not called on the event loop, TLS is already active, or the first handler
     *                               of the pipeline is not a {@link Framer} (programming errors)
     */
    public static Future<Channel> upgrade(ChannelHandlerContext ctx, ServerTls tls, Object reply) {
        if (!ctx.executor().inEventLoop()) {
            throw new IllegalStateException("StartTls.upgrade must run on the channel's event loop");
        }
        ChannelPipeline pipeline = ctx.pipeline();
        if (isActive(ctx.channel())) {
            throw new IllegalStateException("TLS is already active on this connection");
        }
        ChannelHandler first = pipeline.first();
        if (!(first instanceof Framer framer)) {
            throw new IllegalStateException("the first handler must be the framing decoder implementing "
                    + "StartTls.Framer, found " + (first == null ? "none" : first.getClass().getName()));
        }
        int droppedBytes = framer.discardBufferedInput();
        SslHandler ssl = tls.newStartTlsHandler(ctx.alloc());
        PlaintextGate gate = new PlaintextGate(ssl, droppedBytes);
        pipeline.addAfter(pipeline.firstContext().name(), GATE_NAME, gate);
        pipeline.addFirst(HANDLER_NAME, ssl);
        ctx.writeAndFlush(reply);
        return ssl.handshakeFuture();
    }

    /**
     * Drops every inbound message between the STARTTLS command and the end of the handshake: anything arriving
     * there was read as plaintext before the SslHandler existed. Removes itself once TLS is up.
     */
    private static final class PlaintextGate extends ChannelInboundHandlerAdapter {
        private final SslHandler ssl;
        private final int droppedBytes;
        private int droppedFrames;

        PlaintextGate(SslHandler ssl, int droppedBytes) {
            this.ssl = ssl;
            this.droppedBytes = droppedBytes;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            // Report once the frames still queued in the framer's current read have passed through.
            ssl.handshakeFuture().addListener(f -> report(ctx));
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (ssl.handshakeFuture().isSuccess()) {
                // Only decrypted data can arrive after the handshake succeeded.
                open(ctx);
                ctx.fireChannelRead(msg);
                return;
            }
            droppedFrames++;
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent) {
                open(ctx);
            }
            ctx.fireUserEventTriggered(evt);
        }

        private void open(ChannelHandlerContext ctx) {
            if (!ctx.isRemoved()) {
                ctx.pipeline().remove(this);
            }
        }

        private void report(ChannelHandlerContext ctx) {
            if (droppedBytes > 0 || droppedFrames > 0) {
                LOG.warnf("discarded plaintext pipelined after STARTTLS from %s (%d frames, %d unframed bytes): "
                        + "a broken client or a command injection attempt", ctx.channel().remoteAddress(),
                        droppedFrames, droppedBytes);
            }
        }
    }
}
