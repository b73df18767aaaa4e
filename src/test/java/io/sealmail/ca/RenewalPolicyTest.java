package io.sealmail.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.sealmail.ca.RenewalDecision.Reason;

class RenewalPolicyTest {
    static final Instant ISSUED = Instant.parse("2026-03-01T12:00:00Z");
    static final Clock AT_ISSUE = Clock.fixed(ISSUED, ZoneOffset.UTC);
    static final CertificateAuthority CA = CertificateAuthority.create(CaSpec.defaults(), AT_ISSUE);
    /** Same subject, different key: only the key identifier and signature tell them apart. */
    static final CertificateAuthority TWIN = CertificateAuthority.create(CaSpec.defaults(), AT_ISSUE);
    static final CertificateAuthority OTHER = CertificateAuthority.create(CaSpec.defaults().withSubject("CN=Other CA"), AT_ISSUE);

    static final List<String> DNS = List.of("mail.example.com", "*.mail.example.com");
    static final List<String> IPS = List.of("192.0.2.1", "2001:db8::1");
    static final LeafSpec WANTED = LeafSpec.of(DNS, IPS);
    static final IssuedCertificate LEAF = CA.issue(WANTED);
    static final byte[] TLS_CRT = LEAF.tlsCrtPem().getBytes(StandardCharsets.US_ASCII);
    /** notBefore is 5 minutes before issue, so the lifetime is 90 days and 5 minutes; a third of it is 30d 100s. */
    static final Instant RENEWAL = LEAF.leaf().getNotAfter().toInstant().minus(Duration.ofDays(30).plusSeconds(100));

