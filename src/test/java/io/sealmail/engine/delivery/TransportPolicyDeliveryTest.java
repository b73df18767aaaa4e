package io.sealmail.engine.delivery;

import io.sealmail.testing.Closer;
import io.sealmail.ca.CertificateAuthority;
import io.sealmail.ca.IssuedCertificate;
import io.sealmail.config.Outbound;
import io.sealmail.engine.delivery.policy.PolicyCerts;
import io.sealmail.engine.delivery.policy.PolicyHttpsServer;
import io.sealmail.engine.delivery.policy.PublishedPolicies;
import io.sealmail.engine.delivery.policy.SignedZoneServer;
import io.sealmail.store.DeliveryStatus;
import io.sealmail.store.RecipientStatus;
import io.sealmail.testing.LogCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * MTA-STS and DANE through the whole outbound path: the engine's queue runner, MX routing and SMTP client against a
 * scripted MX on 127.0.2.25 that offers STARTTLS with a certificate from a test CA. MTA-STS: dnsmasq on 127.0.2.54
 * (MX, A and the _mta-sts TXT record) and an HTTPS policy host on 127.0.2.1, trusted through outbound.trustedCaFile.
 * DANE: a dnsjava-signed zone on 127.0.2.53 validated with its key as trust anchor (outbound.dns.dnssec).
 */
class TransportPolicyDeliveryTest {
    static final String MESSAGE = "From: alice@example.test\r\nTo: bob@remote.test\r\nSubject: policy\r\n\r\nhello\r\n";
    static final CertificateAuthority CA = PolicyCerts.authority("CN=Remote MX CA");
    static final IssuedCertificate MX_CERT = PolicyCerts.leaf(CA, "mx.remote.test");

    @TempDir
    Path dir;
    @RegisterExtension
    final Closer closer = new Closer();

    private ScriptedPeer mx(IssuedCertificate cert) throws Exception {
        ScriptedPeer peer = closer.add(new ScriptedPeer(InetAddress.getByName("127.0.2.25"), 0));
        peer.startTls = PolicyCerts.serverContext(cert);
        return peer;
    }

    /** dnsmasq with MX remote.test -> mx.remote.test, the _mta-sts record, and a policy host serving {@code policy}. */
    private OutboundTestEngine mtaStsEngine(ScriptedPeer peer, String policy) throws Exception {
        DnsmasqProcess dns = closer.add(DnsmasqProcess.start("127.0.2.54", dir.resolve("dnsmasq"), List.of(
                "--mx-host=remote.test,mx.remote.test,10",
                "--host-record=mx.remote.test,127.0.2.25",
                "--txt-record=_mta-sts.remote.test,v=STSv1; id=20261203;",
                "--host-record=mta-sts.remote.test,127.0.2.1")));
        PolicyHttpsServer policyHost = closer.add(new PolicyHttpsServer("127.0.2.1",
                PolicyCerts.leaf(CA, "mta-sts.remote.test")).serve("text/plain", policy));
        Path caFile = dir.resolve("remote-ca.crt");
        Files.writeString(caFile, CA.certificatePem());
        return closer.add(new OutboundTestEngine(dir.resolve("engine"), null, o -> o
                .withDns(new Outbound.Dns(List.of(dns.server()), Duration.ofSeconds(2), false, null), peer.port())
                .withTrustedCaFile(caFile.toString())
                .withTransportSecurity(new Outbound.MtaSts(true, null, policyHost.port(), Duration.ofSeconds(10)), true)));
    }

    /** A signed zone for remote.test whose TLSA record (3 1 1) names {@code tlsaKey}'s key. */
    private OutboundTestEngine daneEngine(ScriptedPeer peer, IssuedCertificate tlsaKey) throws Exception {
        Name origin = Name.fromString("remote.test.");
        Name mxName = Name.fromString("mx.remote.test.");
        SignedZoneServer zone = closer.add(new SignedZoneServer("127.0.2.53", origin, List.of(
                new MXRecord(origin, DClass.IN, 300, 10, mxName),
                new ARecord(mxName, DClass.IN, 300, InetAddress.getByName("127.0.2.25")),
                PolicyCerts.tlsa("mx.remote.test", 3, 1, 1, tlsaKey.leaf()))));
        Path anchor = dir.resolve("trust-anchor.key");
        Files.writeString(anchor, zone.trustAnchor());
        String server = zone.address().getAddress().getHostAddress() + ":" + zone.address().getPort();
        return closer.add(new OutboundTestEngine(dir.resolve("engine"), null, o -> o
                .withDns(new Outbound.Dns(List.of(server), Duration.ofSeconds(2), true, anchor.toString()), peer.port())));
    }

