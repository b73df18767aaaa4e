package io.sealmail.engine.imap;

import io.sealmail.config.Role;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.sealmail.engine.imap.MailAccessTestServer.JOE;
import static io.sealmail.engine.imap.MailAccessTestServer.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

/** Every bound and the pre-TLS rules, on the wire of the real engine. */
class ImapBoundsOverTlsTest {
    @TempDir
    static Path dir;
    static MailAccessTestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new MailAccessTestServer(dir, l -> new io.sealmail.config.Limits(null, null, null, null, null, 3, null,
                null, null, null, null, null, null, 100_000L, null).withDefaults());
        server.deliver(JOE, "Subject: one\n\nbody\n");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private WireClient imaps() throws Exception {
        WireClient c = WireClient.tls(server.address(Role.IMAPS), server.pki().clientContext());
        assertThat(c.readLine()).startsWith("* OK [CAPABILITY IMAP4rev1");
        return c;
    }

    private WireClient loggedIn() throws Exception {
        WireClient c = imaps();
        c.sendLine("a LOGIN " + JOE + " \"" + PASSWORD + "\"");
        assertThat(c.readUntil("a ")).startsWith("a OK");
        return c;
    }

    @Test
    void preTlsLoginRefusedAndStartTlsDiscardsPipelinedPlaintext() throws Exception {
        try (WireClient c = WireClient.plain(server.address(Role.IMAP))) {
            assertThat(c.readLine()).contains("STARTTLS").contains("LOGINDISABLED");
            c.sendLine("a LOGIN " + JOE + " \"" + PASSWORD + "\"");
            assertThat(c.readLine()).startsWith("a NO [PRIVACYREQUIRED]");
            c.sendLine("a2 AUTHENTICATE PLAIN AGpvZUBleGFtcGxlLnRlc3QAeA==");
            assertThat(c.readLine()).startsWith("a2 NO [PRIVACYREQUIRED]");
            // An attacker appends a command behind STARTTLS in the same segment: it must never run.
            c.send("b STARTTLS\r\nc CAPABILITY\r\n");
            assertThat(c.readLine()).isEqualTo("b OK Begin TLS negotiation now");
            c.startTls(server.pki().clientContext());
            c.sendLine("d CAPABILITY");
            String caps = c.readLine();
            assertThat(caps).startsWith("* CAPABILITY").contains("AUTH=PLAIN").doesNotContain("LOGINDISABLED")
                    .doesNotContain("STARTTLS");
            assertThat(c.readLine()).startsWith("d OK");
            c.sendLine("e LOGIN " + JOE + " \"" + PASSWORD + "\"");
            assertThat(c.readLine()).startsWith("e OK");
        }
    }

    @Test
    void hugeLiteralIsRefusedBeforeAnyByteIsRead() throws Exception {
        try (WireClient c = loggedIn()) {
            c.sendLine("b APPEND INBOX {4294967296}");
            assertThat(c.readLine()).isEqualTo("b NO [TOOBIG] Literal larger than 100000 octets");
            c.sendLine("c LOGIN {99999999999999999999}");
            assertThat(c.readLine()).startsWith("c BAD [TOOBIG]");
            c.sendLine("d NOOP");
            assertThat(c.readLine()).startsWith("d OK");
            c.sendLine("e APPEND INBOX {100001+}");
            assertThat(c.readLine()).isEqualTo("e NO [TOOBIG] Literal larger than 100000 octets");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    /** Not logged in, over TLS and in plaintext before STARTTLS: no literal past a password's size is taken. */
    @Test
    void beforeLoginOnlySmallLiteralsAreTakenThenAppendGetsTheConfiguredLimit() throws Exception {
        try (WireClient c = imaps()) {
            c.sendLine("a1 LOGIN {66000}");
            assertThat(c.readLine()).isEqualTo("a1 BAD [TOOBIG] Literal larger than 8192 octets before authentication");
            c.sendLine("a2 LOGIN {" + JOE.length() + "}");
            assertThat(c.readLine()).startsWith("+ ");
            c.send(JOE + " {" + PASSWORD.length() + "}\r\n");
            assertThat(c.readLine()).startsWith("+ ");
            c.sendLine(PASSWORD);
            assertThat(c.readUntil("a2 ")).startsWith("a2 OK");
            c.sendLine("a3 APPEND INBOX {66000}");
            assertThat(c.readLine()).startsWith("+ ");
            c.sendLine("Subject: big\r\n\r\n" + "x".repeat(66000 - 16));
            assertThat(c.readUntil("a3 ")).startsWith("a3 OK");
        }
        try (WireClient c = WireClient.plain(server.address(Role.IMAP))) {
            assertThat(c.readLine()).contains("STARTTLS");
            c.sendLine("x XYZ {67000000+}");
            assertThat(c.readLine()).isEqualTo("x BAD [TOOBIG] Literal larger than 8192 octets before authentication");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void overlongLineEndsTheConnection() throws Exception {
        try (WireClient c = loggedIn()) {
            c.send("b NOOP " + "x".repeat(70_000));
            assertThat(c.readLine()).startsWith("* BYE [TOOBIG] Command line longer than 65536");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void nestingAndSequenceRangesAreBounded() throws Exception {
        try (WireClient c = loggedIn()) {
            c.sendLine("b SELECT INBOX");
            c.readUntil("b OK");
            c.sendLine("c SEARCH " + "(".repeat(20) + "ALL" + ")".repeat(20));
            assertThat(c.readLine()).startsWith("c BAD [LIMIT]");
            c.sendLine("d FETCH " + "1,".repeat(1000) + "1 FLAGS");
            assertThat(c.readLine()).startsWith("d BAD [LIMIT] More than 1000 ranges");
            c.sendLine("e NOOP");
            assertThat(c.readUntil("e ")).startsWith("e OK");
        }
    }

    @Test
    void deepPipelineIsAnsweredInOrderWithoutLoss() throws Exception {
        try (WireClient c = loggedIn()) {
            StringBuilder burst = new StringBuilder();
            for (int i = 0; i < 500; i++) {
                burst.append("p").append(i).append(" NOOP\r\n");
            }
            c.send(burst.toString());
            for (int i = 0; i < 500; i++) {
                assertThat(c.readLine()).isEqualTo("p" + i + " OK NOOP completed");
            }
        }
    }

    @Test
    void authFailuresCloseTheConnection() throws Exception {
        try (WireClient c = imaps()) {
            for (int i = 0; i < 2; i++) {
                c.sendLine("f" + i + " LOGIN " + JOE + " wrong");
                assertThat(c.readLine()).startsWith("f" + i + " NO [AUTHENTICATIONFAILED]");
            }
            c.sendLine("f2 LOGIN " + JOE + " wrong");
            assertThat(c.readLine()).startsWith("* BYE");
            assertThat(c.closedByServer()).isTrue();
        }
    }
}
