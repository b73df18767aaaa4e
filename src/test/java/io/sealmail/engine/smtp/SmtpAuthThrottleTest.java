package io.sealmail.engine.smtp;

import io.sealmail.config.Limits;
import io.sealmail.config.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static io.sealmail.engine.smtp.SmtpTestServer.ALICE;
import static io.sealmail.engine.smtp.SmtpTestServer.PASSWORD;
import static io.sealmail.engine.smtp.SmtpTestServer.plain;

/** Failed logins per client address, across connections and ports: past the limit AUTH is refused with 454. */
class SmtpAuthThrottleTest {
    @TempDir
    Path dir;

    @Test
    void failuresFromOneAddressAcrossConnectionsAndPortsBlockFurtherAuth() throws Exception {
        Limits d = Limits.DEFAULTS;
        Limits limits = new Limits(d.maxMessageSize(), d.maxRecipients(), d.maxCommandLine(), d.maxTextLine(), 20,
                5, 3, Duration.ofMinutes(15), d.idleTimeout(), d.dataTimeout(), d.imapIdleTimeout(),
                d.maxConnections(), d.maxConnectionsPerAddress(), d.maxLiteralSize(), d.quotaPerAccount());
        try (SmtpTestServer server = new SmtpTestServer(dir, l -> limits)) {
            try (Transcript t = server.connect(Role.SMTPS)) {
                t.run("""
                        C: EHLO client.test
                        S: 250
                        C: AUTH PLAIN %1$s
                        S: 535 5.7.8
                        C: AUTH PLAIN %1$s
                        S: 535 5.7.8
                        """.formatted(plain(ALICE, "guess1")));
            }
            try (Transcript t = server.submission0()) {
                t.run("""
                        C: AUTH PLAIN %1$s
                        S: 535 5.7.8
                        C: AUTH PLAIN %2$s
                        S: 454 4.7.0
                        """.formatted(plain(ALICE, "guess3"), plain(ALICE, PASSWORD)));
            }
            int checks = server.accounts.authenticateCalls.get();
            try (Transcript t = server.connect(Role.SMTPS)) {
                t.run("""
                        C: EHLO client.test
                        S: 250
                        C: AUTH PLAIN %s
                        S: 454 4.7.0 Too many authentication failures from your address
                        """.formatted(plain(ALICE, PASSWORD)));
            }
            org.assertj.core.api.Assertions.assertThat(server.accounts.authenticateCalls.get())
                    .as("a blocked address does not even get a password check").isEqualTo(checks);
        }
    }
}
