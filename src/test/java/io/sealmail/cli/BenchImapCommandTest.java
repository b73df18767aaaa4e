package io.sealmail.cli;

import io.sealmail.bench.MaildirFill;
import io.sealmail.config.Role;
import io.sealmail.engine.imap.MailAccessTestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static io.sealmail.engine.imap.MailAccessTestServer.JOE;
import static io.sealmail.engine.imap.MailAccessTestServer.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code sealmail bench imap --client-warm-up N --server-pid-from-stdin}: what compare-imap.sh uses to measure a
 * server's first use after its restart with a client whose JIT is already warm.
 */
class BenchImapCommandTest {
    @TempDir
    Path dir;

    @Test
    void warmsTheClientThenWaitsForTheRestartedServersPidAndReportsOnlyTheRoundsAfterIt() throws Exception {
        MaildirFill.fill(dir.resolve("data/mail/" + JOE), JOE, 20, 1000);
        try (MailAccessTestServer server = new MailAccessTestServer(dir, l -> l, true)) {
            // The "restarted server" is this JVM, where the engine runs: its CPU time is what gets reported.
            String pid = Long.toString(ProcessHandle.current().pid());
            BenchImapCommand bench = command(server, "--tests", "headers,store", "--rounds", "2",
                    "--client-warm-up", "1", "--server-pid-from-stdin");
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            bench.in = new ByteArrayInputStream((pid + "\n").getBytes(StandardCharsets.US_ASCII));
            bench.out = new PrintStream(printed, true, StandardCharsets.UTF_8);

            assertThat(bench.call()).isZero();

            List<String> lines = printed.toString(StandardCharsets.UTF_8).lines().toList();
            assertThat(lines).hasSize(4);
            assertThat(lines.get(0)).startsWith("sealmail bench imap: localhost:");
            assertThat(lines.get(1)).as("the warm-up's rounds print nothing").isEqualTo("ready");
            assertThat(lines.get(2)).contains("HEADER.FIELDS").contains(": 20 FETCH responses").contains("server CPU");
            assertThat(lines.get(3)).startsWith("STORE 1:* +FLAGS.SILENT").contains("server CPU");
        }
    }

    @Test
    void anEmptyLineKeepsTheServerPidGivenAndAnythingElseIsAClearError() {
        assertThat(BenchImapCommand.serverPid("", 42L)).isEqualTo(42L);
        assertThat(BenchImapCommand.serverPid(" 4711 ", 42L)).isEqualTo(4711L);
        assertThat(BenchImapCommand.serverPid("", null)).isNull();
        assertThatThrownBy(() -> BenchImapCommand.serverPid("restarted", 42L)).isInstanceOf(UserError.class)
                .hasMessageContaining("'restarted' is not a process ID");
        assertThatThrownBy(() -> BenchImapCommand.serverPid("-3", 42L)).isInstanceOf(UserError.class);
        assertThatThrownBy(() -> BenchImapCommand.serverPid(null, 42L)).isInstanceOf(UserError.class)
                .hasMessageContaining("standard input ended");
    }

    @Test
    void theIdleTestTakesNoClientWarmUp() throws Exception {
        BenchImapCommand bench = new BenchImapCommand();
        new CommandLine(bench).parseArgs("--cafile", dir.resolve("ca.crt").toString(), "--user", JOE, "--password", PASSWORD,
                "--tests", "idle", "--client-warm-up", "1");
        assertThatThrownBy(bench::call).isInstanceOf(UserError.class).hasMessageContaining("not idle");
    }

    private BenchImapCommand command(MailAccessTestServer server, String... more) {
        BenchImapCommand bench = new BenchImapCommand();
        List<String> args = new java.util.ArrayList<>(List.of("--port", Integer.toString(server.port(Role.IMAPS)),
                "--cafile", server.pki().caCrt().toString(), "--user", JOE, "--password", PASSWORD));
        args.addAll(List.of(more));
        new CommandLine(bench).parseArgs(args.toArray(String[]::new));
        return bench;
    }
}
