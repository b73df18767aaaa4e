package io.sealmail.engine.imap;

import io.sealmail.config.Role;
import io.sealmail.testing.ExternalTool;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SCRAM-SHA-256 with an independent implementation: mbsync (isync) authenticates through Cyrus SASL's SCRAM plugin,
 * restricted to that one mechanism, and syncs INBOX over IMAPS; with a wrong password the proof fails.
 */
class MbsyncScramTest {
    private static final Path SCRAM_PLUGIN = Path.of("/usr/lib/x86_64-linux-gnu/sasl2/libscram.so");

    @TempDir
    Path dir;

    @Test
    void mbsyncLogsInWithScramSha256AndSyncsInbox() throws Exception {
        try (MailAccessTestServer server = new MailAccessTestServer(dir.resolve("server"))) {
            server.deliver(MailAccessTestServer.JOE, "Subject: over SCRAM\r\n\r\nhello\r\n");
            Result r = mbsync(server, MailAccessTestServer.PASSWORD);
            assertThat(r.exit()).as(r.output()).isZero();
            try (Stream<Path> files = Stream.concat(Files.list(dir.resolve("local/INBOX/new")),
                    Files.list(dir.resolve("local/INBOX/cur")))) {
                List<Path> synced = files.toList();
                assertThat(synced).hasSize(1);
                assertThat(Files.readString(synced.get(0))).contains("Subject: over SCRAM");
            }
        }
    }

    @Test
    void aWrongPasswordFailsTheProof() throws Exception {
        try (MailAccessTestServer server = new MailAccessTestServer(dir.resolve("server"), l -> l, false,
                b -> b.authFailureDelay(Duration.ZERO))) {
            Result r = mbsync(server, "not the password");
            assertThat(r.exit()).as(r.output()).isNotZero();
            assertThat(server.engine.context().metrics().registry().find("sealmail.auth").tag("result", "failure")
                    .counter().count()).isGreaterThanOrEqualTo(1);
        }
    }

    record Result(int exit, String output) {
    }

    private Result mbsync(MailAccessTestServer server, String password) throws IOException, InterruptedException {
        String mbsync = ExternalTool.require("mbsync", "Debian package isync");
        if (!Files.exists(SCRAM_PLUGIN)) {
            String message = "needs Cyrus SASL's SCRAM plugin " + SCRAM_PLUGIN + " (Debian package libsasl2-modules)";
            if (System.getenv(ExternalTool.REQUIRE) != null) {
                throw new AssertionError(message);
            }
            Assumptions.abort(message);
        }
        Files.createDirectories(dir.resolve("local"));
        Path config = dir.resolve("mbsyncrc");
        Files.writeString(config, """
                IMAPAccount test
                Host localhost
                Port %d
                User %s
                Pass "%s"
                AuthMechs SCRAM-SHA-256
                SSLType IMAPS
                SystemCertificates no
                CertificateFile %s

                IMAPStore remote
                Account test

                MaildirStore local
                Path %s/
                Inbox %s/INBOX

                Channel sync
                Far :remote:
                Near :local:
                Patterns INBOX
                Create Near
                SyncState *
                """.formatted(server.port(Role.IMAPS), MailAccessTestServer.JOE, password, server.pki().caCrt(),
                dir.resolve("local"), dir.resolve("local")), StandardCharsets.UTF_8);
        Process p = new ProcessBuilder(mbsync, "-c", config.toString(), "sync").redirectErrorStream(true).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                throw new AssertionError("mbsync did not finish within 60 s");
            }
            return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }
}
