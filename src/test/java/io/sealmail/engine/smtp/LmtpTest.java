package io.sealmail.engine.smtp;

import io.sealmail.config.Limits;
import io.sealmail.config.Listener;
import io.sealmail.config.Role;
import io.sealmail.testing.ExternalTool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static io.sealmail.engine.smtp.SmtpTestServer.ALICE;
import static io.sealmail.engine.smtp.SmtpTestServer.BOB;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * LMTP (RFC 2033) into the production store: LHLO only, no AUTH, one reply per accepted recipient after the final
 * dot (and after BDAT LAST), each recipient's own quota, aliases delivered once; driven by transcripts, swaks
 * ({@code --protocol LMTP}) and Python's {@code smtplib.LMTP}.
 */
class LmtpTest {
    static final Listener LMTP = new Listener(Role.LMTP, "127.0.0.1", 0);
    /** alice's quota: room for one 3,000-octet message, not for a second one. */
    static final long QUOTA = 5_000;

    @TempDir
    static Path dir;
    static SmtpTestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new SmtpTestServer(dir, l -> new Limits(l.maxMessageSize(), l.maxRecipients(), l.maxCommandLine(),
                l.maxTextLine(), l.maxErrors(), l.maxAuthFailuresPerConnection(), l.maxAuthFailuresPerAddress(),
                l.authFailureWindow(), l.idleTimeout(), l.dataTimeout(), l.imapIdleTimeout(), l.maxConnections(),
                l.maxConnectionsPerAddress(), l.maxLiteralSize(), QUOTA), true, SmtpTestServer.addListeners(LMTP), null);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Transcript lmtp() throws Exception {
        Transcript t = Transcript.connect(server.engine.address(LMTP), server.pki.clientContext());
        t.expect("220 mail.test LMTP");
        return t;
    }

    private static long count(String account, String marker) throws Exception {
        return server.delivered(account).stream().filter(m -> m.contains(marker)).count();
    }

    @Test
    void lhloOnlyAndNoAuthEvenAfterStarttls() throws Exception {
        try (Transcript t = lmtp()) {
            t.run("""
                    C: EHLO mta.example
                    S: 500 5.5.1
                    C: HELO mta.example
                    S: 500 5.5.1
                    C: MAIL FROM:<x@remote.test>
                    S: 503
                    C: LHLO mta.example
                    S: 250
                    S~ PIPELINING
                    S~ STARTTLS
                    C: STARTTLS
                    S: 220
                    TLS
                    C: LHLO mta.example
                    S: 250
                    S! AUTH
                    C: AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABwdw==
                    S: 503
                    C: RCPT TO:<nobody@remote.test>
                    S: 503
                    C: MAIL FROM:<x@remote.test>
                    S: 250
                    C: RCPT TO:<someone@remote.test>
                    S: 554 5.7.1
                    """);
        }
    }

    @Test
    void oneReplyPerRecipientWithEachMailboxsOwnQuota() throws Exception {
        String marker = UUID.randomUUID().toString();
        String filler = ("x".repeat(98) + "\r\n").repeat(30);
        try (Transcript t = lmtp()) {
            t.run("""
                    C: LHLO mta.example
                    S: 250
                    C: MAIL FROM:<x@remote.test>
                    S: 250
                    C: RCPT TO:<%s>
                    S: 250
                    C: DATA
                    S: 354
                    """.formatted(ALICE));
            t.send("Subject: fill " + marker + "\r\n\r\n" + filler + ".\r\n");
            t.expect("250 2.1.5");
            // alice is now near her quota; bob, postmaster (alice again) and alice: four replies, in RCPT order.
            t.run("""
                    C: MAIL FROM:<x@remote.test>
                    S: 250
                    C: RCPT TO:<%s>
                    S: 250
                    C: RCPT TO:<postmaster@example.test>
                    S: 250
                    C: RCPT TO:<nobody@example.test>
                    S: 550
                    C: RCPT TO:<%s>
                    S: 250
                    C: DATA
                    S: 354
                    """.formatted(BOB, ALICE));
            t.send("Subject: second " + marker + "\r\n\r\n" + filler + ".\r\n");
            t.expect("250 2.1.5 Ok: " + BOB);
            t.expect("552 5.2.2");
            t.expect("552 5.2.2");
            // The session goes on: the next command gets its own reply.
            t.run("""
                    C: NOOP
                    S: 250
                    """);
        }
        assertThat(count(BOB, "second " + marker)).isEqualTo(1);
        assertThat(count(ALICE, "second " + marker)).isZero();
        assertThat(count(ALICE, "fill " + marker)).isEqualTo(1);
    }

    @Test
    void aRefusedMessageGetsTheRefusalOncePerRecipientAndBdatLastToo() throws Exception {
        String marker = UUID.randomUUID().toString();
        try (Transcript t = lmtp()) {
            t.run("""
                    C: LHLO mta.example
                    S: 250
                    C: MAIL FROM:<x@remote.test>
                    S: 250
                    C: RCPT TO:<%s>
                    S: 250
                    C: RCPT TO:<sales@example.test>
                    S: 250
                    C: DATA
                    S: 354
                    """.formatted(BOB));
            t.send("Subject: bare\r\n\r\nline\nbare LF\r\n.\r\n");
            t.expect("550 5.5.2");
            t.expect("550 5.5.2");
            String body = "Subject: chunked " + marker + "\r\n\r\nHello.\r\n";
            t.run("""
                    C: MAIL FROM:<x@remote.test>
                    S: 250
                    C: RCPT TO:<%s>
                    S: 250
                    C: RCPT TO:<sales@example.test>
                    S: 250
                    """.formatted(BOB));
            t.send("BDAT " + body.length() + " LAST\r\n" + body);
            t.expect("250 2.1.5 Ok: " + BOB);
            t.expect("250 2.1.5 Ok: sales@example.test");
        }
        assertThat(count(BOB, "chunked " + marker)).isEqualTo(1);
        assertThat(count(ALICE, "chunked " + marker)).isEqualTo(1);
    }

    @Test
    void swaksAndPythonSmtplibDeliverOverLmtp() throws Exception {
        String swaks = ExternalTool.require("swaks", "Debian package swaks");
        String viaSwaks = UUID.randomUUID().toString();
        String port = String.valueOf(server.engine.address(LMTP).getPort());
        Process p = new ProcessBuilder(swaks, "--protocol", "LMTP", "--server", "127.0.0.1", "--port", port,
                "--from", "x@remote.test", "--to", BOB + "," + ALICE, "--header", "Subject: " + viaSwaks,
                "--body", "via swaks").redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        // swaks prints one line per recipient's reply after the dot.
        assertThat(output).contains("<-  250 2.1.5 Ok: " + BOB).contains("<-  250 2.1.5 Ok: " + ALICE);
        assertThat(count(BOB, viaSwaks)).isEqualTo(1);

        String viaPython = UUID.randomUUID().toString();
        Path script = Files.writeString(dir.resolve("lmtp.py"), """
                import smtplib, sys
                with smtplib.LMTP("127.0.0.1", int(sys.argv[1])) as s:
                    s.sendmail("x@remote.test", [sys.argv[2]], "Subject: " + sys.argv[3] + "\\r\\n\\r\\nvia smtplib.LMTP\\r\\n")
                print("sent")
                """);
        Process py = new ProcessBuilder("python3", script.toString(), port, BOB, viaPython).redirectErrorStream(true).start();
        String pyOut = new String(py.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(py.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(pyOut).contains("sent");
        assertThat(count(BOB, viaPython)).isEqualTo(1);
    }
}
