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
    void storeSettledTimesTheAnswerAndWithTheServersPidTheWorkUntilDone() throws Exception {
        MaildirFill.fill(dir.resolve("data/mail/" + JOE), JOE, 50, 1000);
        try (MailAccessTestServer server = new MailAccessTestServer(dir, l -> l, true)) {
            // This JVM (where the engine runs) never stands still for 300 ms under a test runner, so the wait would
            // run to its 30 s bound each time; an idle process stands for the server: this checks the figures'
            // plumbing, not the engine's CPU.
            Process idle = new ProcessBuilder("sleep", "60").start();
            List<String> withPid;
            try {
                withPid = run(command(server, "--tests", "store-settled", "--rounds", "2", "--server-pid",
                        Long.toString(idle.pid())));
            } finally {
                idle.destroyForcibly();
            }
            assertThat(withPid).hasSize(3);
            assertThat(withPid.get(1)).startsWith("STORE 1:* +FLAGS.SILENT (\\Seen) alone, answered:")
                    .doesNotContain("server CPU");
            assertThat(withPid.get(2)).startsWith("STORE 1:* +FLAGS.SILENT (\\Seen) alone, server's work done:")
                    .contains("server CPU");
            assertThat(millis(withPid.get(2))).as("done no sooner than answered")
                    .isGreaterThanOrEqualTo(millis(withPid.get(1)));

            List<String> withoutPid = run(command(server, "--tests", "store-settled", "--rounds", "1"));
            assertThat(withoutPid).as("without the server's process only the answer is timed").hasSize(2);
            assertThat(withoutPid.get(1)).contains("alone, answered:");
        }
    }

    private static List<String> run(BenchImapCommand bench) throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        bench.out = new PrintStream(printed, true, StandardCharsets.UTF_8);
        assertThat(bench.call()).isZero();
        return printed.toString(StandardCharsets.UTF_8).lines().toList();
    }

    /** The "first ... ms" figure of a line. */
    private static double millis(String line) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("first ([0-9.]+) ms").matcher(line);
        assertThat(m.find()).as(line).isTrue();
        return Double.parseDouble(m.group(1));
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
