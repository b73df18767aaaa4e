package io.sealmail.engine.delivery;

import io.sealmail.config.ConfigException;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * The SMTP client's two TLS contexts. Protocols and cipher suites are the listeners' ({@code TlsPolicy}), set on
 * each socket.
 * <ul>
 *   <li>{@link #unverified()}: the handshake accepts any chain; the destination's {@code HostPolicy} then decides
 *   (opportunistic STARTTLS does not check, RFC 7435; MTA-STS and DANE do, in {@code verify}).</li>
 *   <li>{@link #verified()}: PKIX against the JDK's CAs plus {@code outbound.trustedCaFile}, with the host name
 *   checked (RFC 6125): the relay, which gets our credentials.</li>
 * </ul>
 */
final class ClientTls {
    private final SSLContext unverified;
    private final SSLContext verified;

    ClientTls(String trustedCaFile) {
        try {
            unverified = SSLContext.getInstance("TLS");
            unverified.init(null, new TrustManager[]{new AcceptAny()}, null);
            verified = SSLContext.getInstance("TLS");
            verified.init(null, trustManagers(trustedCaFile), null);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no TLS context: " + e.getMessage(), e);
        }
    }

    SSLContext unverified() {
        return unverified;
    }

    SSLContext verified() {
        return verified;
    }

    private static TrustManager[] trustManagers(String extraCaFile) throws GeneralSecurityException {
        TrustManagerFactory jdk = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        jdk.init((KeyStore) null);
        if (extraCaFile == null) {
            return jdk.getTrustManagers();
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        try {
            store.load(null, null);
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        int n = 0;
        for (TrustManager tm : jdk.getTrustManagers()) {
            if (tm instanceof X509TrustManager x) {
                for (X509Certificate ca : x.getAcceptedIssuers()) {
                    store.setCertificateEntry("jdk-" + n++, ca);
                }
            }
        }
        for (X509Certificate ca : readCertificates(Path.of(extraCaFile))) {
            store.setCertificateEntry("extra-" + n++, ca);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        return tmf.getTrustManagers();
    }

    static List<X509Certificate> readCertificates(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            List<X509Certificate> out = new ArrayList<>();
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                out.add((X509Certificate) c);
            }
            if (out.isEmpty()) {
                throw new ConfigException("outbound.trustedCaFile: " + file + " holds no PEM certificate");
            }
            return out;
        } catch (IOException | CertificateException e) {
            throw new ConfigException("outbound.trustedCaFile: cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Lets the handshake finish so the policy can judge the chain afterwards. */
    private static final class AcceptAny implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
