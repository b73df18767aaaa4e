package io.sealmail.engine.imap;

import io.sealmail.config.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The engine owns and closes everything it starts: 50 engines started, used (an IMAPS login and SELECT on the
 * production Maildir store, a POP3S login) and stopped in one JVM leave no thread and no file descriptor behind.
 */
class EngineLifecycleTest {
    private static final int ROUNDS = 50;

    @TempDir
    Path dir;

    @Test
    void fiftyEnginesStartedAndStoppedLeaveNoThreadOrFileDescriptor() throws Exception {
        round(); // classes loaded and jars opened once, as any first use does
        await().atMost(Duration.ofSeconds(30)).until(() -> threads() == stableThreads());
        int threadsBefore = threads();
        java.util.Set<String> namesBefore = names();
        long fdsBefore = fds();
        for (int i = 0; i < ROUNDS; i++) {
            round();
        }
        // Shared JDK and Netty threads (the common ForkJoinPool's workers, Netty's GlobalEventExecutor) go away by
        // themselves after up to a minute of quiet; the engine's own must be gone already.
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            assertThat(threads()).as("threads after %d engines; new: %s", ROUNDS, newThreads(namesBefore))
                    .isLessThanOrEqualTo(threadsBefore);
            assertThat(fds()).as("open file descriptors after %d engines", ROUNDS).isLessThanOrEqualTo(fdsBefore);
        });
    }

    private void round() throws Exception {
        try (MailAccessTestServer server = new MailAccessTestServer(dir, l -> l, true)) {
            try (WireClient c = WireClient.tls(server.address(Role.IMAPS), server.pki().clientContext())) {
                c.readLine();
                c.sendLine("a LOGIN " + MailAccessTestServer.JOE + " \"" + MailAccessTestServer.PASSWORD + "\"");
                assertThat(c.readUntil("a ")).startsWith("a OK");
                c.sendLine("b SELECT INBOX");
                assertThat(c.readUntil("b ")).startsWith("b OK");
            }
            try (WireClient c = WireClient.tls(server.address(Role.POP3S), server.pki().clientContext())) {
                c.readLine();
                c.sendLine("USER " + MailAccessTestServer.JOE);
                c.readLine();
                c.sendLine("PASS " + MailAccessTestServer.PASSWORD);
                assertThat(c.readLine()).startsWith("+OK Logged in");
            }
        }
    }

    private static int stableThreads() throws InterruptedException {
        int a = threads();
        Thread.sleep(200); // sampling interval of the "no longer changing" check, not a wait for a condition
        return Math.min(a, threads());
    }

    private static java.util.Set<String> names() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
    }

    private static java.util.Set<String> newThreads(java.util.Set<String> before) {
        java.util.Set<String> now = names();
        now.removeAll(before);
        return now;
    }

    private static int threads() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }

    private static long fds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }
}
