package io.sealmail.engine.smtp;

import io.sealmail.config.Listener;
import io.sealmail.config.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.sealmail.engine.smtp.SmtpTestServer.ALICE;
import static io.sealmail.engine.smtp.SmtpTestServer.BOB;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The MESSAGE quota ({@code limits.quotaMessagesPerAccount}, two messages per account here) on LMTP into the production
 * store: each recipient's own count, 552 5.2.2 at RCPT when full and after the data when the last place went to
 * another delivery meanwhile; the other recipients still get the message.
 */
class LmtpMessageQuotaTest {
    static final Listener LMTP = new Listener(Role.LMTP, "127.0.6.107", 0);

    @TempDir
    Path dir;

    private static Transcript lmtp(SmtpTestServer server) throws Exception {
        Transcript t = Transcript.connect(server.engine.address(LMTP), server.pki.clientContext());
        t.expect("220 mail.test LMTP");
        t.run("""
                C: LHLO mta.example
                S: 250
                """);
        return t;
    }

    private static void deliver(Transcript t, String subject, String... recipients) throws Exception {
        t.run("""
                C: MAIL FROM:<x@remote.test>
                S: 250
                """);
        for (String r : recipients) {
            t.run("C: RCPT TO:<" + r + ">\nS: 250\n");
        }
        t.run("""
                C: DATA
                S: 354
                """);
        t.send("Subject: " + subject + "\r\n\r\nhello\r\n.\r\n");
    }

    @Test
    void eachRecipientsMessageCountIsItsOwn() throws Exception {
        try (SmtpTestServer server = new SmtpTestServer(dir, l -> l.withQuotas(0, 2), true, SmtpTestServer.addListeners(LMTP), null);
             Transcript t = lmtp(server); Transcript other = lmtp(server)) {
            deliver(t, "first", ALICE);
            t.expect("250 2.1.5");
            // One place left for alice: the second message fits; bob gets his first.
            deliver(t, "second", ALICE, BOB);
            t.expect("250 2.1.5");
            t.expect("250 2.1.5");
            t.run("""
                    C: MAIL FROM:<x@remote.test>
                    S: 250
                    C: RCPT TO:<%s>
                    S: 552 5.2.2
                    C: RCPT TO:<%s>
                    S: 250
                    C: RSET
                    S: 250
                    """.formatted(ALICE, BOB));
            assertThat(server.delivered(ALICE)).hasSize(2);

            // bob: one place; RCPT taken here, the place taken by the other session, then this data: 552 after it.
            t.run("""
                    C: MAIL FROM:<x@remote.test>
                    S: 250
                    C: RCPT TO:<%s>
                    S: 250
                    """.formatted(BOB));
            deliver(other, "meanwhile", BOB);
            other.expect("250 2.1.5");
            t.run("""
                    C: DATA
                    S: 354
                    """);
            t.send("Subject: late\r\n\r\nhello\r\n.\r\n");
            t.expect("552 5.2.2");
            assertThat(server.delivered(BOB)).hasSize(2).noneMatch(m -> m.contains("Subject: late"));
        }
    }
}
