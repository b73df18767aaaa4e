package io.sealmail.engine.imap;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.timeout.IdleStateHandler;
import io.sealmail.engine.tls.ServerTls;
import io.sealmail.engine.tls.StartTls;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * The pipeline of one IMAP or POP3 connection, in this order and for these reasons:
 * <ol>
 *   <li>{@code tls}: implicit TLS on 993/995 (RFC 8314), from the engine's {@link ServerTls} so every handshake is
 *       counted; on 143/110 {@link StartTls#upgrade} inserts it here later, in front of everything;</li>
 *   <li>the protocol's framing decoder with its hard bound, under the protocol's own name: first after TLS, as
 *       {@link StartTls} requires, so an upgrade can drop the plaintext it holds;</li>
 *   <li>{@code idle}: the autologout timer ({@link Protocol#idle}), reset by every command and every reply;</li>
 *   <li>{@code session}: the protocol's state machine.</li>
 * </ol>
 * Connection limits are checked first, before any protocol work: a refused client hears the protocol's refusal
 * line in clear on the plaintext port, and is just closed on the implicit-TLS port (no handshake spent on it).
 */
public final class MailAccessChannelInitializer extends ChannelInitializer<Channel> {

    /**
     * What differs between IMAP and POP3.
     *
     * @param refusal     the line (without CRLF) a client over the connection limits gets on the plaintext port
     * @param idle        how long a connection may stay silent before it is closed
     * @param decoderName the framing decoder's name in the pipeline
     * @param decoder     makes the framing decoder of one connection (a {@link StartTls.Framer})
     * @param session     makes the session of one connection; the flag is true on the plaintext port
     */
    public record Protocol(String refusal, Duration idle, String decoderName,
                           Supplier<ChannelHandler> decoder,
                           BiFunction<AccessContext, Boolean, ChannelHandler> session) {
    }

    private final AccessContext context;
    private final boolean implicitTls;
    private final Protocol protocol;

    public MailAccessChannelInitializer(AccessContext context, boolean implicitTls, Protocol protocol) {
        this.context = context;
        this.implicitTls = implicitTls;
        this.protocol = protocol;
    }

    @Override
    protected void initChannel(Channel ch) {
        if (!context.admit(ch)) {
            if (implicitTls) {
                ch.close();
            } else {
                ch.writeAndFlush(Unpooled.copiedBuffer(protocol.refusal() + "\r\n", StandardCharsets.US_ASCII))
                        .addListener(ChannelFutureListener.CLOSE);
            }
            return;
        }
        if (implicitTls) {
            ch.pipeline().addLast(StartTls.HANDLER_NAME, context.tls().newHandler(ch.alloc()));
        }
        ch.pipeline().addLast(protocol.decoderName(), protocol.decoder().get());
        ch.pipeline().addLast("idle", new IdleStateHandler(0, 0, protocol.idle().toSeconds(), TimeUnit.SECONDS));
        ch.pipeline().addLast("session", protocol.session().apply(context, !implicitTls));
    }
}
