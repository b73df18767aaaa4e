package io.sealmail.engine.delivery;

import io.sealmail.testing.Closer;
import io.sealmail.ca.CertificateAuthority;
import io.sealmail.ca.LeafSpec;
import io.sealmail.config.Outbound;
import io.sealmail.engine.tls.TestPki;
import io.sealmail.store.RecipientStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Relay (smarthost) mode against a scripted relay on 127.0.1.20 with a certificate from a test CA for that address:
 * TLS always, the certificate verified before any credential is sent, AUTH PLAIN or LOGIN.
 */
class RelayDeliveryTest {
    static final String MESSAGE = "From: alice@example.test\r\nTo: bob@far.test\r\nSubject: via relay\r\n\r\nbody\r\n";

    @TempDir
    Path dir;
    @RegisterExtension
    final Closer closer = new Closer();
    private TestPki relayPki;

    private ScriptedPeer relay() throws Exception {
        CertificateAuthority ca = TestPki.authority("CN=Relay Test CA");
        TestPki.write(dir.resolve("relay-tls"), ca.issue(LeafSpec.of(List.of("relay.test"), List.of("127.0.1.20"))));
        relayPki = TestPki.read(dir.resolve("relay-tls"));
        ScriptedPeer peer = new ScriptedPeer(InetAddress.getByName("127.0.1.20"), 0);
        closer.add(peer);
        peer.requiredLogin = "relayuser:s3cret: pass";
        return peer;
    }

    private OutboundTestEngine engine(ScriptedPeer relay, Outbound.RelayTls tls, Path credentials, Path trusted) throws Exception {
        OutboundTestEngine e = new OutboundTestEngine(dir, null, o -> o
                .withMode(Outbound.Mode.RELAY, new Outbound.Relay("127.0.1.20:" + relay.port(), tls,
                        credentials == null ? null : credentials.toString()))
                .withTrustedCaFile(trusted == null ? null : trusted.toString()));
        closer.add(e);
        return e;
    }

    private Path credentialsFile(String content) throws Exception {
        Path f = dir.resolve("relay-credentials");
        Files.writeString(f, content);
        return f;
    }

    @Test
    void implicitTlsWithAuthPlainDeliversThroughTheRelay() throws Exception {
        ScriptedPeer relay = relay();
        relay.implicitTls = OutboundDeliveryTest.serverContext(relayPki);
        OutboundTestEngine engine = engine(relay, Outbound.RelayTls.IMPLICIT, credentialsFile("relayuser:s3cret: pass\n"), relayPki.caCrt());

        String id = engine.queue("alice@example.test", List.of("bob@far.test", "carol@other.test"), MESSAGE);

        await().atMost(Duration.ofSeconds(20)).until(() -> !engine.queued().containsKey(id));
        assertThat(relay.received).hasSize(1);
        // Relay mode: every domain in one transaction to the smarthost.
        assertThat(relay.received.get(0).rcptTo()).containsExactly("bob@far.test", "carol@other.test");
        assertThat(relay.received.get(0).tls()).isIn("TLSv1.3", "TLSv1.2");
        assertThat(relay.received.get(0).text()).isEqualTo(MESSAGE);
        assertThat(relay.commands()).anyMatch(c -> c.startsWith("AUTH PLAIN "));
    }

    @Test
    void startTlsWithAuthLoginAndCredentialsFromAMountedBasicAuthSecret() throws Exception {
        ScriptedPeer relay = relay();
        relay.startTls = OutboundDeliveryTest.serverContext(relayPki);
        relay.authMechanisms = "LOGIN";
        Path secret = Files.createDirectories(dir.resolve("secret"));
        Files.writeString(secret.resolve("username"), "relayuser");
        Files.writeString(secret.resolve("password"), "s3cret: pass");
        OutboundTestEngine engine = engine(relay, Outbound.RelayTls.STARTTLS, secret, relayPki.caCrt());

        String id = engine.queue("alice@example.test", List.of("bob@far.test"), MESSAGE);

        await().atMost(Duration.ofSeconds(20)).until(() -> !engine.queued().containsKey(id));
        assertThat(relay.received).hasSize(1);
        assertThat(relay.commands()).containsSubsequence("STARTTLS", "EHLO mail.test", "AUTH LOGIN");
    }

    @Test
    void anUntrustedRelayCertificateDefersAndNoCredentialIsSent() throws Exception {
        ScriptedPeer relay = relay();
        relay.startTls = OutboundDeliveryTest.serverContext(relayPki);
        OutboundTestEngine engine = engine(relay, Outbound.RelayTls.STARTTLS, credentialsFile("relayuser:s3cret: pass"), null);

        String id = engine.queue("alice@example.test", List.of("bob@far.test"), MESSAGE);

        RecipientStatus r = await().atMost(Duration.ofSeconds(20)).until(() -> engine.queued().get(id).recipients().get(0),
                s -> s.state() == RecipientStatus.State.DEFERRED);
        assertThat(r.lastReply()).startsWith("451 4.7.5 TLS handshake with 127.0.1.20 failed");
        assertThat(relay.commands()).noneMatch(c -> c.startsWith("AUTH") || c.startsWith("MAIL"));
    }

    @Test
    void aRelayWithoutStartTlsIsNotUsedInPlaintext() throws Exception {
        ScriptedPeer relay = relay();
        OutboundTestEngine engine = engine(relay, Outbound.RelayTls.STARTTLS, credentialsFile("relayuser:s3cret: pass"), relayPki.caCrt());

        String id = engine.queue("alice@example.test", List.of("bob@far.test"), MESSAGE);

        RecipientStatus r = await().atMost(Duration.ofSeconds(20)).until(() -> engine.queued().get(id).recipients().get(0),
                s -> s.state() == RecipientStatus.State.DEFERRED);
        assertThat(r.lastReply()).contains("does not offer STARTTLS, which the relay configuration requires");
        assertThat(relay.commands()).noneMatch(c -> c.startsWith("AUTH") || c.startsWith("MAIL"));
    }

    @Test
    void aRefusedLoginDefersInsteadOfBouncing() throws Exception {
        ScriptedPeer relay = relay();
        relay.implicitTls = OutboundDeliveryTest.serverContext(relayPki);
        OutboundTestEngine engine = engine(relay, Outbound.RelayTls.IMPLICIT, credentialsFile("relayuser:wrong"), relayPki.caCrt());

        String id = engine.queue("alice@example.test", List.of("bob@far.test"), MESSAGE);

        RecipientStatus r = await().atMost(Duration.ofSeconds(20)).until(() -> engine.queued().get(id).recipients().get(0),
                s -> s.state() == RecipientStatus.State.DEFERRED);
        assertThat(r.lastReply()).contains("refused our login: 535 5.7.8 bad credentials");
        assertThat(relay.received).isEmpty();
        assertThat(engine.inbox()).isEmpty();
    }
}
