package io.sealmail.engine.imap;

import io.sealmail.ca.CaSpec;
import io.sealmail.ca.CertificateAuthority;
import io.sealmail.ca.IssuedCertificate;
import io.sealmail.ca.LeafSpec;
import io.sealmail.ca.Pem;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;

/** Our own CA and a server certificate for localhost/127.0.0.1, as tls.crt, tls.key and ca.crt files. */
public record TestPki(Path tlsCrt, Path tlsKey, Path caCrt, X509Certificate ca) {

    public static TestPki create(Path dir) throws IOException {
        CertificateAuthority authority = CertificateAuthority.create(CaSpec.defaults(), Clock.systemUTC());
        IssuedCertificate leaf = authority.issue(LeafSpec.of(List.of("localhost", "mail.test"), List.of("127.0.0.1")));
        Files.createDirectories(dir);
        Path crt = Files.writeString(dir.resolve("tls.crt"), leaf.tlsCrtPem());
        Path key = Files.writeString(dir.resolve("tls.key"), leaf.tlsKeyPem());
        Path ca = Files.writeString(dir.resolve("ca.crt"), leaf.caCrtPem());
        return new TestPki(crt, key, ca, Pem.readCertificates(leaf.caCrtPem()).get(0));
    }

    /** A client context that trusts only our CA. */
    public SSLContext clientContext() {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("sealmail-ca", ca);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
