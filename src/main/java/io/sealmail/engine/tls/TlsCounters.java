package io.sealmail.engine.tls;

import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** A {@link TlsListener} that counts events, for metrics gauges and tests. Thread-safe. */
public final class TlsCounters implements TlsListener {
    private final AtomicLong reloads = new AtomicLong();
    private final AtomicLong reloadFailures = new AtomicLong();
    private final AtomicLong handshakes = new AtomicLong();
    private final AtomicLong handshakeFailures = new AtomicLong();
    private final AtomicReference<X509Certificate> certificate = new AtomicReference<>();

    @Override
    public void certificateLoaded(X509Certificate leaf, boolean reload) {
        certificate.set(leaf);
        if (reload) {
            reloads.incrementAndGet();
        }
    }

    @Override
    public void reloadFailed(String reason) {
        reloadFailures.incrementAndGet();
    }

    @Override
    public void handshakeSucceeded(TlsSessionInfo session) {
        handshakes.incrementAndGet();
    }

    @Override
    public void handshakeFailed(Throwable cause) {
        handshakeFailures.incrementAndGet();
    }

    /** Successful reloads (the initial load not counted). */
    public long reloads() {
        return reloads.get();
    }

    /** Changed files refused. */
    public long reloadFailures() {
        return reloadFailures.get();
    }

    /** Completed handshakes. */
    public long handshakes() {
        return handshakes.get();
    }

    /** Failed or abandoned handshakes. */
    public long handshakeFailures() {
        return handshakeFailures.get();
    }

    /** The certificate serving now, or null before the first load. */
    public X509Certificate certificate() {
        return certificate.get();
    }
}
