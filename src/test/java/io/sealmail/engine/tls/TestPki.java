package io.sealmail.engine.tls;

import io.sealmail.ca.CaSpec;
import io.sealmail.ca.CertificateAuthority;
import io.sealmail.ca.IssuedCertificate;
import io.sealmail.ca.KeyAlgorithm;
import io.sealmail.ca.LeafSpec;
import io.sealmail.ca.Pem;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;

/**
 * Certificates for tests, all from our own CA ({@link CertificateAuthority}), written in the Kubernetes TLS Secret
 * layout (tls.crt, tls.key, ca.crt). A {@code TestPki} is such a directory for a server on localhost/127.0.0.1
 * (what the protocol tests' engines serve); the static methods make CAs and leaves for the TLS layer's own tests.
 */
public record TestPki(Path tlsCrt, Path tlsKey, Path caCrt, X509Certificate ca) {
    /** The name the TLS layer's tests connect to and verify. */
    public static final String HOST = "mail.example.test";

    /** A new CA and a server certificate for localhost, mail.test and 127.0.0.1, written to {@code dir}. */
    public static TestPki create(Path dir) throws IOException {
        return create(dir, List.of());
    }

    /**
     * As {@link #create(Path)}, the certificate also naming {@code moreAddresses} (a test's own 127.0.x.y, for
     * clients that check the address they connect to, such as mbsync).
     */
    public static TestPki create(Path dir, List<String> moreAddresses) throws IOException {
        CertificateAuthority authority = CertificateAuthority.create(CaSpec.defaults(), Clock.systemUTC());
        List<String> addresses = new java.util.ArrayList<>(List.of("127.0.0.1"));
        addresses.addAll(moreAddresses);
        write(dir, authority.issue(LeafSpec.of(List.of("localhost", "mail.test"), addresses)));
        return read(dir);
    }

    /** The files already in {@code dir} (a restarted server keeps its certificate). */
    public static TestPki read(Path dir) throws IOException {
        Path ca = dir.resolve("ca.crt");
        return new TestPki(dir.resolve("tls.crt"), dir.resolve("tls.key"), ca,
                Pem.readCertificates(Files.readString(ca, StandardCharsets.US_ASCII)).get(0));
    }

    /** A client context that trusts only our CA. */
    public SSLContext clientContext() {
        return trusting(ca);
    }

    /** A client context that trusts only {@code ca}. */
    public static SSLContext trusting(X509Certificate ca) {
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

    public static CertificateAuthority authority(String subject) {
        return CertificateAuthority.create(CaSpec.defaults().withSubject(subject), Clock.systemUTC());
    }

    public static IssuedCertificate leaf(CertificateAuthority ca, KeyAlgorithm key) {
        return ca.issue(LeafSpec.of(List.of(HOST), List.of("127.0.0.1")).withKey(key));
    }

    /** A CA whose clock runs 200 days behind: it is still valid, its 90-day leaves expired 110 days ago. */
    public static CertificateAuthority pastAuthority() {
        Clock past = Clock.fixed(Instant.now().minus(Duration.ofDays(200)), ZoneOffset.UTC);
        return CertificateAuthority.create(CaSpec.defaults().withSubject("CN=Past Clock CA"), past);
    }

    public static IssuedCertificate expiredLeaf(CertificateAuthority pastCa) {
        return pastCa.issue(LeafSpec.of(List.of(HOST), List.of()).withValidity(Duration.ofDays(90)));
    }

    public static void write(Path dir, IssuedCertificate cert) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("tls.crt"), cert.tlsCrtPem(), StandardCharsets.US_ASCII);
        Files.writeString(dir.resolve("tls.key"), cert.tlsKeyPem(), StandardCharsets.US_ASCII);
        Files.writeString(dir.resolve("ca.crt"), cert.caCrtPem(), StandardCharsets.US_ASCII);
    }

    public static ServerTls serverTls(IssuedCertificate cert, TlsProvider provider, TlsListener listener) {
        CertificatePair pair = new CertificatePair(Stream.concat(Stream.of(cert.leaf()), cert.chain().stream()).toList(),
                cert.privateKey());
        return ServerTls.of(TlsPolicy.serverContext(pair, provider), listener);
    }
}
