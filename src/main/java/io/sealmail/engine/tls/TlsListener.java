package io.sealmail.engine.tls;

import java.security.cert.X509Certificate;

/**
 * Observes the TLS layer, for metrics and logs: certificate reloads and handshake outcomes. Callbacks run on the
 * reload thread or a connection's event loop, so implementations must be fast, thread-safe and must not throw.
 * {@link TlsCounters} is a ready-made implementation that counts.
 */
public interface TlsListener {
    /** Does nothing. */
    TlsListener NONE = new TlsListener() {
    };

    /**
     * A certificate now serves new handshakes: {@code reload} is false for the initial load, true when changed files
     * replaced the previous certificate.
     */
    default void certificateLoaded(X509Certificate leaf, boolean reload) {
    }

    /** Changed files were refused; the previous certificate keeps serving. {@code reason} is one line. */
    default void reloadFailed(String reason) {
    }

    /** A handshake completed. */
    default void handshakeSucceeded(TlsSessionInfo session) {
    }

    /** A handshake failed or the peer went away before it completed. */
    default void handshakeFailed(Throwable cause) {
    }

    /** Tells both listeners, this one first. */
    default TlsListener andThen(TlsListener other) {
        TlsListener first = this;
        return new TlsListener() {
            @Override
            public void certificateLoaded(X509Certificate leaf, boolean reload) {
                first.certificateLoaded(leaf, reload);
                other.certificateLoaded(leaf, reload);
            }

            @Override
            public void reloadFailed(String reason) {
                first.reloadFailed(reason);
                other.reloadFailed(reason);
            }

            @Override
            public void handshakeSucceeded(TlsSessionInfo session) {
                first.handshakeSucceeded(session);
                other.handshakeSucceeded(session);
            }

            @Override
            public void handshakeFailed(Throwable cause) {
                first.handshakeFailed(cause);
                other.handshakeFailed(cause);
            }
        };
    }
}
