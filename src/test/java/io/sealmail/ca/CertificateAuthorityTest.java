package io.sealmail.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CertificateAuthorityTest {
    static final Instant NOW = Instant.parse("2026-01-15T10:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    @ParameterizedTest(name = "a {0} CA is a self-signed root with the critical CA extensions")
    @EnumSource(KeyAlgorithm.class)
    void caProfile(KeyAlgorithm key) throws Exception {
        CertificateAuthority ca = CertificateAuthority.create(CaSpec.defaults().withKey(key), CLOCK);
        X509Certificate c = ca.certificate();
        assertThat(KeyAlgorithm.of(c.getPublicKey())).isEqualTo(key);
        assertThat(c.getSubjectX500Principal().getName()).isEqualTo("CN=Sealmail CA");
        assertThat(c.getIssuerX500Principal()).isEqualTo(c.getSubjectX500Principal());
        c.verify(c.getPublicKey());
        assertThat(c.getBasicConstraints()).isZero(); // CA:true, pathLen 0
        assertThat(c.getCriticalExtensionOIDs()).contains("2.5.29.19", "2.5.29.15");
        boolean[] ku = c.getKeyUsage();
        assertThat(ku[5]).as("keyCertSign").isTrue();
        assertThat(ku[6]).as("cRLSign").isTrue();
        assertThat(ku[0]).as("digitalSignature").isFalse();
        assertThat(CertificateAuthority.subjectKeyIdentifier(c)).hasSize(20);
        assertThat(CertificateAuthority.authorityKeyIdentifier(c)).isEqualTo(CertificateAuthority.subjectKeyIdentifier(c));
        assertThat(c.getNotBefore().toInstant()).isEqualTo(NOW.minus(Duration.ofMinutes(5)));
        assertThat(c.getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofDays(3650)));
        assertThat(c.getSigAlgName()).isEqualTo(key.signatureAlgorithm());
    }

    @Test
    @DisplayName("subject and validity of a CA are configurable")
    void caSubjectAndValidity() {
        CertificateAuthority ca = CertificateAuthority.create(
                new CaSpec("CN=Example Mail CA,O=Example,C=DE", KeyAlgorithm.ECDSA_P256, Duration.ofDays(30)), CLOCK);
        assertThat(ca.certificate().getSubjectX500Principal().getName()).isEqualTo("CN=Example Mail CA,O=Example,C=DE");
        assertThat(ca.certificate().getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofDays(30)));
    }

    @Test
    @DisplayName("a CA subject that is not an X.500 name is refused with the expected form")
    void badSubject() {
        assertThatThrownBy(() -> CertificateAuthority.create(CaSpec.defaults().withSubject("just words"), CLOCK))
                .isInstanceOf(CaException.class)
                .hasMessageStartingWith("invalid subject \"just words\": ")
                .hasMessageEndingWith("(expected RFC 4514 form, e.g. \"CN=Sealmail CA,O=Example\")");
        assertThatThrownBy(() -> CertificateAuthority.create(CaSpec.defaults().withSubject("XYZ=foo"), CLOCK))
                .isInstanceOf(CaException.class).hasMessageStartingWith("invalid subject \"XYZ=foo\": ");
    }

    @Test
    @DisplayName("serials are positive, at most 128 bits, and differ between certificates")
    void serials() {
        CertificateAuthority ca = CertificateAuthority.create(CaSpec.defaults(), CLOCK);
        Set<BigInteger> seen = new HashSet<>();
        int wide = 0;
        for (int i = 0; i < 200; i++) {
            BigInteger s = ca.issue(LeafSpec.of(List.of("a.example.com"), List.of())).leaf().getSerialNumber();
            assertThat(s.signum()).isPositive();
            assertThat(s.bitLength()).isLessThanOrEqualTo(128);
            if (s.bitLength() > 120) {
                wide++;
            }
            seen.add(s);
        }
        assertThat(seen).hasSize(200);
        assertThat(wide).as("random 128-bit serials are almost always wider than 120 bits").isGreaterThan(190);
    }

    @ParameterizedTest(name = "a {0} leaf has SAN, serverAuth, the right key usage and key identifiers")
    @EnumSource(KeyAlgorithm.class)
    void leafProfile(KeyAlgorithm key) throws Exception {
        CertificateAuthority ca = CertificateAuthority.create(CaSpec.defaults(), CLOCK);
        IssuedCertificate issued = ca.issue(
                LeafSpec.of(List.of("Mail.Example.com", "*.mail.example.com"), List.of("192.0.2.7", "2001:DB8::1"))
                        .withKey(key));
        X509Certificate leaf = issued.leaf();
        leaf.verify(ca.certificate().getPublicKey());
        assertThat(KeyAlgorithm.of(leaf.getPublicKey())).isEqualTo(key);
        assertThat(leaf.getSubjectX500Principal().getName()).isEqualTo("CN=mail.example.com");
        assertThat(leaf.getIssuerX500Principal()).isEqualTo(ca.certificate().getSubjectX500Principal());
        List<String> san = new ArrayList<>();
        for (List<?> e : leaf.getSubjectAlternativeNames()) {
            san.add(e.get(0) + ":" + e.get(1));
        }
        assertThat(san).containsExactly("2:mail.example.com", "2:*.mail.example.com", "7:192.0.2.7",
                "7:2001:db8:0:0:0:0:0:1");
        assertThat(leaf.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
        boolean[] ku = leaf.getKeyUsage();
        assertThat(ku[0]).as("digitalSignature").isTrue();
        assertThat(ku[2]).as("keyEncipherment only for RSA").isEqualTo(key.isRsa());
        assertThat(ku[5]).as("keyCertSign").isFalse();
        assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
        assertThat(leaf.getCriticalExtensionOIDs()).contains("2.5.29.15", "2.5.29.19").doesNotContain("2.5.29.17");
        assertThat(CertificateAuthority.authorityKeyIdentifier(leaf))
                .isEqualTo(CertificateAuthority.subjectKeyIdentifier(ca.certificate()));
        assertThat(CertificateAuthority.subjectKeyIdentifier(leaf))
                .isEqualTo(CertificateAuthority.keyIdentifier(leaf.getPublicKey()));
        assertThat(leaf.getNotBefore().toInstant()).isEqualTo(NOW.minus(Duration.ofMinutes(5)));
        assertThat(leaf.getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofDays(90)));
        assertThat(CertificateAuthority.keyMatches(issued.privateKey(), leaf.getPublicKey())).isTrue();
    }

    @Test
    @DisplayName("a leaf never outlives its CA")
    void leafCappedAtCaExpiry() {
        CertificateAuthority ca = CertificateAuthority.create(CaSpec.defaults().withValidity(Duration.ofDays(10)), CLOCK);
        X509Certificate leaf = ca.issue(LeafSpec.of(List.of("a.example.com"), List.of())).leaf();
        assertThat(leaf.getNotAfter()).isEqualTo(ca.certificate().getNotAfter());
    }

    @Test
    @DisplayName("a leaf with only an IP address carries it in the SAN and as CN")
    void ipOnlyLeaf() throws Exception {
        CertificateAuthority ca = CertificateAuthority.create(CaSpec.defaults(), CLOCK);
        X509Certificate leaf = ca.issue(LeafSpec.of(List.of(), List.of("10.0.0.1"))).leaf();
        assertThat(leaf.getSubjectAlternativeNames()).containsExactly(List.of(7, "10.0.0.1"));
    }

    @Test
    @DisplayName("a leaf whose first name is longer than 64 characters has an empty subject and a critical SAN")
    void longNameLeaf() {
        CertificateAuthority ca = CertificateAuthority.create(CaSpec.defaults(), CLOCK);
        String name = "a".repeat(60) + ".example.com";
        X509Certificate leaf = ca.issue(LeafSpec.of(List.of(name), List.of())).leaf();
        assertThat(leaf.getSubjectX500Principal().getName()).isEmpty();
        assertThat(leaf.getCriticalExtensionOIDs()).contains("2.5.29.17");
    }

    @Test
    @DisplayName("a leaf without any name is refused")
    void noNames() {
        CertificateAuthority ca = CertificateAuthority.create(CaSpec.defaults(), CLOCK);
        assertThatThrownBy(() -> ca.issue(LeafSpec.of(List.of(), List.of())))
                .isInstanceOf(CaException.class)
                .hasMessage("a certificate needs at least one DNS name or IP address");
    }

    @ParameterizedTest(name = "Java PKIX validation accepts a {0} leaf chained to its CA")
    @EnumSource(KeyAlgorithm.class)
    void pkixValidation(KeyAlgorithm caKey) throws Exception {
        Clock real = Clock.systemUTC();
        CertificateAuthority ca = CertificateAuthority.create(CaSpec.defaults().withKey(caKey), real);
        IssuedCertificate issued = ca.issue(LeafSpec.of(List.of("mail.example.com"), List.of()).withKey(caKey));
        List<X509Certificate> chain = Pem.readCertificates(issued.tlsCrtPem());
        assertThat(chain).hasSize(1);
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(Pem.readCertificate(issued.caCrtPem()), null)));
        params.setRevocationEnabled(false);
        params.setDate(new Date());
        CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(chain), params);
    }

    @Test
    @DisplayName("Java PKIX validation refuses a leaf from another CA")
    void pkixRejectsOtherCa() throws Exception {
        Clock real = Clock.systemUTC();
        CertificateAuthority ca = CertificateAuthority.create(CaSpec.defaults(), real);
        CertificateAuthority other = CertificateAuthority.create(CaSpec.defaults(), real);
        IssuedCertificate issued = other.issue(LeafSpec.of(List.of("mail.example.com"), List.of()));
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(ca.certificate(), null)));
        params.setRevocationEnabled(false);
        assertThatThrownBy(() -> CertPathValidator.getInstance("PKIX").validate(
                CertificateFactory.getInstance("X.509").generateCertPath(List.of(issued.leaf())), params))
                .isInstanceOf(java.security.cert.CertPathValidatorException.class);
    }

    @Test
    @DisplayName("PEM written by the CA reads back to the same certificates and keys")
    void pemRoundTrip() throws Exception {
        CertificateAuthority ca = CertificateAuthority.create(CaSpec.defaults(), CLOCK);
        CertificateAuthority loaded = CertificateAuthority.fromPem(ca.certificatePem(), ca.privateKeyPem(), CLOCK);
        assertThat(loaded.certificate()).isEqualTo(ca.certificate());
        assertThat(ca.privateKeyPem()).startsWith("-----BEGIN PRIVATE KEY-----\n").endsWith("-----END PRIVATE KEY-----\n");
        IssuedCertificate issued = loaded.issue(LeafSpec.of(List.of("a.example.com"), List.of()));
        issued.leaf().verify(ca.certificate().getPublicKey());
        assertThat(Pem.readCertificates(issued.tlsCrtPem())).containsExactly(issued.leaf());
        assertThat(Pem.readCertificates(issued.caCrtPem())).containsExactly(ca.certificate());
        assertThat(Pem.readPrivateKey(issued.tlsKeyPem())).isEqualTo(issued.privateKey());
    }

    @Test
    @DisplayName("one CA issues from several threads at once, and every leaf verifies with a distinct serial and key")
    void concurrentIssue() throws Exception {
        CertificateAuthority ca = CertificateAuthority.create(CaSpec.defaults(), CLOCK);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<IssuedCertificate>> futures = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                String name = "host" + i + ".example.com";
                futures.add(pool.submit(() -> ca.issue(LeafSpec.of(List.of(name), List.of()))));
            }
            Set<BigInteger> serials = new HashSet<>();
            Set<java.security.PublicKey> keys = new HashSet<>();
            for (int i = 0; i < futures.size(); i++) {
                IssuedCertificate issued = futures.get(i).get();
                issued.leaf().verify(ca.certificate().getPublicKey());
                assertThat(issued.leaf().getSubjectAlternativeNames()).containsExactly(List.of(2, "host" + i + ".example.com"));
                assertThat(CertificateAuthority.keyMatches(issued.privateKey(), issued.leaf().getPublicKey())).isTrue();
                serials.add(issued.leaf().getSerialNumber());
                keys.add(issued.leaf().getPublicKey());
            }
            assertThat(serials).hasSize(100);
            assertThat(keys).hasSize(100);
        } finally {
            pool.shutdownNow();
        }
    }
}
