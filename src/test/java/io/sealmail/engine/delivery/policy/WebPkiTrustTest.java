package io.sealmail.engine.delivery.policy;

import io.sealmail.ca.CertificateAuthority;
import io.sealmail.ca.IssuedCertificate;
import io.sealmail.engine.tls.TestPki;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

import static io.sealmail.engine.delivery.policy.PolicyCerts.chainWithRoot;
import static io.sealmail.engine.delivery.policy.PolicyCerts.chainWithoutRoot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WebPkiTrustTest {
    static final CertificateAuthority CA = PolicyCerts.authority("CN=WebPKI Test CA");
    static final WebPkiTrust TRUST = WebPkiTrust.of(List.of(CA.root()));
    static final MtaStsPolicy ENFORCE = new MtaStsPolicy(MtaStsMode.ENFORCE, List.of("*.example.test"), 86400);
    static final MtaStsPolicy TESTING = new MtaStsPolicy(MtaStsMode.TESTING, List.of("*.example.test"), 86400);

    @Test
    void aLeafOfATrustedCaForTheMxNameIsAccepted() throws Exception {
        IssuedCertificate cert = PolicyCerts.leaf(CA, "mx.example.test");
        TRUST.verify(chainWithoutRoot(cert), "mx.example.test", Instant.now());
        TRUST.verify(chainWithRoot(cert), "MX.example.test.", Instant.now());
    }

    @Test
    void aWildcardCertificateCoversOneLabel() throws Exception {
        IssuedCertificate cert = PolicyCerts.leaf(CA, "*.example.test");
        TRUST.verify(chainWithoutRoot(cert), "mx.example.test", Instant.now());
        assertThatThrownBy(() -> TRUST.verify(chainWithoutRoot(cert), "a.mx.example.test", Instant.now()))
                .isInstanceOf(CertificateException.class);
    }

    @Test
    void aCertificateForAnotherNameIsRefused() {
        IssuedCertificate cert = PolicyCerts.leaf(CA, "other.example.test");
        assertThatThrownBy(() -> TRUST.verify(chainWithoutRoot(cert), "mx.example.test", Instant.now()))
                .isInstanceOf(CertificateException.class).hasMessageContaining("not mx.example.test");
    }

    @Test
    void aCertificateOfAnUntrustedCaIsRefused() {
        IssuedCertificate cert = PolicyCerts.leaf(PolicyCerts.authority("CN=Stranger"), "mx.example.test");
        assertThatThrownBy(() -> TRUST.verify(chainWithRoot(cert), "mx.example.test", Instant.now()))
                .isInstanceOf(CertificateException.class).hasMessageContaining("no valid path");
    }

    @Test
    void anExpiredCertificateIsRefused() {
        CertificateAuthority past = TestPki.pastAuthority();
        IssuedCertificate expired = TestPki.expiredLeaf(past);
        WebPkiTrust trust = WebPkiTrust.of(List.of(past.root()));
        assertThatThrownBy(() -> trust.verify(chainWithoutRoot(expired), TestPki.HOST, Instant.now()))
                .isInstanceOf(CertificateException.class);
    }

    @Test
    void enforceRefusesWhatTestingOnlyLogs() {
        IssuedCertificate wrong = PolicyCerts.leaf(CA, "other.example.test");
        MtaStsHostPolicy enforce = new MtaStsHostPolicy("example.test", ENFORCE, TRUST, Clock.systemUTC());
        MtaStsHostPolicy testing = new MtaStsHostPolicy("example.test", TESTING, TRUST, Clock.systemUTC());
        assertThat(enforce.tlsRequired()).isTrue();
        assertThat(testing.tlsRequired()).isFalse();
        assertThatThrownBy(() -> enforce.verify(chainWithoutRoot(wrong), "mx.example.test"))
                .hasMessageContaining("MTA-STS enforce (example.test)");
        assertThatCode(() -> testing.verify(chainWithoutRoot(wrong), "mx.example.test")).doesNotThrowAnyException();
    }

    @Test
    void theExtraCaFileIsTrustedBesideTheJdkCas(@TempDir Path dir) throws Exception {
        Path pem = dir.resolve("ca.crt");
        Files.writeString(pem, CA.certificatePem());
        WebPkiTrust loaded = WebPkiTrust.load(pem);
        assertThat(loaded.anchors().size()).as("the JDK's CAs plus ours").isGreaterThan(1);
        loaded.verify(chainWithoutRoot(PolicyCerts.leaf(CA, "mx.example.test")), "mx.example.test", Instant.now());
    }

    @Test
    void anExtraCaFileWithoutCertificatesIsAClearError(@TempDir Path dir) throws Exception {
        Path pem = dir.resolve("empty.crt");
        Files.writeString(pem, "");
        assertThatThrownBy(() -> WebPkiTrust.load(pem)).hasMessageContaining("no certificate");
    }
}
