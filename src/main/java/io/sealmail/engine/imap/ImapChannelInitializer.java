package io.sealmail.engine.imap;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;

import java.util.concurrent.TimeUnit;

/**
 * The IMAP pipeline: TLS first on 993 (RFC 8314), the idle timer (RFC 9051 §5.4: at least 30 minutes, IDLE
 * included), the command decoder with its bounds, then the session. STARTTLS on 143 puts TLS in front later.
 */
public final class ImapChannelInitializer extends ChannelInitializer<Channel> {
    private final AccessContext context;
    private final boolean implicitTls;

    public ImapChannelInitializer(AccessContext context, boolean implicitTls) {
        this.context = context;
        this.implicitTls = implicitTls;
    }

    @Override
    protected void initChannel(Channel ch) {
        if (!context.admit(ch)) {
            // Over the engine's connection limits: say so in clear on 143, just close on 993 (no handshake spent).
            if (!implicitTls) {
                ch.writeAndFlush(io.netty.buffer.Unpooled.copiedBuffer("* BYE [UNAVAILABLE] Too many connections\r\n",
                        java.nio.charset.StandardCharsets.US_ASCII)).addListener(io.netty.channel.ChannelFutureListener.CLOSE);
            } else {
                ch.close();
            }
            return;
        }
        if (implicitTls) {
            ch.pipeline().addLast("tls", new SslHandler(context.tls().get().newEngine(ch.alloc())));
        }
        ch.pipeline().addLast("idle", new IdleStateHandler(0, 0, context.limits().idleTimeout().toSeconds(), TimeUnit.SECONDS));
        ch.pipeline().addLast("decoder", new ImapCommandDecoder(context.limits()));
        ch.pipeline().addLast("session", new ImapSession(context, !implicitTls));
    }
}
