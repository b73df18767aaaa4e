package io.sealmail.engine.delivery.policy;

import io.sealmail.ca.CertificateAuthority;
import io.sealmail.ca.IssuedCertificate;
import io.sealmail.config.Outbound;
import io.sealmail.engine.delivery.dns.DnsAnswer;
import io.sealmail.engine.delivery.dns.DnsLookup;
import io.sealmail.engine.delivery.dns.ResolverDnsLookup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import static io.sealmail.engine.delivery.policy.PolicyCerts.chainWithRoot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * DANE over real DNSSEC: a zone signed with dnsjava's DNSSEC code, served on 127.0.2.53 over UDP, validated by
 * the engine's resolver (dnsjava's ValidatingResolver) with the zone's key as trust anchor.
 */
class DnssecDaneTest {
    static final String ADDRESS = "127.0.2.53";
    static final CertificateAuthority CA = PolicyCerts.authority("CN=DNSSEC DANE CA");
    static final IssuedCertificate MX_CERT = PolicyCerts.leaf(CA, "mx.example.test");

    SignedZoneServer zone;

    @BeforeEach
    void start() throws Exception {
        Name origin = Name.fromString("example.test.");
        Name mx = Name.fromString("mx.example.test.");
        zone = new SignedZoneServer(ADDRESS, origin, List.of(
                new MXRecord(origin, DClass.IN, 300, 10, mx),
                new ARecord(mx, DClass.IN, 300, InetAddress.getByName("127.0.2.25")),
                PolicyCerts.tlsa("mx.example.test", 3, 1, 1, MX_CERT.leaf())));
    }

    @AfterEach
    void stop() throws Exception {
        zone.close();
    }

    @TempDir
    Path dir;

    /** The engine's own resolver (outbound.dns) pointed at the zone: validating with its key, or not validating. */
    DnsLookup validating(boolean dnssec) throws Exception {
        Path anchor = dir.resolve("anchor.key");
        Files.writeString(anchor, zone.trustAnchor());
        String server = zone.address().getAddress().getHostAddress() + ":" + zone.address().getPort();
        return new ResolverDnsLookup(new Outbound.Dns(List.of(server), Duration.ofSeconds(5), dnssec,
                dnssec ? anchor.toString() : null));
    }

    /** What the delivery code does: MX look-up, then the policy with the MX answer's security. */
    HostPolicy policyFor(DnsLookup dns) throws Exception {
        DnsAnswer mx = dns.lookup("example.test", Type.MX);
        return new PublishedPolicies(dns, null, null, true, Clock.systemUTC())
                .forDomain("example.test", List.of("mx.example.test"), mx.secure()).forHost("mx.example.test");
    }

    @Test
    void aSignedAnswerIsSecureAndItsTlsaRecordAuthenticatesTheMx() throws Exception {
        DnsLookup dns = validating(true);
        assertThat(dns.lookup("example.test", Type.MX).secure()).isTrue();
        assertThat(dns.lookup("_25._tcp.mx.example.test", Type.TLSA).secure()).isTrue();
        HostPolicy host = policyFor(dns);
        assertThat(host.kind()).isEqualTo(PolicyKind.DANE);
        host.verify(chainWithRoot(MX_CERT), "mx.example.test");
        assertThatThrownBy(() -> host.verify(chainWithRoot(PolicyCerts.leaf(CA, "mx.example.test")), "mx.example.test"))
                .isInstanceOf(CertificateException.class);
    }

    @Test
    void aValidatedDenialOfTlsaIsSecureAndEmpty() throws Exception {
        DnsAnswer none = validating(true).lookup("_25._tcp.other.example.test", Type.TLSA);
        assertThat(none.secure()).isTrue();
        assertThat(none.nxdomain()).isTrue();
        DnsAnswer nodata = validating(true).lookup("mx.example.test", Type.TLSA);
        assertThat(nodata.secure()).isTrue();
        assertThat(nodata.records()).isEmpty();
    }

    @Test
    void aTamperedTlsaRecordIsBogusAndDefers() throws Exception {
        DnsLookup dns = validating(true);
        assertThat(dns.lookup("example.test", Type.MX).secure()).isTrue();
        zone.tamper = SignedZoneServer.Tamper.ALTER_TLSA;
        assertThatThrownBy(() -> policyFor(dns)).isInstanceOf(PolicyTemporaryException.class)
                .hasMessageContaining("SERVFAIL");
    }

    @Test
    void strippedSignaturesAreBogusNotInsecure() throws Exception {
        zone.tamper = SignedZoneServer.Tamper.STRIP_SIGNATURES;
        assertThatThrownBy(() -> validating(true).lookup("_25._tcp.mx.example.test", Type.TLSA))
                .hasMessageContaining("SERVFAIL");
    }

    @Test
    void withoutValidationTheSameSignedAnswersAreInsecureAndDaneDoesNotApply() throws Exception {
        DnsLookup dns = validating(false);
        assertThat(dns.lookup("example.test", Type.MX).secure()).isFalse();
        assertThat(policyFor(dns)).isSameAs(HostPolicy.OPPORTUNISTIC);
    }
}
