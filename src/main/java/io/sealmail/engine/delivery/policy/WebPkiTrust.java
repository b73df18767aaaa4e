package io.sealmail.engine.delivery.policy;

import javax.net.ssl.SSLContext;
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
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The certificate authorities MTA-STS trusts (RFC 8461 §3.3, §4.2: "trusted by the sender", i.e. the WebPKI):
 * the JDK's CA certificates, plus optionally the CAs of one PEM file (a private CA, or a test CA). One set serves the
 * policy fetch and the MX certificate checks, so both trust exactly the same roots.
 */
public final class WebPkiTrust {
    private final Set<TrustAnchor> anchors;
    private final SSLContext sslContext;

    private WebPkiTrust(List<X509Certificate> cas) throws GeneralSecurityException, IOException {
        Set<TrustAnchor> set = new HashSet<>();
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        int i = 0;
        for (X509Certificate ca : cas) {
            set.add(new TrustAnchor(ca, null));
            store.setCertificateEntry("ca-" + i++, ca);
        }
        this.anchors = Set.copyOf(set);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        this.sslContext = context;
    }

    /** The JDK's CAs, plus those in {@code extraCaFile} when it is not null (PEM, one or more certificates). */
    public static WebPkiTrust load(Path extraCaFile) throws IOException {
        try {
            List<X509Certificate> cas = new ArrayList<>(jdkCas());
            if (extraCaFile != null) {
                cas.addAll(readPem(extraCaFile));
            }
            return new WebPkiTrust(cas);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot load trusted CAs: " + e.getMessage(), e);
        }
    }

    /** Only the given CAs (tests that must not depend on the JDK's list). */
    public static WebPkiTrust of(List<X509Certificate> cas) {
        try {
            return new WebPkiTrust(cas);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<X509Certificate> jdkCas() throws GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init((KeyStore) null);
        List<X509Certificate> cas = new ArrayList<>();
        for (var tm : tmf.getTrustManagers()) {
            if (tm instanceof X509TrustManager x509) {
                cas.addAll(List.of(x509.getAcceptedIssuers()));
            }
        }
        return cas;
    }

    private static List<X509Certificate> readPem(Path file) throws IOException, CertificateException {
        try (InputStream in = Files.newInputStream(file)) {
            List<X509Certificate> certs = new ArrayList<>();
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                certs.add((X509Certificate) c);
            }
            if (certs.isEmpty()) {
                throw new IOException(file + ": no certificate in it");
            }
            return certs;
        }
    }

    Set<TrustAnchor> anchors() {
        return anchors;
    }

    /** A client context trusting exactly these CAs; hostname checks are switched on per connection. */
    SSLContext sslContext() {
        return sslContext;
    }

    /**
     * RFC 8461 §4.2: the MX's certificate must chain to a trusted CA, be valid now, and carry a DNS-ID matching the
     * MX host name.
     */
    void verify(X509Certificate[] chain, String mxHost, Instant now) throws CertificateException {
        ChainValidator.validate(chain, anchors, now);
        if (!CertificateNames.matchesAny(chain[0], List.of(mxHost))) {
            throw new CertificateException("the certificate names " + CertificateNames.dnsNames(chain[0])
                    + ", not " + MtaStsPolicy.normalize(mxHost));
        }
    }
}
