package io.sealmail.engine.tls;

import org.jboss.logging.Logger;

import io.netty.handler.ssl.SslHandler;

/** Reports each handler's handshake outcome to a listener. */
final class Handshakes {
    private static final Logger LOG = Logger.getLogger(Handshakes.class);

    private Handshakes() {
    }

    /** A peer that has not finished the handshake by then is disconnected (never a hang). */
    static final long HANDSHAKE_TIMEOUT_MILLIS = 10_000;

    static SslHandler observe(SslHandler handler, TlsListener listener) {
        handler.setHandshakeTimeoutMillis(HANDSHAKE_TIMEOUT_MILLIS);
        handler.handshakeFuture().addListener(f -> {
            try {
                if (f.isSuccess()) {
                    listener.handshakeSucceeded(TlsSessionInfo.of(handler));
                } else {
                    // Scanners and health probes that connect and leave end up here too: debug, not warn.
                    LOG.debugf("TLS handshake failed: %s", f.cause());
                    listener.handshakeFailed(f.cause());
                }
            } catch (RuntimeException e) {
                LOG.warnf("TLS listener failed: %s", e.toString());
            }
        });
        return handler;
    }
}
