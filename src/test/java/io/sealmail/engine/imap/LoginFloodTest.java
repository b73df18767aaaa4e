package io.sealmail.engine.imap;

import io.sealmail.config.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A flood of wrong passwords must cost the attackers time and nobody else anything. More attacking connections
 * than the mail-access worker pool has threads (32) each send a wrong password over IMAPS or POP3S, from its own
 * address (127.0.4.x); while every one of them is still inside its failure delay (a minute here), a user from
 * another address logs in and SELECTs INBOX, and reads its mail over POP3. With the delay slept on the shared pool
 * (as before), the attackers' sleeps occupied every worker and the user's login waited for them.
 */
class LoginFloodTest {
    private static final int IMAP_ATTACKERS = 40;
    private static final int POP3_ATTACKERS = 40;

    @Test
    void attackersWaitOutTheirDelayWhileAnotherAddressLogsInAndSelects(@TempDir Path dir) throws Exception {
        try (MailAccessTestServer server = new MailAccessTestServer(dir, l -> l, false,
                b -> b.authFailureDelay(Duration.ofMinutes(1)).shutdownGrace(Duration.ZERO))) {
            List<WireClient> attackers = new ArrayList<>();
            try {
                for (int i = 0; i < IMAP_ATTACKERS + POP3_ATTACKERS; i++) {
                    InetAddress from = InetAddress.getByName("127.0.4." + (i + 1));
                    boolean imap = i < IMAP_ATTACKERS;
                    WireClient c = WireClient.tls(server.address(imap ? Role.IMAPS : Role.POP3S), from,
                            server.pki().clientContext());
                    attackers.add(c);
                    c.readLine();
                    if (imap) {
                        c.sendLine("a LOGIN " + MailAccessTestServer.JOE + " wrong-" + i);
                    } else {
                        c.sendLine("USER " + MailAccessTestServer.JOE);
                        assertThat(c.readLine()).startsWith("+OK");
                        c.sendLine("PASS wrong-" + i);
                    }
                }
                // Every wrong password has been checked and counted against its address: all are now in their delay.
                await().atMost(Duration.ofSeconds(30)).until(
                        () -> server.engine.context().authThrottle().trackedAddresses() == IMAP_ATTACKERS + POP3_ATTACKERS);

                server.deliver(MailAccessTestServer.JOE, "Subject: hi\r\n\r\nhello\r\n");
                try (WireClient user = WireClient.tls(server.address(Role.IMAPS), server.pki().clientContext())) {
                    user.readLine();
                    user.sendLine("a LOGIN " + MailAccessTestServer.JOE + " \"" + MailAccessTestServer.PASSWORD + "\"");
                    assertThat(user.readUntil("a ")).startsWith("a OK");
                    user.sendLine("b SELECT INBOX");
                    assertThat(user.readUntil("b ")).startsWith("b OK");
                }
                try (WireClient user = WireClient.tls(server.address(Role.POP3S), server.pki().clientContext())) {
                    user.readLine();
                    user.sendLine("USER " + MailAccessTestServer.JOE);
                    user.readLine();
                    user.sendLine("PASS " + MailAccessTestServer.PASSWORD);
                    assertThat(user.readLine()).startsWith("+OK Logged in; 1 messages");
                }
                // The user was served first: no attacker has had its answer (it is due a minute after its attempt).
                for (WireClient attacker : attackers) {
                    assertThat(attacker.silentFor(20)).as("an attacker's failure answer is still held back").isTrue();
                }
                assertThat(server.engine.context().metrics().registry().find("sealmail.auth").tag("result", "failure")
                        .counter()).as("no failure answered yet").isNull();
            } finally {
                for (WireClient c : attackers) {
                    c.close();
                }
            }
        }
    }

    @Test
    void aFailedLoginIsAnsweredAfterItsDelayAndTheNextCommandWaitsForIt(@TempDir Path dir) throws Exception {
        try (MailAccessTestServer server = new MailAccessTestServer(dir, l -> l, false,
                b -> b.authFailureDelay(Duration.ofMillis(300)))) {
            try (WireClient c = WireClient.tls(server.address(Role.IMAPS), server.pki().clientContext())) {
                c.readLine();
                // Pipelined: the NOOP must not be answered before the delayed NO.
                c.send("a LOGIN " + MailAccessTestServer.JOE + " wrong\r\nb NOOP\r\n");
                assertThat(c.readLine()).isEqualTo("a NO [AUTHENTICATIONFAILED] Invalid credentials");
                assertThat(c.readUntil("b ")).startsWith("b OK");
                c.sendLine("c LOGIN " + MailAccessTestServer.JOE + " wrong");
                assertThat(c.readLine()).startsWith("c NO");
                c.sendLine("d LOGIN " + MailAccessTestServer.JOE + " wrong");
                assertThat(c.readLine()).isEqualTo("* BYE Too many authentication failures");
                assertThat(c.readLine()).startsWith("d NO");
                assertThat(c.closedByServer()).isTrue();
            }
        }
    }
}
