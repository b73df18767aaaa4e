package io.sealmail.engine.delivery.policy;

import io.sealmail.ca.CertificateAuthority;
import io.sealmail.ca.IssuedCertificate;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

import java.security.cert.CertificateException;
import java.time.Clock;
import java.util.List;

import static io.sealmail.engine.delivery.policy.PolicyCerts.chainWithRoot;
import static io.sealmail.engine.delivery.policy.PolicyCerts.tlsa;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PublishedPoliciesTest {
    static final CertificateAuthority CA = PolicyCerts.authority("CN=Published Policies CA");
    static final IssuedCertificate MX_CERT = PolicyCerts.leaf(CA, "mx.example.test");
    static final String ENFORCE = "version: STSv1\nmode: enforce\nmx: mx.example.test\nmax_age: 86400\n";

    final FakeDns dns = new FakeDns();
    volatile String policyBody = ENFORCE;

    PublishedPolicies policies(boolean dane) {
        MtaStsResolver sts = new MtaStsResolver(dns, domain -> policyBody, null, Clock.systemUTC());
        return new PublishedPolicies(dns, sts, WebPkiTrust.of(List.of(CA.root())), dane, Clock.systemUTC());
    }

    FakeDns withSts() {
        return dns.txt("_mta-sts.example.test", "v=STSv1; id=1;");
    }

    @Test
    void withoutAnyPolicyDeliveryIsOpportunistic() throws Exception {
        DomainPolicy p = policies(true).forDomain("example.test", List.of("mx.example.test"), false);
        assertThat(p.permits("anything.example.org")).isTrue();
        assertThat(p.forHost("mx.example.test")).isSameAs(HostPolicy.OPPORTUNISTIC);
    }

    @Test
    void enforceRefusesAnMxOutsideThePolicyAndRequiresAValidCertificateOnTheOthers() throws Exception {
        withSts();
        DomainPolicy p = policies(true).forDomain("example.test", List.of("mx.example.test", "backup.example.org"), false);
        assertThat(p.permits("backup.example.org")).isFalse();
        assertThat(p.permits("mx.example.test")).isTrue();
        HostPolicy host = p.forHost("mx.example.test");
        assertThat(host.kind()).isEqualTo(PolicyKind.MTA_STS);
        assertThat(host.tlsRequired()).isTrue();
        host.verify(chainWithRoot(MX_CERT), "mx.example.test");
        assertThatThrownBy(() -> host.verify(chainWithRoot(PolicyCerts.leaf(CA, "other.example.test")), "mx.example.test"))
                .isInstanceOf(CertificateException.class);
    }

    @Test
    void testingPermitsAnMxOutsideThePolicy() throws Exception {
        withSts();
        policyBody = ENFORCE.replace("enforce", "testing");
        DomainPolicy p = policies(true).forDomain("example.test", List.of("backup.example.org"), false);
        assertThat(p.permits("backup.example.org")).isTrue();
        assertThat(p.forHost("backup.example.org").tlsRequired()).isFalse();
    }

    @Test
    void modeNoneIsNoPolicy() throws Exception {
        withSts();
        policyBody = "version: STSv1\nmode: none\nmax_age: 86400\n";
        DomainPolicy p = policies(true).forDomain("example.test", List.of("backup.example.org"), false);
        assertThat(p.permits("backup.example.org")).isTrue();
        assertThat(p.forHost("backup.example.org")).isSameAs(HostPolicy.OPPORTUNISTIC);
    }

    @Test
    void daneTakesPrecedenceOverMtaSts() throws Exception {
        withSts().answer("_25._tcp.backup.example.org", Type.TLSA, true, tlsa("backup.example.org", 3, 1, 1, MX_CERT.leaf()));
        DomainPolicy p = policies(true).forDomain("example.test", List.of("backup.example.org"), true);
        assertThat(p.permits("backup.example.org")).as("outside the MTA-STS policy, but DANE-authenticated").isTrue();
        HostPolicy host = p.forHost("backup.example.org");
        assertThat(host.kind()).isEqualTo(PolicyKind.DANE);
        host.verify(chainWithRoot(MX_CERT), "backup.example.org");
    }

    @Test
    void tlsaRecordsAreNotLookedUpWhenTheMxAnswerWasInsecure() throws Exception {
        dns.answer("_25._tcp.mx.example.test", Type.TLSA, true, tlsa("mx.example.test", 3, 1, 1, MX_CERT.leaf()));
        DomainPolicy p = policies(true).forDomain("example.test", List.of("mx.example.test"), false);
        assertThat(p.forHost("mx.example.test")).isSameAs(HostPolicy.OPPORTUNISTIC);
        assertThat(dns.asked).noneMatch(q -> q.endsWith("/TLSA"));
    }

    @Test
    void daneSwitchedOffLooksUpNoTlsa() throws Exception {
        dns.answer("_25._tcp.mx.example.test", Type.TLSA, true, tlsa("mx.example.test", 3, 1, 1, MX_CERT.leaf()));
        assertThat(policies(false).forDomain("example.test", List.of("mx.example.test"), true).forHost("mx.example.test"))
                .isSameAs(HostPolicy.OPPORTUNISTIC);
        assertThat(dns.asked).noneMatch(q -> q.endsWith("/TLSA"));
    }

    @Test
    void aFailedTlsaLookUpDefers() {
        dns.fail("_25._tcp.mx.example.test", Type.TLSA);
        DomainPolicy p = policies(true).forDomain("example.test", List.of("mx.example.test"), true);
        assertThatThrownBy(() -> p.forHost("mx.example.test")).isInstanceOf(PolicyTemporaryException.class)
                .hasMessageContaining("_25._tcp.mx.example.test");
    }

    @Test
    void aTlsaAnswerWithAnErrorCodeDefers() {
        io.sealmail.engine.delivery.dns.DnsLookup refusing =
                (name, type) -> new io.sealmail.engine.delivery.dns.DnsAnswer(Rcode.REFUSED, List.of(), false);
        PublishedPolicies policies = new PublishedPolicies(refusing, null, null, true, Clock.systemUTC());
        assertThatThrownBy(() -> policies.forDomain("example.test", List.of("mx.example.test"), true).forHost("mx.example.test"))
                .isInstanceOf(PolicyTemporaryException.class).hasMessageContaining("REFUSED");
    }

    @Test
    void anInsecureTlsaAnswerCarriesNoDanePolicy() throws Exception {
        withSts().answer("_25._tcp.mx.example.test", Type.TLSA, false, tlsa("mx.example.test", 3, 1, 1, CA.root()));
        HostPolicy host = policies(true).forDomain("example.test", List.of("mx.example.test"), true).forHost("mx.example.test");
        assertThat(host.kind()).as("MTA-STS applies instead").isEqualTo(PolicyKind.MTA_STS);
    }

    @Test
    void aValidatedDenialOfTlsaMeansNoDane() throws Exception {
        dns.answer("_25._tcp.mx.example.test", Type.TLSA, true);
        assertThat(policies(true).forDomain("example.test", List.of("mx.example.test"), true).forHost("mx.example.test"))
                .isSameAs(HostPolicy.OPPORTUNISTIC);
    }

    @Test
    void onlyUnusableTlsaRecordsStillRequireTls() throws Exception {
        dns.answer("_25._tcp.mx.example.test", Type.TLSA, true, tlsa("mx.example.test", 1, 1, 1, MX_CERT.leaf()));
        HostPolicy host = policies(true).forDomain("example.test", List.of("mx.example.test"), true).forHost("mx.example.test");
        assertThat(host.kind()).isEqualTo(PolicyKind.DANE);
        assertThat(host.tlsRequired()).isTrue();
        host.verify(chainWithRoot(PolicyCerts.leaf(PolicyCerts.authority("CN=Anyone"), "x.test")), "mx.example.test");
    }

    @Test
    void eachMxHostsTlsaIsLookedUpOncePerDestination() throws Exception {
        dns.answer("_25._tcp.mx.example.test", Type.TLSA, true, tlsa("mx.example.test", 3, 1, 1, MX_CERT.leaf()));
        withSts();
        policyBody = ENFORCE.replace("mx: mx.example.test", "mx: other.example.test");
        DomainPolicy p = policies(true).forDomain("example.test", List.of("mx.example.test"), true);
        assertThat(p.permits("mx.example.test")).isTrue();
        p.forHost("mx.example.test");
        assertThat(dns.asked.stream().filter(q -> q.endsWith("/TLSA"))).hasSize(1);
    }
}
