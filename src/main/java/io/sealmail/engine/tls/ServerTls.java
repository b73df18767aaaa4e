package io.sealmail.engine.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;

/**
 * The server side of TLS as the protocol engines see it: the context serving new handshakes now, and
 * {@link SslHandler}s made from it that report handshake outcomes to a {@link TlsListener}.
 *
 * <p>Implicit TLS ports (SMTPS 465, IMAPS 993, POP3S 995; RFC 8314) put {@link #newHandler} first in the pipeline when
 * the connection is accepted. STARTTLS ports never call {@link #newStartTlsHandler} directly; they call
 * {@link StartTls#upgrade}, which also discards plaintext pipelined behind the command.
 *
 * <p>Implementations: {@link ReloadingServerTls} (certificate files, hot reload) and {@link #of} (a fixed context).
 */
public interface ServerTls {
    /** The context new handshakes use now. An established connection keeps the context it started with. */
    SslContext current();

    /** The listener handshake outcomes are reported to. */
    TlsListener listener();

    /** A handler for implicit TLS: the handshake is the first thing on the connection. */
    default SslHandler newHandler(ByteBufAllocator alloc) {
        return Handshakes.observe(TlsPolicy.newHandler(current(), alloc, false), listener());
    }

    /**
     * A handler for STARTTLS: the first message written through it (the "go ahead" reply) leaves in clear, then the
     * handshake follows. Use {@link StartTls#upgrade} rather than adding this yourself.
     */
    default SslHandler newStartTlsHandler(ByteBufAllocator alloc) {
        return Handshakes.observe(TlsPolicy.newHandler(current(), alloc, true), listener());
    }

    /** A fixed context (tests, benchmarks, or a caller that manages reloads itself). */
    static ServerTls of(SslContext context, TlsListener listener) {
        if (context == null || !context.isServer()) {
            throw new IllegalArgumentException("a server SslContext is required");
        }
        TlsListener l = listener == null ? TlsListener.NONE : listener;
        return new ServerTls() {
            @Override
            public SslContext current() {
                return context;
            }

            @Override
            public TlsListener listener() {
                return l;
            }
        };
    }
}
