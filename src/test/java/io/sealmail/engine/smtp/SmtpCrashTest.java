package io.sealmail.engine.smtp;

import io.sealmail.config.Role;
import io.sealmail.engine.tls.TestPki;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * End to end through SMTP: concurrent deliveries into an engine in a child JVM, SIGKILL mid-way, restart.
 * Every message that got its 250 is in the mailbox exactly once; every visible message is complete.
 */
class SmtpCrashTest {
    @TempDir
    Path dir;

    /** A started engine child and the port it bound (port 0: the system picks, so parallel runs cannot collide). */
    private record Child(Process process, InetSocketAddress address) {
    }

    private Child startEngine() throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"),
                CrashTestEngine.class.getName(), dir.toString(), "0")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String line;
        while ((line = out.readLine()) != null && System.nanoTime() < deadline) {
            if (line.startsWith("READY ")) {
                Thread drain = new Thread(() -> {
                    try {
                        out.transferTo(java.io.Writer.nullWriter());
                    } catch (IOException ignored) {
                        // child died
                    }
                });
                drain.setDaemon(true);
                drain.start();
                return new Child(p, new InetSocketAddress("127.0.0.1", Integer.parseInt(line.substring("READY ".length()).trim())));
            }
        }
        p.destroyForcibly();
        throw new AssertionError("engine child did not start");
    }

    /** One SMTP session sending messages until told to stop; records the markers acknowledged with 250. */
    private static void sendUntilStopped(InetSocketAddress address, Set<String> acknowledged, AtomicBoolean stop) {
        while (!stop.get()) {
            try (Transcript t = Transcript.connect(address, null)) {
                t.expect("220");
                t.run("""
                        C: EHLO load.test
                        S: 250
                        """);
                while (!stop.get()) {
                    String marker = UUID.randomUUID().toString();
                    t.run("""
                            C: MAIL FROM:<load@remote.test>
                            S: 250
                            C: RCPT TO:<bob@example.test>
                            S: 250
                            C: DATA
                            S: 354
                            """);
                    StringBuilder body = new StringBuilder("Subject: " + marker + "\r\n\r\n");
                    for (int i = 0; i < 100; i++) {
                        body.append("line ").append(i).append(" of a message that should be all or nothing\r\n");
                    }
                    body.append("END ").append(marker).append("\r\n.\r\n");
                    t.send(body.toString());
                    List<String> reply = t.reply();
                    if (reply.get(reply.size() - 1).startsWith("250 ")) {
                        acknowledged.add(marker);
                    }
                }
            } catch (Throwable e) {
                // The engine was killed: reconnect until told to stop (connection refused until then). The pause is
                // this client's retry pace, not a wait for a condition.
                try {
                    Thread.sleep(20);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    @Test
    void everyAcknowledgedMessageSurvivesSigkillExactlyOnceAndNothingHalfWrittenIsVisible() throws Exception {
        TestPki.create(dir.resolve("tls"));
        Child first = startEngine();
        Process engine = first.process();
        InetSocketAddress address = first.address();
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService clients = Executors.newFixedThreadPool(8);
        for (int i = 0; i < 8; i++) {
            clients.execute(() -> sendUntilStopped(address, acknowledged, stop));
        }
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        // The kill comes once 60 messages are acknowledged (polled every 10 ms), or after 20 s with however many
        // there are: it must land mid-flow either way, and the assertions below hold for any number.
        while (acknowledged.size() < 60 && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        engine.destroyForcibly(); // SIGKILL, mid-delivery
        engine.waitFor(10, TimeUnit.SECONDS);
        stop.set(true);
        clients.shutdown();
        assertThat(clients.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        Set<String> acked = Set.copyOf(acknowledged);
        assertThat(acked).as("deliveries acknowledged before the kill").hasSizeGreaterThan(20);

        Child second = startEngine();
        Process restarted = second.process();
        try {
            // Maildir readers see new/ (and cur/); tmp/ is invisible by definition.
            List<String> visible = new ArrayList<>();
            try (var files = Files.walk(dir.resolve("data").resolve("mail"))) {
                for (Path p : files.filter(f -> Files.isRegularFile(f) && f.getParent().getFileName().toString().equals("new")).toList()) {
                    visible.add(Files.readString(p, StandardCharsets.UTF_8));
                }
            }
            for (String m : visible) {
                assertThat(m).as("every visible message is whole").startsWith("Return-Path: <load@remote.test>\r\nReceived: ")
                        .matches("(?s).*\r\nEND [0-9a-f-]{36}\r\n$");
            }
            Map<String, Long> counts = visible.stream()
                    .map(m -> m.substring(m.lastIndexOf("END ") + 4).trim())
                    .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
            for (String marker : acked) {
                assertThat(counts.getOrDefault(marker, 0L)).as("acknowledged %s delivered exactly once", marker).isEqualTo(1L);
            }
            assertThat(counts.values()).as("no message delivered twice").allMatch(c -> c == 1L);
            // And the restarted engine takes mail again.
            try (Transcript t = Transcript.connect(second.address(), null)) {
                t.run("""
                        S: 220
                        C: EHLO after.test
                        S: 250
                        C: MAIL FROM:<load@remote.test>
                        S: 250
                        C: RCPT TO:<bob@example.test>
                        S: 250
                        C: DATA
                        S: 354
                        C: Subject: after restart
                        C: .
                        S: 250
                        """);
            }
            System.out.printf("crash test: %d acknowledged before SIGKILL, %d visible after restart%n", acked.size(), visible.size());
        } finally {
            restarted.destroyForcibly();
            restarted.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
