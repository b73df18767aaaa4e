package io.sealmail.engine.delivery.policy;

import io.sealmail.ca.CertificateAuthority;
import io.sealmail.config.Outbound;
import io.sealmail.engine.delivery.DnsmasqProcess;
import io.sealmail.engine.delivery.dns.DnsLookup;
import io.sealmail.engine.delivery.dns.ResolverDnsLookup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * MTA-STS with real parts: dnsmasq on 127.0.2.54 serves the {@code _mta-sts} TXT records and the policy hosts'
 * addresses, the JDK's HTTPS server on 127.0.2.1 serves the policies with a certificate from our CA, trusted through
 * the extra-CA file.
 */
class MtaStsDnsmasqTest {
    static final CertificateAuthority CA = PolicyCerts.authority("CN=MTA-STS dnsmasq CA");

    @TempDir
    Path dir;
    DnsmasqProcess dns;
    PolicyHttpsServer policyHost;

    @BeforeEach
    void start() throws Exception {
        dns = DnsmasqProcess.start("127.0.2.54", dir.resolve("dnsmasq"), List.of(
                "--txt-record=_mta-sts.example.test,v=STSv1; id=20261203T1200;",
                "--host-record=mta-sts.example.test,127.0.2.1",
                "--mx-host=example.test,mx.example.test,10",
                "--host-record=mx.example.test,127.0.2.25",
                "--txt-record=_mta-sts.twice.test,v=STSv1; id=one;",
                "--txt-record=_mta-sts.twice.test,v=STSv1; id=two;",
                "--host-record=mta-sts.twice.test,127.0.2.1"));
        policyHost = new PolicyHttpsServer("127.0.2.1",
                PolicyCerts.leaf(CA, "mta-sts.example.test", "mta-sts.twice.test"))
                .serve("text/plain", "version: STSv1\r\nmode: enforce\r\nmx: mx.example.test\r\nmax_age: 86400\r\n");
    }

    @AfterEach
    void stop() throws Exception {
        if (policyHost != null) {
            policyHost.close();
        }
        if (dns != null) {
            dns.close();
        }
    }

    PublishedPolicies policies() throws Exception {
        Path caFile = dir.resolve("extra-ca.crt");
        Files.writeString(caFile, CA.certificatePem());
        WebPkiTrust trust = WebPkiTrust.load(caFile);
        DnsLookup lookup = new ResolverDnsLookup(new Outbound.Dns(List.of(dns.server()), Duration.ofSeconds(5), false, null));
        int port = policyHost != null ? policyHost.port() : 9; // discard: nothing listens there
        MtaStsFetcher fetcher = new MtaStsFetcher(lookup, trust, port, Duration.ofSeconds(5), Duration.ofSeconds(20));
        MtaStsResolver resolver = new MtaStsResolver(lookup, fetcher::fetch, dir.resolve("mta-sts"), Clock.systemUTC());
        return new PublishedPolicies(lookup, resolver, trust, true, Clock.systemUTC());
    }

    @Test
    void anEnforcedPolicyFromRealDnsAndHttpsRefusesAForeignMx() throws Exception {
        DomainPolicy p = policies().forDomain("example.test", List.of("mx.example.test", "evil.example.org"), false);
        assertThat(p.permits("mx.example.test")).isTrue();
        assertThat(p.permits("evil.example.org")).isFalse();
        HostPolicy host = p.forHost("mx.example.test");
        assertThat(host.kind()).isEqualTo(PolicyKind.MTA_STS);
        assertThat(host.tlsRequired()).isTrue();
        host.verify(PolicyCerts.chainWithoutRoot(PolicyCerts.leaf(CA, "mx.example.test")), "mx.example.test");
        assertThat(Files.readString(dir.resolve("mta-sts/example.test.policy"))).contains("id: 20261203T1200", "mode: enforce");
    }

    @Test
    void theCachedPolicyOutlivesTheDnsRecordAndThePolicyHost() throws Exception {
        policies().forDomain("example.test", List.of("mx.example.test"), false);
        dns.close();
        policyHost.close();
        dns = DnsmasqProcess.start("127.0.2.54", dir.resolve("dnsmasq"), List.of("--host-record=mx.example.test,127.0.2.25"));
        policyHost = null;
        DomainPolicy p = policies().forDomain("example.test", List.of("evil.example.org"), false);
        assertThat(p.permits("evil.example.org")).as("still enforced after a restart with the record stripped").isFalse();
    }

    @Test
    void twoStsRecordsFromDnsmasqMeanNoPolicy() throws Exception {
        DomainPolicy p = policies().forDomain("twice.test", List.of("anything.example.org"), false);
        assertThat(p.permits("anything.example.org")).isTrue();
        assertThat(p.forHost("anything.example.org")).isSameAs(HostPolicy.OPPORTUNISTIC);
    }
}
