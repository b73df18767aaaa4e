package io.sealmail.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import io.sealmail.engine.tls.TestPki;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code sealmail engine --config FILE} refuses a configuration that cannot run with one clear line, exit code 2. */
class EngineCommandTest {
    @TempDir
    Path dir;

    private record Result(int exit, String stderr) {
    }

    private Result run(String yaml) throws Exception {
        Path file = Files.writeString(dir.resolve("engine.yaml"), yaml);
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int exit = new CommandLine(new EngineCommand()).execute("--config", file.toString());
            return new Result(exit, err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(saved);
        }
    }

    private static void assertOneLine(Result r, String expected) {
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.stderr().lines().toList()).hasSize(1);
        assertThat(r.stderr()).startsWith("sealmail engine: ").contains(expected).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void malformedYamlIsOneLine() throws Exception {
        assertOneLine(run("hostname: [unclosed\n"), "sealmail engine: " + dir.resolve("engine.yaml") + ": engine config is not valid");
    }

    @Test
    void aMissingRequiredFieldIsNamed() throws Exception {
        assertOneLine(run("domains: [example.test]\n"), "sealmail engine: " + dir.resolve("engine.yaml") + ": hostname is required");
    }

    @Test
    void unreadableCertificateFilesAreNamed() throws Exception {
        String yaml = """
                hostname: mail.test
                domains: [example.test]
                listeners:
                  - {role: smtp, address: 127.0.0.1, port: 0}
                tls: {certFile: %1$s/none.crt, keyFile: %1$s/none.key}
                accountsFile: %1$s/accounts
                dataDir: %1$s/data
                httpPort: -1
                """.formatted(dir);
        // Found while starting, not while reading: still said as a problem of the configuration file.
        assertOneLine(run(yaml), "sealmail engine: " + dir.resolve("engine.yaml") + ": tls: ");
    }

    @Test
    void exitWhenReadyWarmsUpBindsEveryListenerThenStopsAndExitsZero() throws Exception {
        // The image's AOT training run: a real start (warm-up included), then the same stop as SIGTERM's.
        TestPki pki = TestPki.create(dir.resolve("tls"));
        int imaps;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            imaps = free.getLocalPort();
        }
        String yaml = """
                hostname: mail.test
                domains: [example.test]
                listeners:
                  - {role: imaps, address: 127.0.0.1, port: %2$d}
                tls: {certFile: %3$s, keyFile: %4$s}
                accountsFile: %1$s/accounts
                dataDir: %1$s/data
                httpPort: -1
                warmUp: {messages: 100, maxTime: PT300S}
                """.formatted(dir, imaps, pki.tlsCrt(), pki.tlsKey());
        Files.writeString(dir.resolve("accounts"), "");
        Path file = Files.writeString(dir.resolve("engine.yaml"), yaml);
        CommandLine cli = new CommandLine(new EngineCommand());
        int exit = cli.execute("--config", file.toString(), "--exit-when-ready");
        assertThat(exit).isZero();
        EngineCommand command = cli.getCommand();
        assertThat(command.lastWarmUp).as("the warm-up ran before it was ready").isPresent();
        assertThat(command.lastWarmUp.get().rounds()).isPositive();
        assertThat(dir.resolve("data/warm-up")).as("scratch mailbox removed").doesNotExist();
        try (Socket s = new Socket()) {
            assertThatThrownBy(() -> s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), imaps), 2000))
                    .as("the listener is closed once it exits").isInstanceOf(ConnectException.class);
        }
    }

    @Test
    void exitWhenReadyFailsWhenTheWarmUpWasCutShort() throws Exception {
        // A training run must not record a cache of the start alone: a warm-up that ran out of time fails it.
        TestPki pki = TestPki.create(dir.resolve("tls"));
        String yaml = """
                hostname: mail.test
                domains: [example.test]
                listeners:
                  - {role: imaps, address: 127.0.0.1, port: 0}
                tls: {certFile: %2$s, keyFile: %3$s}
                accountsFile: %1$s/accounts
                dataDir: %1$s/data
                httpPort: -1
                warmUp: {messages: 2000, maxTime: PT0.001S}
                """.formatted(dir, pki.tlsCrt(), pki.tlsKey());
        Files.writeString(dir.resolve("accounts"), "");
        Path file = Files.writeString(dir.resolve("engine.yaml"), yaml);
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int exit = new CommandLine(new EngineCommand()).execute("--config", file.toString(), "--exit-when-ready");
            assertThat(exit).isEqualTo(1);
        } finally {
            System.setErr(saved);
        }
        assertThat(err.toString(StandardCharsets.UTF_8).strip())
                .startsWith("sealmail engine: --exit-when-ready: the warm-up did not run to its end (")
                .doesNotContain("Exception");
    }

    @Test
    void aMissingConfigFileIsOneLine() {
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int exit = new CommandLine(new EngineCommand()).execute("--config", dir.resolve("nope.yaml").toString());
            String out = err.toString(StandardCharsets.UTF_8);
            assertOneLine(new Result(exit, out), "cannot read");
            assertThat(out.strip()).isEqualTo("sealmail engine: cannot read " + dir.resolve("nope.yaml") + ": no such file");
        } finally {
            System.setErr(saved);
        }
    }
}
