package io.sealmail.engine.delivery.policy;

import io.sealmail.ca.CertificateAuthority;
import io.sealmail.ca.IssuedCertificate;
import io.sealmail.engine.tls.TestPki;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Record;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.sealmail.engine.delivery.policy.PolicyCerts.association;
import static io.sealmail.engine.delivery.policy.PolicyCerts.chainWithRoot;
import static io.sealmail.engine.delivery.policy.PolicyCerts.chainWithoutRoot;
import static io.sealmail.engine.delivery.policy.PolicyCerts.tlsa;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DaneHostPolicyTest {
    static final String MX = "mx.example.test";
    static final CertificateAuthority CA = PolicyCerts.authority("CN=DANE Test CA");
    static final CertificateAuthority OTHER_CA = PolicyCerts.authority("CN=Other CA");
    static final IssuedCertificate SERVER = PolicyCerts.leaf(CA, MX);

    static DaneHostPolicy policy(Record... records) {
        return new DaneHostPolicy(Tlsa.usable(List.of(records)), List.of(MX, "example.test"), Clock.systemUTC());
    }

    @Test
    void daneEeWithEverySelectorAndMatchingTypeAcceptsItsKey() throws Exception {
        for (int selector = 0; selector <= 1; selector++) {
            for (int matching = 0; matching <= 2; matching++) {
                policy(tlsa(MX, 3, selector, matching, SERVER.leaf())).verify(chainWithRoot(SERVER), MX);
            }
        }
    }

    @Test
    void daneEeRefusesAnotherKey() {
        IssuedCertificate other = PolicyCerts.leaf(CA, MX);
        assertThatThrownBy(() -> policy(tlsa(MX, 3, 1, 1, other.leaf())).verify(chainWithRoot(SERVER), MX))
                .isInstanceOf(CertificateException.class).hasMessageContaining("no TLSA record matches");
    }

    @Test
    void daneEeIgnoresNamesIssuersAndExpiry() throws Exception {
        // RFC 7672 §3.1.1: with DANE-EE the key is all that counts
        CertificateAuthority past = TestPki.pastAuthority();
        IssuedCertificate expired = TestPki.expiredLeaf(past); // named mail.example.test, expired, unknown CA
        policy(tlsa(MX, 3, 1, 1, expired.leaf())).verify(new X509Certificate[] {expired.leaf()}, MX);
    }

    @Test
    void daneTaAcceptsALeafOfThatCaCarryingTheMxName() throws Exception {
        policy(tlsa(MX, 2, 1, 1, CA.root())).verify(chainWithRoot(SERVER), MX);
        policy(tlsa(MX, 2, 0, 2, CA.root())).verify(chainWithRoot(SERVER), MX);
    }

    @Test
    void daneTaAcceptsTheNextHopDomainAsName() throws Exception {
        IssuedCertificate named = PolicyCerts.leaf(CA, "example.test");
        policy(tlsa(MX, 2, 1, 1, CA.root())).verify(chainWithRoot(named), MX);
    }

    @Test
    void daneTaRefusesALeafForAnotherName() {
        IssuedCertificate wrongName = PolicyCerts.leaf(CA, "other.example.org");
        assertThatThrownBy(() -> policy(tlsa(MX, 2, 1, 1, CA.root())).verify(chainWithRoot(wrongName), MX))
                .isInstanceOf(CertificateException.class).hasMessageContaining("other.example.org");
    }

    @Test
    void daneTaRefusesALeafOfAnotherCaThatPresentsTheTrustAnchor() {
        // the attacker's chain carries the right root but its leaf was not signed by it
        IssuedCertificate forged = PolicyCerts.leaf(OTHER_CA, MX);
        X509Certificate[] chain = {forged.leaf(), CA.root()};
        assertThatThrownBy(() -> policy(tlsa(MX, 2, 1, 1, CA.root())).verify(chain, MX))
                .isInstanceOf(CertificateException.class).hasMessageContaining("trust-anchor match failed");
    }

    @Test
    void daneTaNeedsTheTrustAnchorInTheChain() {
        // RFC 7672 §3.1.2: the server must send the TA certificate; we do not keep a copy of it
        assertThatThrownBy(() -> policy(tlsa(MX, 2, 1, 1, CA.root())).verify(chainWithoutRoot(SERVER), MX))
                .isInstanceOf(CertificateException.class);
    }

    @Test
    void daneTaRefusesAnExpiredLeaf() {
        CertificateAuthority past = TestPki.pastAuthority();
        IssuedCertificate expired = TestPki.expiredLeaf(past);
        assertThatThrownBy(() -> new DaneHostPolicy(Tlsa.usable(List.of(tlsa(MX, 2, 1, 1, past.root()))),
                List.of(TestPki.HOST), Clock.systemUTC()).verify(chainWithRoot(expired), TestPki.HOST))
                .isInstanceOf(CertificateException.class).hasMessageContaining("trust-anchor match failed");
    }

    @Test
    void daneTaMatchingTheLeafItselfIsNotATrustAnchor() {
        assertThatThrownBy(() -> policy(tlsa(MX, 2, 1, 1, SERVER.leaf())).verify(chainWithRoot(SERVER), MX))
                .isInstanceOf(CertificateException.class);
    }

    @Test
    void pkixUsagesAreUnusableForSmtpSoOnlyTlsIsRequired() throws Exception {
        // RFC 7672 §3.1.3: PKIX-TA(0) and PKIX-EE(1) are not used; with nothing usable, TLS is still required
        DaneHostPolicy p = policy(tlsa(MX, 0, 0, 1, OTHER_CA.root()), tlsa(MX, 1, 1, 1, OTHER_CA.root()));
        assertThat(p.authenticates()).isFalse();
        assertThat(p.tlsRequired()).isTrue();
        assertThat(p.kind()).isEqualTo(io.sealmail.engine.delivery.policy.PolicyKind.DANE);
        assertThatCode(() -> p.verify(chainWithRoot(PolicyCerts.leaf(OTHER_CA, "anything.test")), MX)).doesNotThrowAnyException();
    }

    @Test
    void unusableRecordsBesideAUsableOneAreIgnored() throws Exception {
        DaneHostPolicy p = policy(tlsa(MX, 1, 1, 1, OTHER_CA.root()), tlsa(MX, 3, 1, 1, SERVER.leaf()));
        p.verify(chainWithRoot(SERVER), MX);
        assertThatThrownBy(() -> p.verify(chainWithRoot(PolicyCerts.leaf(CA, MX)), MX)).isInstanceOf(CertificateException.class);
    }

    @Test
    void digestsOfTheWrongLengthAreUnusable() {
        byte[] sha256 = association(1, 1, SERVER.leaf());
        List<Tlsa> usable = Tlsa.usable(List.of(
                tlsa(MX, 3, 1, 1, Arrays.copyOf(sha256, 31)),    // one octet short
                tlsa(MX, 3, 1, 1, Arrays.copyOf(sha256, 33)),    // one too many
                tlsa(MX, 3, 1, 2, sha256),                       // a SHA-256 value labelled SHA-512
                tlsa(MX, 3, 1, 3, sha256),                       // unknown matching type
                tlsa(MX, 3, 2, 1, sha256),                       // unknown selector
                tlsa(MX, 4, 1, 1, sha256)));                     // unknown usage
        assertThat(usable).isEmpty();
    }

    @Test
    void hexThatIsNotHexNeverBecomesARecord() {
        assertThatThrownBy(() -> Record.fromString(org.xbill.DNS.Name.fromString("_25._tcp." + MX + "."),
                org.xbill.DNS.Type.TLSA, org.xbill.DNS.DClass.IN, 300, "3 1 1 zz00ff", org.xbill.DNS.Name.root))
                .isInstanceOf(org.xbill.DNS.TextParseException.class);
    }

    @Test
    void aHundredRecordsAreAllConsideredAndTheLastMayMatch() throws Exception {
        List<Record> records = new ArrayList<>();
        for (int i = 0; i < 99; i++) {
            byte[] digest = association(1, 1, SERVER.leaf());
            digest[i % digest.length] ^= (byte) (1 + i); // each one a near miss
            records.add(tlsa(MX, i % 2 == 0 ? 3 : 2, 1, 1, digest));
        }
        assertThatThrownBy(() -> policy(records.toArray(Record[]::new)).verify(chainWithRoot(SERVER), MX))
                .hasMessageContaining("99 usable records");
        records.add(tlsa(MX, 3, 1, 1, SERVER.leaf()));
        policy(records.toArray(Record[]::new)).verify(chainWithRoot(SERVER), MX);
    }

    @Test
    void anEmptyChainIsRefused() {
        assertThatThrownBy(() -> policy(tlsa(MX, 3, 1, 1, SERVER.leaf())).verify(new X509Certificate[0], MX))
                .isInstanceOf(CertificateException.class).hasMessageContaining("no certificate");
    }
}
