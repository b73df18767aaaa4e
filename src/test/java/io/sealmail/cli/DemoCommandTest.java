package io.sealmail.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Starts {@code sealmail demo} as a user would (a separate JVM), waits for "sealmail demo ready", then sends a
 * message with curl over STARTTLS trusting only the demo's ca.crt, and finds it in the recipient's Maildir.
 */
class DemoCommandTest {

    @TempDir
    Path dir;

    private Process demo;

    @AfterEach
    void stop() throws InterruptedException {
        if (demo != null) {
            demo.destroy();
            if (!demo.waitFor(20, TimeUnit.SECONDS)) {
                demo.destroyForcibly();
            }
        }
    }

    /** The port the demo's guide prints for a role, e.g. {@code   submission  40123  STARTTLS required}. */
    private static int port(List<String> guide, String role) {
        java.util.regex.Pattern p = java.util.regex.Pattern.compile("^  " + role + " +([0-9]+)\\b.*");
        for (String line : guide) {
            java.util.regex.Matcher m = p.matcher(line);
            if (m.matches()) {
                return Integer.parseInt(m.group(1));
            }
        }
        throw new AssertionError("no " + role + " port in the guide:\n" + String.join("\n", guide));
    }

    private List<String> startDemo(String... extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), DemoMain.class.getName(),
                "--data-dir", dir.toString()));
        cmd.addAll(List.of(extra));
        demo = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        BufferedReader out = new BufferedReader(new InputStreamReader(demo.getInputStream(), StandardCharsets.UTF_8));
        long deadline = System.currentTimeMillis() + 120_000;
        String line;
        while (System.currentTimeMillis() < deadline && (line = out.readLine()) != null) {
            lines.add(line);
            if (line.equals("sealmail demo ready")) {
                Thread drain = new Thread(() -> {
                    try {
                        while (out.readLine() != null) {
                            // keep the pipe empty
                        }
                    } catch (IOException ignored) {
                        // process ended
                    }
                });
                drain.setDaemon(true);
                drain.start();
                return lines;
            }
        }
        throw new AssertionError("demo never printed 'sealmail demo ready':\n" + String.join("\n", lines));
    }

    @Test
    void theDemoServesSubmissionOverStartTlsWithItsOwnCaAndDeliversToTheMaildir() throws Exception {
        // Ports the system picks, read back from the guide: parallel runs cannot collide.
        List<String> out = startDemo("--ephemeral-ports",
                "--user", "carol@example.test:carol-pass-1", "--user", "dan@example.test:dan-pass-2");
        int submission = port(out, "submission");
        assertThat(port(out, "smtps")).isPositive().isNotEqualTo(submission);
        assertThat(String.join("\n", out))
                .contains("carol@example.test  password carol-pass-1")
                .contains("swaks --server localhost:" + submission);
        Path ca = dir.resolve("tls").resolve("ca.crt");
        assertThat(ca).exists();
        Path message = dir.resolve("message.txt");
        Files.writeString(message, "Subject: from the demo test\r\n\r\nHello Dan\r\n");
        io.sealmail.testing.ExternalTool.require("curl");
        Process curl = new ProcessBuilder("curl", "-sS", "--max-time", "60", "--ssl-reqd", "--cacert", ca.toString(),
                "smtp://localhost:" + submission, "-u", "carol@example.test:carol-pass-1",
                "--mail-from", "carol@example.test", "--mail-rcpt", "dan@example.test", "-T", message.toString())
                .redirectErrorStream(true).start();
        String curlOut = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(curl.waitFor(90, TimeUnit.SECONDS)).isTrue();
        assertThat(curl.exitValue()).as("curl said: %s", curlOut).isZero();
        Path inbox = dir.resolve("data").resolve("mail").resolve("dan@example.test").resolve("new");
        try (var files = Files.list(inbox)) {
            List<Path> delivered = files.toList();
            assertThat(delivered).hasSize(1);
            assertThat(Files.readString(delivered.get(0))).contains("Hello Dan").contains("Return-Path: <carol@example.test>");
        }
        // The demo serves the engine's health and metrics endpoint, and the message and login above are counted.
        java.util.regex.Matcher metricsUrl = java.util.regex.Pattern.compile("curl -s (http://127\\.0\\.0\\.1:[0-9]+)/metrics")
                .matcher(String.join("\n", out));
        assertThat(metricsUrl.find()).as("the guide names the metrics URL").isTrue();
        String base = metricsUrl.group(1);
        var http = java.net.http.HttpClient.newHttpClient();
        var ready = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/readyz")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).isEqualTo(200);
        String metrics = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("sealmail_messages_accepted_total{role=\"submission\"} 1.0")
                .contains("sealmail_auth_total{result=\"success\",role=\"submission\"} 1.0")
                .contains("sealmail_tls_handshakes_total{protocol=\"TLSv1.3\",result=\"success\"}");
    }

    @Test
    void aBadUserOptionIsOneClearLineAndNoStackTrace() throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), DemoMain.class.getName(),
                "--data-dir", dir.toString(), "--user", "nopassword").redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isNotZero();
        assertThat(output).contains("--user must be ADDRESS:PASSWORD").doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void aSecondDemoOnTheSameDirectoryStopsBeforeWritingAnything() throws Exception {
        // The first demo's engine holds this lock while it runs; the second one must not touch its certificate.
        try (io.sealmail.store.QueueLock held = io.sealmail.store.QueueLock.tryAcquire(dir.resolve("data").resolve("queue"))
                .orElseThrow()) {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), DemoMain.class.getName(),
                    "--data-dir", dir.toString(), "--ephemeral-ports").redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isNotZero();
            assertThat(output).contains("another demo (or engine) is running on").doesNotContain("\tat ");
            assertThat(dir.resolve("tls")).doesNotExist();
        }
    }
}
