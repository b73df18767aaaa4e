package io.sealmail.engine.smtp;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sealmail.config.ConfigException;
import io.sealmail.config.EngineConfig;
import io.sealmail.config.Limits;
import io.sealmail.config.Listener;
import io.sealmail.config.Role;
import io.sealmail.config.TlsFiles;
import io.sealmail.engine.MailEngine;
import io.sealmail.engine.tls.TestPki;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The bootstrap: ports, readiness, validation, the engine-wide connection limit and graceful shutdown. */
class MailEngineTest {
    @TempDir
    Path dir;

    @Test
    void bindsEveryListenerOnAnEphemeralPortAndIsReady() throws Exception {
        try (SmtpTestServer server = new SmtpTestServer(dir)) {
            MailEngine engine = server.engine;
            assertThat(engine.isReady()).isTrue();
            assertThat(engine.listeners()).hasSize(3);
            assertThat(engine.ports()).containsOnlyKeys(Role.SMTP, Role.SUBMISSION, Role.SMTPS);
            assertThat(engine.ports().values()).doesNotHaveDuplicates().allMatch(p -> p > 0);
            assertThat(engine.address(Role.SMTPS).getAddress().getHostAddress()).isEqualTo("127.0.0.1");
            engine.close();
            assertThat(engine.isReady()).isFalse();
            assertThatThrownBy(() -> new Socket("127.0.0.1", engine.port(Role.SMTP)).close()).isInstanceOf(ConnectException.class);
        }
    }

    private EngineConfig config(TestPki pki, List<Listener> listeners) {
        return new EngineConfig("mail.test", List.of("example.test"), listeners,
                new TlsFiles(pki.tlsCrt().toString(), pki.tlsKey().toString()), dir.resolve("accounts").toString(),
                Map.of(), dir.resolve("data").toString(), Limits.DEFAULTS, null, -1).withWarmUp(io.sealmail.config.WarmUp.OFF);
    }

    @Test
    void refusesConfigurationsThatCannotRunWithOneClearLine() throws Exception {
        TestPki pki = TestPki.create(dir.resolve("tls"));
        TestMailStore store = new TestMailStore(dir.resolve("data"));
        TestAccounts accounts = new TestAccounts(List.of("example.test"));
        assertThatThrownBy(() -> MailEngine.builder(config(pki, List.of())).accounts(accounts).store(store).outbound(store).start())
                .isInstanceOf(ConfigException.class).hasMessage("listeners: at least one listener is required");
        try (Socket busy = new Socket()) {
            java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"));
            int port = taken.getLocalPort();
            assertThatThrownBy(() -> MailEngine.builder(config(pki, List.of(new Listener(Role.SMTP, "127.0.0.1", port))))
                    .accounts(accounts).store(store).outbound(store).start())
                    .isInstanceOf(ConfigException.class).hasMessageStartingWith("listener smtp: cannot bind 127.0.0.1:" + port);
            taken.close();
        }
        assertThatThrownBy(() -> MailEngine.builder(config(pki, List.of(new Listener(Role.SMTP, "127.0.0.1", 2525),
                new Listener(Role.SUBMISSION, "127.0.0.1", 2525)))).accounts(accounts).store(store).outbound(store).start())
                .isInstanceOf(ConfigException.class).hasMessageContaining("used by two listeners");
        EngineConfig badTls = new EngineConfig("mail.test", List.of("example.test"), List.of(new Listener(Role.SMTP, "127.0.0.1", 0)),
                new TlsFiles(dir.resolve("missing.crt").toString(), pki.tlsKey().toString()), "a", Map.of(), "d", null, null, -1);
        assertThatThrownBy(() -> MailEngine.builder(badTls).accounts(accounts).store(store).outbound(store).start())
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("tls: ");
    }

    @Test
    void theConnectionLimitIsEngineWideAcrossAddressesAndListeners() throws Exception {
        try (SmtpTestServer server = new SmtpTestServer(dir, l -> SmtpTestServer.limits(null, null, null, null, null, 3, 2))) {
            List<Socket> open = new ArrayList<>();
            try {
                for (String local : List.of("127.0.0.1", "127.0.0.1", "127.0.0.2")) {
                    Socket s = new Socket();
                    s.bind(new InetSocketAddress(local, 0));
                    s.connect(server.address(Role.SMTP));
                    open.add(s);
                    // Wait for the greeting: only then has the engine counted this connection (accept is asynchronous).
                    s.setSoTimeout(10_000);
                    assertThat(new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream())).readLine())
                            .startsWith("220");
                }
                try (Socket s = new Socket()) {
                    s.bind(new InetSocketAddress("127.0.0.3", 0));
                    s.connect(server.address(Role.SUBMISSION));
                    s.setSoTimeout(5000);
                    String line = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream())).readLine();
                    assertThat(line).startsWith("421 4.7.0 Too many connections");
                }
            } finally {
                for (Socket s : open) {
                    s.close();
                }
            }
        }
    }

    @Test
    void shutdownLetsADeliveryInFlightFinishThenSays421() throws Exception {
        SmtpTestServer server = new SmtpTestServer(dir);
        try (Transcript idle = server.connect(Role.SMTP); Transcript busy = server.connect(Role.SMTP)) {
            idle.run("""
                    C: EHLO idle.test
                    S: 250
                    """);
            CompletableFuture<Void> gate = new CompletableFuture<>();
            server.store.gate = gate;
            busy.run("""
                    C: EHLO busy.test
                    S: 250
                    C: MAIL FROM:<carol@remote.test>
                    S: 250
                    C: RCPT TO:<bob@example.test>
                    S: 250
                    C: DATA
                    S: 354
                    C: Subject: in flight
                    C: .
                    """);
            // The message is in the store's hands (held at the gate) before the engine is asked to stop.
            org.awaitility.Awaitility.await().until(() -> server.store.deliveriesStarted.get() == 1);
            CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
            idle.run("""
                    S: 421 4.3.2
                    CLOSED
                    """);
            assertThat(closing).isNotDone();
            gate.complete(null);
            busy.run("""
                    S: 250 2.0.0 Ok: queued as
                    S: 421 4.3.2
                    CLOSED
                    """);
            closing.get(15, java.util.concurrent.TimeUnit.SECONDS);
        }
        assertThat(server.store.messages("bob@example.test")).hasSize(1);
    }

    @Test
    void countsMessagesAndConnectionsInTheRegistry() throws Exception {
        try (SmtpTestServer server = new SmtpTestServer(dir)) {
            try (Transcript t = server.connect(Role.SMTP)) {
                t.run("""
                        C: EHLO client.test
                        S: 250
                        C: MAIL FROM:<carol@remote.test>
                        S: 250
                        C: RCPT TO:<victim@remote.test>
                        S: 554
                        C: RCPT TO:<bob@example.test>
                        S: 250
                        C: DATA
                        S: 354
                        C: .
                        S: 250
                        """);
            }
            var meters = server.engine.context().metrics().registry();
            assertThat(meters.get("sealmail.messages.accepted").tag("role", "smtp").counter().count()).isEqualTo(1.0);
            assertThat(meters.get("sealmail.recipients.refused").tag("reason", "relay").counter().count()).isEqualTo(1.0);
            assertThat(meters.get("sealmail.connections").tag("role", "smtp").tag("result", "accepted").counter().count())
                    .isGreaterThanOrEqualTo(1.0);
            // The session above is closed: the open-connection gauge comes back down.
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() ->
                    meters.get("sealmail.connections.active").tag("role", "smtp").gauge().value() == 0.0);
            assertThat(meters).isInstanceOf(SimpleMeterRegistry.class);
        }
    }
}
