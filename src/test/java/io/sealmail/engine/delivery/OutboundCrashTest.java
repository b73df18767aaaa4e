package io.sealmail.engine.delivery;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * SIGKILL of the engine (a child JVM) while it sends 1,000 queued messages, three times, then a restart: every
 * message reaches the remote, nothing stays queued, and duplicates (killed between the remote's 250 and our
 * record) are counted and printed. A last kill after everything was delivered (the quiet case) sends nothing again.
 */
class OutboundCrashTest {
    static final int MESSAGES = 1000;
    private static final Pattern MESSAGE_ID = Pattern.compile("Message-ID: <(\\d+)@crash.test>");

    @TempDir
    Path dir;
    private ScriptedPeer peer;
    private Process child;

    @AfterEach
    void stop() throws Exception {
        if (child != null) {
            child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        if (peer != null) {
            peer.close();
        }
    }

    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private Process startChild() throws Exception {
        lines.clear();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), OutboundCrashChild.class.getName(),
                dir.toString(), peer.address().getHostAddress(), Integer.toString(peer.port()), Integer.toString(MESSAGES))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (Exception ignored) {
                // the child died
            }
        });
        reader.setDaemon(true);
        reader.start();
        return p;
    }

    private String awaitLine(String prefix) throws InterruptedException {
        while (true) {
            String line = lines.poll(120, TimeUnit.SECONDS);
            assertThat(line).as("child output before '" + prefix + "'").isNotNull();
            if (line.startsWith(prefix)) {
                return line;
            }
        }
    }

    private Map<Integer, Integer> receivedCounts() {
        Map<Integer, Integer> counts = new HashMap<>();
        for (ScriptedPeer.Received r : peer.received) {
            Matcher m = MESSAGE_ID.matcher(r.text());
            if (m.find()) {
                counts.merge(Integer.parseInt(m.group(1)), r.rcptTo().size(), Integer::sum);
            }
        }
        return counts;
    }

    private long queuedEntries() throws Exception {
        Path entries = dir.resolve("data/queue/entries");
        try (Stream<Path> files = Files.list(entries)) {
            return files.filter(f -> f.toString().endsWith(".msg")).count();
        }
    }

    @Test
    void killedThreeTimesWhileSendingAThousandMessagesEveryOneArrives() throws Exception {
        peer = new ScriptedPeer(InetAddress.getByName("127.0.1.12"), 0);
        child = startChild();
        awaitLine("QUEUED");
        int kills = 0;
        for (int threshold : new int[]{200, 500, 800}) {
            await().atMost(Duration.ofMinutes(3)).until(() -> receivedCounts().size() >= threshold);
            child.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL, mid-delivery
            kills++;
            child = startChild();
            awaitLine("READY");
        }
        await().atMost(Duration.ofMinutes(5)).until(() -> receivedCounts().size() == MESSAGES && queuedEntries() == 0);
        Map<Integer, Integer> counts = receivedCounts();
        int duplicates = counts.values().stream().mapToInt(c -> c - 1).sum();
        System.out.printf("OUTBOUND CRASH: %d messages, %d SIGKILLs under load, %d sent twice (killed between the "
                + "remote's 250 and the record)%n", MESSAGES, kills, duplicates);
        assertThat(counts).hasSize(MESSAGES);
        // At most one per connection at each kill, maxConnectionsPerDestination connections: the transaction in
        // flight, if the kill fell between the remote's 250 and the removal of its entry (an unlink, right after).
        int connections = io.sealmail.config.Outbound.DEFAULTS.maxConnectionsPerDestination();
        assertThat(duplicates).isLessThanOrEqualTo(connections * kills);

        // The quiet case: everything recorded, then SIGKILL: nothing is queued after the restart, nothing resent.
        int before = peer.received.size();
        child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        child = startChild();
        assertThat(awaitLine("LOADED ")).isEqualTo("LOADED 0");
        awaitLine("READY");
        assertThat(peer.received).hasSize(before);
    }
}
