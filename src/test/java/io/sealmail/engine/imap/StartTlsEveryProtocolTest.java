package io.sealmail.engine.imap;

import io.micrometer.core.instrument.Counter;
import io.sealmail.config.Role;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * SMTP, IMAP and POP3 share one STARTTLS path ({@link io.sealmail.engine.tls.StartTls}): a command an attacker
 * pipelines in clear behind STARTTLS/STLS is never executed on any of them (CVE-2011-0411 and its IMAP/POP3
 * siblings), and every handshake, implicit or upgraded, is counted in {@code sealmail_tls_handshakes_total}.
 */
class StartTlsEveryProtocolTest {
    @TempDir
    Path dir;
    private MailAccessTestServer server;

    @BeforeEach
    void start() throws Exception {
        server = new MailAccessTestServer(dir);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private double handshakes() {
        return server.engine.context().metrics().registry().find("sealmail.tls.handshakes").tag("result", "success")
                .counters().stream().mapToDouble(Counter::count).sum();
    }

    @Test
    void imapCommandPipelinedBehindStartTlsNeverRuns() throws Exception {
        try (WireClient c = WireClient.plain(server.address(Role.IMAP))) {
            c.readLine();
            c.send("a STARTTLS\r\nb CAPABILITY\r\n");
            assertThat(c.readLine()).isEqualTo("a OK Begin TLS negotiation now");
            c.startTls(server.pki().clientContext());
            c.sendLine("c NOOP");
            assertThat(c.readLine()).as("the injected CAPABILITY was not answered").isEqualTo("c OK NOOP completed");
        }
    }

    @Test
    void pop3CommandPipelinedBehindStlsNeverRuns() throws Exception {
        try (WireClient c = WireClient.plain(server.address(Role.POP3))) {
            c.readLine();
            c.send("STLS\r\nCAPA\r\n");
            assertThat(c.readLine()).isEqualTo("+OK Begin TLS negotiation");
            c.startTls(server.pki().clientContext());
            c.sendLine("NOOP");
            assertThat(c.readLine()).as("the injected CAPA was not answered").isEqualTo("+OK");
            c.sendLine("USER " + MailAccessTestServer.JOE);
            assertThat(c.readLine()).startsWith("+OK");
            c.sendLine("PASS " + MailAccessTestServer.PASSWORD);
            assertThat(c.readLine()).startsWith("+OK Logged in");
        }
    }

    @Test
    void smtpCommandPipelinedBehindStartTlsNeverRuns() throws Exception {
        try (WireClient c = WireClient.plain(server.address(Role.SUBMISSION))) {
            c.readLine();
            c.sendLine("EHLO client.test");
            c.readUntil("250 ");
            c.send("STARTTLS\r\nHELP\r\n");
            assertThat(c.readLine()).isEqualTo("220 2.0.0 Ready to start TLS");
            c.startTls(server.pki().clientContext());
            c.sendLine("NOOP");
            assertThat(c.readLine()).as("the injected HELP was not answered").isEqualTo("250 2.0.0 Ok");
        }
    }

    @Test
    void everyHandshakeIsCountedImplicitOrUpgraded() throws Exception {
        double before = handshakes();
        try (WireClient imaps = WireClient.tls(server.address(Role.IMAPS), server.pki().clientContext());
             WireClient pop3s = WireClient.tls(server.address(Role.POP3S), server.pki().clientContext());
             WireClient imap = WireClient.plain(server.address(Role.IMAP));
             WireClient pop3 = WireClient.plain(server.address(Role.POP3));
             WireClient smtp = WireClient.plain(server.address(Role.SUBMISSION))) {
            imaps.readLine();
            pop3s.readLine();
            imap.readLine();
            imap.sendLine("a STARTTLS");
            imap.readLine();
            imap.startTls(server.pki().clientContext());
            pop3.readLine();
            pop3.sendLine("STLS");
            pop3.readLine();
            pop3.startTls(server.pki().clientContext());
            smtp.readLine();
            smtp.sendLine("EHLO client.test");
            smtp.readUntil("250 ");
            smtp.sendLine("STARTTLS");
            smtp.readLine();
            smtp.startTls(server.pki().clientContext());
            await().until(() -> handshakes() - before == 5);
        }
    }
}