    /** The recipient's state once tried: DEFERRED or BOUNCED, or null once delivered (it left the queue). */
    private static RecipientStatus awaitOutcome(OutboundTestEngine engine, String id) {
        RecipientStatus[] last = new RecipientStatus[1];
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            DeliveryStatus status = engine.queued().get(id);
            last[0] = status == null ? null : status.recipients().get(0);
            return last[0] == null || last[0].state() == RecipientStatus.State.DEFERRED
                    || last[0].state() == RecipientStatus.State.BOUNCED;
        });
        return last[0];
    }

    /** Asserts the message was delivered under {@code policy}, as the delivery log line says. */
    private static void assertDelivered(LogCapture deliveries, RecipientStatus outcome, String id, String policy) {
        assertThat(outcome).as("delivered messages leave the queue").isNull();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(deliveries.messages()).anySatisfy(line -> assertThat(line)
                .contains("outbound " + id + ": to=<bob@remote.test> relay=mx.remote.test policy=" + policy + " tls=TLSv1.")
                .contains("status=delivered")));
    }

    @Test
    void mtaStsEnforceWithAWrongMxNameDefersWithoutConnecting() throws Exception {
        ScriptedPeer peer = mx(MX_CERT);
        OutboundTestEngine engine = mtaStsEngine(peer,
                "version: STSv1\nmode: enforce\nmx: other.remote.test\nmax_age: 86400\n");
        RecipientStatus r = awaitOutcome(engine, engine.queue(OutboundTestEngine.ALICE, List.of("bob@remote.test"), MESSAGE));
        assertThat(r.state()).isEqualTo(RecipientStatus.State.DEFERRED);
        assertThat(r.lastReply()).contains("not permitted by the policy");
        assertThat(peer.connections).hasValue(0);
        assertThat(Files.readString(dir.resolve("engine/data/mta-sts/remote.test.policy"))).contains("mode: enforce");
    }

    @Test
    void mtaStsEnforceWithAMatchingMxAndValidCertificateDelivers() throws Exception {
        ScriptedPeer peer = mx(MX_CERT);
        OutboundTestEngine engine = mtaStsEngine(peer, "version: STSv1\nmode: enforce\nmx: *.remote.test\nmax_age: 86400\n");
        try (LogCapture deliveries = new LogCapture(OutboundDelivery.class)) {
            String id = engine.queue(OutboundTestEngine.ALICE, List.of("bob@remote.test"), MESSAGE);
            assertDelivered(deliveries, awaitOutcome(engine, id), id, "mta-sts");
        }
        assertThat(peer.received).singleElement().satisfies(m -> assertThat(m.tls()).startsWith("TLSv1."));
    }

    @Test
    void mtaStsEnforceRefusesACertificateOfAnUntrustedCa() throws Exception {
        ScriptedPeer peer = mx(PolicyCerts.leaf(PolicyCerts.authority("CN=Attacker CA"), "mx.remote.test"));
        OutboundTestEngine engine = mtaStsEngine(peer, "version: STSv1\nmode: enforce\nmx: mx.remote.test\nmax_age: 86400\n");
        RecipientStatus r = awaitOutcome(engine, engine.queue(OutboundTestEngine.ALICE, List.of("bob@remote.test"), MESSAGE));
        assertThat(r.state()).isEqualTo(RecipientStatus.State.DEFERRED);
        assertThat(r.lastReply()).contains("mta-sts");
        assertThat(peer.received).isEmpty();
    }

    @Test
    void mtaStsTestingDeliversAndLogsTheMismatch() throws Exception {
        ScriptedPeer peer = mx(PolicyCerts.leaf(CA, "wrong-name.remote.test"));
        try (LogCapture log = new LogCapture(PublishedPolicies.class);
             LogCapture hostLog = new LogCapture(Class.forName("io.sealmail.engine.delivery.policy.MtaStsHostPolicy"))) {
            OutboundTestEngine engine = mtaStsEngine(peer,
                    "version: STSv1\nmode: testing\nmx: other.remote.test\nmax_age: 86400\n");
            RecipientStatus r = awaitOutcome(engine, engine.queue(OutboundTestEngine.ALICE, List.of("bob@remote.test"), MESSAGE));
            assertThat(r).as("delivered: it left the queue").isNull();
            assertThat(peer.received).hasSize(1);
            assertThat(log.warnings()).anySatisfy(w -> assertThat(w).contains("MTA-STS testing (remote.test)", "mx.remote.test"));
            assertThat(hostLog.warnings()).anySatisfy(w -> assertThat(w).contains("would be refused under enforce"));
        }
    }

    @Test
    void daneWithAMatchingTlsaRecordDelivers() throws Exception {
        ScriptedPeer peer = mx(MX_CERT);
        OutboundTestEngine engine = daneEngine(peer, MX_CERT);
        try (LogCapture deliveries = new LogCapture(OutboundDelivery.class)) {
            String id = engine.queue(OutboundTestEngine.ALICE, List.of("bob@remote.test"), MESSAGE);
            assertDelivered(deliveries, awaitOutcome(engine, id), id, "dane");
        }
        assertThat(peer.received).singleElement().satisfies(m -> assertThat(m.tls()).startsWith("TLSv1."));
    }

    @Test
    void daneWithAMismatchingTlsaRecordDefers() throws Exception {
        ScriptedPeer peer = mx(MX_CERT);
        OutboundTestEngine engine = daneEngine(peer, PolicyCerts.leaf(CA, "mx.remote.test"));
        RecipientStatus r = awaitOutcome(engine, engine.queue(OutboundTestEngine.ALICE, List.of("bob@remote.test"), MESSAGE));
        assertThat(r.state()).isEqualTo(RecipientStatus.State.DEFERRED);
        assertThat(r.lastReply()).contains("dane");
        assertThat(peer.received).isEmpty();
    }
}
