package io.sealmail.engine.delivery.policy;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;

/** What one connection to one MX host must achieve. */
public interface HostPolicy {
    PolicyKind kind();

    /** True when delivery must not go on without TLS (MTA-STS enforce, DANE): no plaintext fallback, defer. */
    boolean tlsRequired();

    /**
     * Checks the server's certificate chain after the handshake (leaf first); throws to refuse it. The client
     * then quits and defers (never retries the same host in plaintext when {@link #tlsRequired()}). A policy in
     * report-only mode (MTA-STS {@code testing}) logs and returns.
     */
    void verify(X509Certificate[] chain, String mxHost) throws CertificateException;

    /** Opportunistic STARTTLS: used when offered, certificate not checked (RFC 7435). */
    HostPolicy OPPORTUNISTIC = new HostPolicy() {
        @Override
        public PolicyKind kind() {
            return PolicyKind.OPPORTUNISTIC;
        }

        @Override
        public boolean tlsRequired() {
            return false;
        }

        @Override
        public void verify(X509Certificate[] chain, String mxHost) {
        }
    };
}
