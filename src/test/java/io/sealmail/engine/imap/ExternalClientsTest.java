package io.sealmail.engine.imap;

import io.sealmail.config.Role;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.sealmail.engine.imap.MailAccessTestServer.JOE;
import static io.sealmail.engine.imap.MailAccessTestServer.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

/** Python's imaplib/poplib and curl against the real engine over TLS, trusting only our CA's ca.crt. */
class ExternalClientsTest {
    @TempDir
    static Path dir;
    static MailAccessTestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new MailAccessTestServer(dir);
        server.deliver(JOE, "From: a@example.com\nSubject: python test\n\nhello from the store\n.dotted\n");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    record Result(int exit, String out) {
    }

    static Result run(Map<String, String> env, String... command) throws IOException, InterruptedException {
        io.sealmail.testing.ExternalTool.require(command[0]);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        byte[] out;
        try (InputStream in = p.getInputStream()) {
            out = in.readAllBytes();
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    @Test
    void pythonImaplibAndPoplib() throws Exception {
        Path script = dir.resolve("python_clients.py");
        try (InputStream in = getClass().getResourceAsStream("/imap/python_clients.py")) {
            Files.write(script, in.readAllBytes());
        }
        Result r = run(Map.of("CA", server.pki().caCrt().toString(), "USER_NAME", JOE, "PASSWORD", PASSWORD,
                "IMAPS", "" + server.port(Role.IMAPS), "IMAP", "" + server.port(Role.IMAP),
                "POP3S", "" + server.port(Role.POP3S), "POP3", "" + server.port(Role.POP3)), "python3", script.toString());
        assertThat(r.out()).contains("ALL OK");
        assertThat(r.exit()).isZero();
    }

    private Result curl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "20", "--cacert", server.pki().caCrt().toString(),
                "-u", JOE + ":" + PASSWORD));
        cmd.addAll(List.of(args));
        return run(Map.of(), cmd.toArray(String[]::new));
    }

    @Test
    void curlImapsAndImapStartTls() throws Exception {
        Result implicit = curl("imaps://127.0.0.1:" + server.port(Role.IMAPS) + "/INBOX;UID=1");
        assertThat(implicit.exit()).as(implicit.out()).isZero();
        assertThat(implicit.out()).contains("Subject: python test").contains("hello from the store");
        Result starttls = curl("--ssl-reqd", "imap://127.0.0.1:" + server.port(Role.IMAP) + "/INBOX;UID=1");
        assertThat(starttls.exit()).as(starttls.out()).isZero();
        assertThat(starttls.out()).contains("hello from the store");
        Result list = curl("imaps://127.0.0.1:" + server.port(Role.IMAPS) + "/");
        assertThat(list.out()).contains("\\Trash").contains("\"INBOX\"");
    }

    @Test
    void curlRefusedWithoutTlsOnThePlaintextPort() throws Exception {
        Result plain = curl("imap://127.0.0.1:" + server.port(Role.IMAP) + "/INBOX;UID=1");
        assertThat(plain.exit()).isNotZero();
        assertThat(plain.out()).doesNotContain("hello from the store");
        Result pop = curl("pop3://127.0.0.1:" + server.port(Role.POP3) + "/1");
        assertThat(pop.exit()).isNotZero();
    }

    @Test
    void curlPop3sAndPop3Stls() throws Exception {
        Result implicit = curl("pop3s://127.0.0.1:" + server.port(Role.POP3S) + "/1");
        assertThat(implicit.exit()).as(implicit.out()).isZero();
        assertThat(implicit.out()).contains("Subject: python test").contains("\n.dotted");
        Result stls = curl("--ssl-reqd", "pop3://127.0.0.1:" + server.port(Role.POP3) + "/1");
        assertThat(stls.exit()).as(stls.out()).isZero();
        assertThat(stls.out()).contains("hello from the store");
        Result list = curl("pop3s://127.0.0.1:" + server.port(Role.POP3S) + "/");
        assertThat(list.out()).startsWith("1 ");
    }

    @Test
    void loginsAndConnectionsAreCountedInTheEngineMetrics() throws Exception {
        var meters = server.engine.context().metrics().registry();
        double imapsOk = counter(meters, "sealmail.auth", "imaps", "result", "success");
        double pop3sFailed = counter(meters, "sealmail.auth", "pop3s", "result", "failure");
        double pop3sConnections = counter(meters, "sealmail.connections", "pop3s", "result", "accepted");
        assertThat(curl("imaps://127.0.0.1:" + server.port(Role.IMAPS) + "/INBOX;UID=1").exit()).isZero();
        Result wrong = run(Map.of(), "curl", "-sS", "--max-time", "20", "--cacert", server.pki().caCrt().toString(),
                "-u", JOE + ":wrong", "pop3s://127.0.0.1:" + server.port(Role.POP3S) + "/");
        assertThat(wrong.exit()).isNotZero();
        assertThat(counter(meters, "sealmail.auth", "imaps", "result", "success")).isEqualTo(imapsOk + 1);
        assertThat(counter(meters, "sealmail.auth", "pop3s", "result", "failure")).isEqualTo(pop3sFailed + 1);
        assertThat(counter(meters, "sealmail.connections", "pop3s", "result", "accepted")).isEqualTo(pop3sConnections + 1);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() ->
                meters.get("sealmail.connections.active").tag("role", "pop3s").gauge().value() == 0.0);
    }

    private static double counter(io.micrometer.core.instrument.MeterRegistry meters, String name, String role, String tag, String value) {
        var c = meters.find(name).tag("role", role).tag(tag, value).counter();
        return c == null ? 0 : c.count();
    }
}
