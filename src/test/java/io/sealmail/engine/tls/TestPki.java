package io.sealmail.engine.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import io.sealmail.ca.CaSpec;
import io.sealmail.ca.CertificateAuthority;
import io.sealmail.ca.IssuedCertificate;
import io.sealmail.ca.KeyAlgorithm;
import io.sealmail.ca.LeafSpec;

/** Certificates for TLS tests, all from our own CA ({@link CertificateAuthority}), written in the Secret layout. */
final class TestPki {
    static final String HOST = "mail.example.test";

    private TestPki() {
    }

    static CertificateAuthority ca(String subject) {
        return CertificateAuthority.create(CaSpec.defaults().withSubject(subject), Clock.systemUTC());
    }

    static IssuedCertificate leaf(CertificateAuthority ca, KeyAlgorithm key) {
        return ca.issue(LeafSpec.of(List.of(HOST), List.of("127.0.0.1")).withKey(key));
    }

    /** A CA whose clock runs 200 days behind: it is still valid, its 90-day leaves expired 110 days ago. */
    static CertificateAuthority pastCa() {
        Clock past = Clock.fixed(Instant.now().minus(Duration.ofDays(200)), ZoneOffset.UTC);
        return CertificateAuthority.create(CaSpec.defaults().withSubject("CN=Past Clock CA"), past);
    }

    static IssuedCertificate expiredLeaf(CertificateAuthority pastCa) {
        return pastCa.issue(LeafSpec.of(List.of(HOST), List.of()).withValidity(Duration.ofDays(90)));
    }

    static void write(Path dir, IssuedCertificate cert) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("tls.crt"), cert.tlsCrtPem(), StandardCharsets.US_ASCII);
        Files.writeString(dir.resolve("tls.key"), cert.tlsKeyPem(), StandardCharsets.US_ASCII);
        Files.writeString(dir.resolve("ca.crt"), cert.caCrtPem(), StandardCharsets.US_ASCII);
    }

    static ServerTls serverTls(IssuedCertificate cert, TlsProvider provider, TlsListener listener) {
        CertificatePair pair = new CertificatePair(
                java.util.stream.Stream.concat(java.util.stream.Stream.of(cert.leaf()), cert.chain().stream()).toList(),
                cert.privateKey());
        return ServerTls.of(TlsPolicy.serverContext(pair, provider), listener);
    }
}