    static Clock at(Instant t) {
        return Clock.fixed(t, ZoneOffset.UTC);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static Stream<Arguments> decisions() {
        RenewalPolicy now = new RenewalPolicy(AT_ISSUE);
        String pem = LEAF.tlsCrtPem();
        return Stream.of(
                Arguments.of("no certificate at all is missing", now, null, WANTED, CA, Reason.MISSING, null),
                Arguments.of("empty bytes are missing", now, new byte[0], WANTED, CA, Reason.MISSING, null),
                Arguments.of("random bytes are unparseable", now, bytes("\u0001hello"), WANTED, CA, Reason.UNPARSEABLE, null),
                Arguments.of("a truncated PEM is unparseable", now, bytes(pem.substring(0, pem.length() / 2)), WANTED, CA,
                        Reason.UNPARSEABLE, null),
                Arguments.of("a PEM block with broken contents is unparseable", now,
                        bytes("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), WANTED, CA, Reason.UNPARSEABLE, null),
                Arguments.of("a private key where the certificate belongs is unparseable", now, bytes(LEAF.tlsKeyPem()), WANTED, CA,
                        Reason.UNPARSEABLE, null),
                Arguments.of("a fresh leaf with the wanted names is valid", now, TLS_CRT, WANTED, CA, Reason.VALID, RENEWAL),
                Arguments.of("the same names in another order and case are still valid", now, TLS_CRT,
                        LeafSpec.of(List.of("*.MAIL.example.com", "Mail.Example.COM"), List.of("2001:DB8:0:0::1", "192.0.2.1")),
                        CA, Reason.VALID, RENEWAL),
                Arguments.of("a repeated name is still the same set", now, TLS_CRT,
                        LeafSpec.of(List.of("mail.example.com", "*.mail.example.com", "mail.example.com"), IPS), CA,
                        Reason.VALID, RENEWAL),
                Arguments.of("one second before the renewal time the leaf is still valid", new RenewalPolicy(at(RENEWAL.minusSeconds(1))),
                        TLS_CRT, WANTED, CA, Reason.VALID, RENEWAL),
                Arguments.of("at the renewal time the leaf is expiring", new RenewalPolicy(at(RENEWAL)), TLS_CRT, WANTED, CA,
                        Reason.EXPIRING, RENEWAL),
                Arguments.of("an expired leaf is expiring", new RenewalPolicy(at(ISSUED.plus(Duration.ofDays(400)))), TLS_CRT, WANTED,
                        CA, Reason.EXPIRING, RENEWAL),
                Arguments.of("with renewBefore 7 days a leaf 60 days old is still valid",
                        new RenewalPolicy(at(ISSUED.plus(Duration.ofDays(60))), Duration.ofDays(7)), TLS_CRT, WANTED, CA, Reason.VALID,
                        ISSUED.plus(Duration.ofDays(83))),
                Arguments.of("with renewBefore 7 days a leaf 83 days old is expiring",
                        new RenewalPolicy(at(ISSUED.plus(Duration.ofDays(83))), Duration.ofDays(7)), TLS_CRT, WANTED, CA,
                        Reason.EXPIRING, ISSUED.plus(Duration.ofDays(83))),
                Arguments.of("a renewBefore longer than the lifetime falls back to two thirds",
                        new RenewalPolicy(AT_ISSUE, Duration.ofDays(365)), TLS_CRT, WANTED, CA, Reason.VALID, RENEWAL),
                Arguments.of("an added DNS name is a names change", now, TLS_CRT,
                        LeafSpec.of(List.of("mail.example.com", "*.mail.example.com", "imap.example.com"), IPS), CA,
                        Reason.NAMES_CHANGED, RENEWAL),
                Arguments.of("a removed IP address is a names change", now, TLS_CRT, LeafSpec.of(DNS, List.of("192.0.2.1")), CA,
                        Reason.NAMES_CHANGED, RENEWAL),
                Arguments.of("a DNS name moved to an IP address is a names change", now, TLS_CRT,
                        LeafSpec.of(List.of("mail.example.com", "*.mail.example.com", "192.0.2.1"), List.of("2001:db8::1")), CA,
                        Reason.NAMES_CHANGED, RENEWAL),
                Arguments.of("a wanted RSA key is a key algorithm change", now, TLS_CRT, WANTED.withKey(KeyAlgorithm.RSA_2048), CA,
                        Reason.KEY_ALGORITHM_CHANGED, RENEWAL),
                Arguments.of("a leaf checked against a CA of the same name but another key is from another issuer", now, TLS_CRT,
                        WANTED, TWIN, Reason.OTHER_ISSUER, RENEWAL),
                Arguments.of("a leaf checked against a CA of another name is from another issuer", now, TLS_CRT, WANTED, OTHER,
                        Reason.OTHER_ISSUER, RENEWAL),
                Arguments.of("another issuer is reported before changed names", now, TLS_CRT, LeafSpec.of(List.of("x.example.com"), IPS),
                        TWIN, Reason.OTHER_ISSUER, RENEWAL),
                Arguments.of("changed names are reported before expiry", new RenewalPolicy(at(RENEWAL)), TLS_CRT,
                        LeafSpec.of(List.of("x.example.com"), IPS), CA, Reason.NAMES_CHANGED, RENEWAL),
                Arguments.of("a tls.crt with a chain after the leaf is judged by its leaf", now,
                        bytes(pem + Pem.certificates(CA.certificate())), WANTED, CA, Reason.VALID, RENEWAL));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("decisions")
    void decides(String sentence, RenewalPolicy policy, byte[] current, LeafSpec wanted, CertificateAuthority issuer,
                 Reason reason, Instant renewalTime) {
        RenewalDecision d = policy.decide(current, wanted, issuer.certificate());
        assertThat(d.reason()).isEqualTo(reason);
        assertThat(d.reissue()).isEqualTo(reason != Reason.VALID);
        assertThat(d.renewalTime()).isEqualTo(renewalTime);
    }

    @Test
    @DisplayName("a leaf whose wanted key changed to ECDSA from RSA is a key algorithm change")
    void rsaToEcdsa() {
        IssuedCertificate rsa = CA.issue(WANTED.withKey(KeyAlgorithm.RSA_2048));
        RenewalDecision d = new RenewalPolicy(AT_ISSUE).decide(bytes(rsa.tlsCrtPem()), WANTED, CA.certificate());
        assertThat(d.reason()).isEqualTo(Reason.KEY_ALGORITHM_CHANGED);
        RenewalDecision same = new RenewalPolicy(AT_ISSUE).decide(bytes(rsa.tlsCrtPem()), WANTED.withKey(KeyAlgorithm.RSA_2048),
                CA.certificate());
        assertThat(same.reason()).isEqualTo(Reason.VALID);
    }

    @Test
    @DisplayName("the same inputs always give the same decision")
    void deterministic() {
        RenewalPolicy policy = new RenewalPolicy(at(RENEWAL.minusSeconds(1)));
        RenewalDecision first = policy.decide(TLS_CRT, WANTED, CA.certificate());
        for (int i = 0; i < 100; i++) {
            assertThat(policy.decide(TLS_CRT, WANTED, CA.certificate())).isEqualTo(first);
        }
    }

    @Test
    @DisplayName("a renewBefore that is not positive is refused")
    void badRenewBefore() {
        assertThatThrownBy(() -> new RenewalPolicy(AT_ISSUE, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("the CA's own certificate in tls.crt is not a valid leaf for the wanted names")
    void caCertificateAsLeaf() {
        X509Certificate ca = CA.certificate();
        RenewalDecision d = new RenewalPolicy(AT_ISSUE).decide(bytes(Pem.certificates(ca)), WANTED, ca);
        assertThat(d.reissue()).isTrue();
        assertThat(d.reason()).isEqualTo(Reason.NAMES_CHANGED);
    }
}
