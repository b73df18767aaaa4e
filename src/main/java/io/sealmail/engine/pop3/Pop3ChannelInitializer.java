package io.sealmail.engine.pop3;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.sealmail.engine.imap.AccessContext;

import java.util.concurrent.TimeUnit;

/**
 * The POP3 pipeline: TLS first on 995 (RFC 8314), then the idle timer, then line framing with a hard bound,
 * then the session. STLS on 110 inserts TLS in front later.
 */
public final class Pop3ChannelInitializer extends ChannelInitializer<Channel> {
    /** RFC 1939 §3: an autologout timer of at least 10 minutes. */
    public static final long IDLE_SECONDS = 600;

    private final AccessContext context;
    private final boolean implicitTls;

    public Pop3ChannelInitializer(AccessContext context, boolean implicitTls) {
        this.context = context;
        this.implicitTls = implicitTls;
    }

    @Override
    protected void initChannel(Channel ch) {
        if (!context.admit(ch)) {
            if (!implicitTls) {
                ch.writeAndFlush(io.netty.buffer.Unpooled.copiedBuffer("-ERR [SYS/TEMP] Too many connections\r\n",
                        java.nio.charset.StandardCharsets.US_ASCII)).addListener(io.netty.channel.ChannelFutureListener.CLOSE);
            } else {
                ch.close();
            }
            return;
        }
        if (implicitTls) {
            ch.pipeline().addLast("tls", new SslHandler(context.tls().get().newEngine(ch.alloc())));
        }
        ch.pipeline().addLast("idle", new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS));
        ch.pipeline().addLast("framer", new Pop3LineDecoder(Pop3LineDecoder.MAX_LINE));
        ch.pipeline().addLast("session", new Pop3Session(context, !implicitTls));
    }
}
