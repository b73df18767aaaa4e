package io.sealmail.engine.smtp;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.sealmail.config.Listener;
import io.sealmail.engine.EngineContext;
import io.sealmail.engine.tls.StartTls;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The pipeline of one SMTP connection, in this order and for these reasons:
 * <ol>
 *   <li>{@code tls}: implicit TLS on 465 (RFC 8314); on 25/587 STARTTLS inserts it here later, in front of
 *       everything, so no plaintext byte can reach the session after the handshake starts;</li>
 *   <li>{@code frame}: {@link SmtpFrameDecoder}, bounding every line before anything parses it;</li>
 *   <li>{@code session}: {@link SmtpSession}, the state machine.</li>
 * </ol>
 * Connection limits are checked here, before any protocol work; a refused client gets 421 and is closed.
 */
public final class SmtpChannelInitializer extends ChannelInitializer<Channel> {
    private final Listener listener;
    private final EngineContext engine;

    public SmtpChannelInitializer(Listener listener, EngineContext engine) {
        if (!listener.role().isSmtp()) {
            throw new IllegalArgumentException("not an SMTP role: " + listener.role().id());
        }
        this.listener = listener;
        this.engine = engine;
    }

    @Override
    protected void initChannel(Channel ch) {
        boolean admitted = engine.admit(ch, listener.role());
        ChannelPipeline p = ch.pipeline();
        if (listener.role().implicitTls()) {
            if (!admitted) {
                // No TLS handshake for a client we will turn away; closing says as much on an implicit-TLS port.
                ch.close();
                return;
            }
            p.addLast(StartTls.HANDLER_NAME, engine.serverTls().newHandler(ch.alloc()));
        }
        var limits = engine.config().limits();
        SmtpFrameDecoder decoder = new SmtpFrameDecoder(limits.maxCommandLine(), limits.maxTextLine());
        p.addLast("frame", decoder);
        p.addLast("session", new SmtpSession(engine, listener.role(), decoder, admitted));
    }
}
