package io.sealmail.engine.tls;

import java.util.Optional;

import javax.net.ssl.SSLSession;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;

/**
 * The negotiated protocol and cipher suite of an established TLS session, for SMTP {@code Received} headers
 * (RFC 5321 §4.4; Postfix and others write e.g. {@code (using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384)}),
 * logs and metrics. {@link #toString()} is {@code "TLSv1.3 TLS_AES_256_GCM_SHA384"}.
 *
 * @param protocol    {@code TLSv1.2} or {@code TLSv1.3}
 * @param cipherSuite the IANA name, e.g. {@code TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}
 */
public record TlsSessionInfo(String protocol, String cipherSuite) {
    /** The session of a handler whose handshake has completed. */
    public static TlsSessionInfo of(SslHandler handler) {
        SSLSession session = handler.engine().getSession();
        return new TlsSessionInfo(session.getProtocol(), session.getCipherSuite());
    }

    /** The session of the channel's {@link SslHandler}, or empty when the channel has no completed TLS handshake. */
    public static Optional<TlsSessionInfo> of(Channel channel) {
        SslHandler handler = channel.pipeline().get(SslHandler.class);
        if (handler == null || !handler.handshakeFuture().isSuccess()) {
            return Optional.empty();
        }
        return Optional.of(of(handler));
    }

    @Override
    public String toString() {
        return protocol + " " + cipherSuite;
    }
}
