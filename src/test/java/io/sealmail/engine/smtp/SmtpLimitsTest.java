package io.sealmail.engine.smtp;

import io.sealmail.config.Role;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.sealmail.engine.smtp.SmtpTestServer.BOB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Every bound past its limit, with small limits so the tests are quick: each gets its clear reply. */
class SmtpLimitsTest {
    @TempDir
    static Path dir;
    static SmtpTestServer server;
    /** Timeouts far apart: 1 s between commands, 10 minutes inside DATA (which no test waits out). */
    static SmtpTestServer timeouts;

    @BeforeAll
    static void start() throws Exception {
        server = new SmtpTestServer(dir, l -> SmtpTestServer.limits(2000L, 3, 5, Duration.ofMinutes(2), Duration.ofMinutes(2), 6, 4));
        timeouts = new SmtpTestServer(dir.resolve("timeouts"),
                l -> SmtpTestServer.limits(null, null, null, Duration.ofSeconds(1), Duration.ofMinutes(10), null, null));
    }

    @AfterAll
    static void stop() {
        server.close();
        timeouts.close();
    }

    private static Transcript inTransaction() throws Exception {
        Transcript t = server.connect(Role.SMTP);
        t.run("""
                C: EHLO client.test
                S: 250
                S~ SIZE 2000
                C: MAIL FROM:<carol@remote.test>
                S: 250
                C: RCPT TO:<bob@example.test>
                S: 250
                """);
        return t;
    }

    @Test
    void recipientsPastTheLimitGet452AndTheMessageStillGoesToTheFirstOnes() throws Exception {
        int bob = server.store.messages(BOB).size();
        try (Transcript t = inTransaction()) {
            t.run("""
                    C: RCPT TO:<alice@example.test>
                    S: 250
                    C: RCPT TO:<sales@example.test>
                    S: 250
                    C: RCPT TO:<postmaster@example.test>
                    S: 452 4.5.3 Too many recipients
                    C: RCPT TO:<bob@example.test>
                    S: 452 4.5.3
                    C: DATA
                    S: 354
                    C: Subject: three
                    C: .
                    S: 250 2.0.0
                    """);
        }
        assertThat(server.store.messages(BOB)).hasSize(bob + 1);
    }

    @Test
    void declaredSizeOverTheLimitIsRefusedAtMail() throws Exception {
        try (Transcript t = server.connect(Role.SMTP)) {
            t.run("""
                    C: EHLO client.test
                    S: 250
                    C: MAIL FROM:<carol@remote.test> SIZE=2001
                    S: 552 5.3.4
                    C: MAIL FROM:<carol@remote.test> SIZE=2000
                    S: 250
                    """);
        }
    }

    @Test
    void aMessageStreamedPastTheLimitIsRefusedAndNothingIsKept() throws Exception {
        int bob = server.store.messages(BOB).size();
        try (Transcript t = inTransaction()) {
            t.run("""
                    C: DATA
                    S: 354
                    """);
            StringBuilder body = new StringBuilder("Subject: big\r\n\r\n");
            while (body.length() < 5000) {
                body.append("0123456789".repeat(9)).append("\r\n");
            }
            t.send(body + ".\r\n");
            t.run("""
                    S: 552 5.3.4
                    C: NOOP
                    S: 250
                    C: MAIL FROM:<carol@remote.test> SIZE=10
                    S: 250
                    C: RCPT TO:<bob@example.test>
                    S: 250
                    C: DATA
                    S: 354
                    C: Subject: small
                    C: .
                    S: 250
                    """);
        }
        List<String> messages = server.store.messages(BOB);
        assertThat(messages).hasSize(bob + 1);
        assertThat(messages.get(bob)).contains("Subject: small");
        assertThat(server.store.openSpools).isEmpty();
        try (var spools = Files.list(dir.resolve("data").resolve("spool"))) {
            assertThat(spools.toList()).as("no spool file left behind").isEmpty();
        }
    }

    @Test
    void aBdatChunkPastTheLimitIsRefused() throws Exception {
        try (Transcript t = inTransaction()) {
            t.send("BDAT 2500 LAST\r\n" + "x".repeat(98).concat("\r\n").repeat(25));
            t.run("""
                    S: 552 5.3.4
                    C: NOOP
                    S: 250
                    """);
        }
    }

    @Test
    void tooManyErrorsCloseTheSessionWith421() throws Exception {
        try (Transcript t = server.connect(Role.SMTP)) {
            t.run("""
                    C: FROB
                    S: 500
                    C: FROB
                    S: 500
                    C: MAIL FROM:<x@remote.test>
                    S: 503
                    C: FROB
                    S: 500
                    C: FROB
                    S: 500
                    S: 421 4.7.0 Too many errors
                    CLOSED
                    """);
        }
    }

    @Test
    void anIdleSessionTimesOutWith421() throws Exception {
        try (Transcript t = timeouts.connect(Role.SMTP)) {
            t.run("""
                    C: EHLO client.test
                    S: 250
                    S: 421 4.4.2 Timeout exceeded
                    CLOSED
                    """);
        }
    }

    @Test
    void dataHasItsOwnLongerTimeout() throws Exception {
        try (Transcript inData = timeouts.connect(Role.SMTP)) {
            inData.run("""
                    C: EHLO client.test
                    S: 250
                    C: MAIL FROM:<carol@remote.test>
                    S: 250
                    C: RCPT TO:<bob@example.test>
                    S: 250
                    C: DATA
                    S: 354
                    C: Subject: slow
                    """);
            // A witness connected after the last line above, idle between commands: once the command timeout has
            // closed it, the session inside DATA has been quiet longer than that too. No clock, no margin.
            try (Transcript witness = timeouts.connect(Role.SMTP)) {
                witness.run("""
                        C: EHLO witness.test
                        S: 250
                        S: 421 4.4.2
                        CLOSED
                        """);
            }
            inData.run("""
                    C: .
                    S: 250
                    C: DATA
                    S: 503
                    S: 421 4.4.2
                    CLOSED
                    """);
        }
    }

    @Test
    void connectionsPastThePerAddressLimitGet421() throws Exception {
        List<Transcript> open = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                open.add(server.connect(Role.SMTP));
            }
            try (Transcript refused = Transcript.connect(server.address(Role.SMTP), server.pki.clientContext())) {
                refused.run("""
                        S: 421 4.7.0 Too many connections
                        CLOSED
                        """);
            }
        } finally {
            for (Transcript t : open) {
                t.close();
            }
        }
        // Closed connections give their slots back.
        await().atMost(Duration.ofSeconds(5)).until(() -> server.engine.context().connections().open() == 0);
        try (Transcript again = server.connect(Role.SMTP)) {
            again.run("""
                    C: NOOP
                    S: 250
                    """);
        }
    }
}
