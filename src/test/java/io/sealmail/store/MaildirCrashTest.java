package io.sealmail.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.sealmail.store.StoreTestFiles.files;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * SIGKILL in the middle of many concurrent deliveries, for real: a child JVM delivers and prints each acknowledged
 * id; it is killed with {@code kill -9} (Process.destroyForcibly); then every acknowledged message must be in each
 * recipient's Maildir exactly once, nothing visible may be partial, and a restart removes the tmp/ leftovers.
 */
class MaildirCrashTest {
    @TempDir
    Path data;

    @Test
    void everyAcknowledgedDeliverySurvivesSigkillExactlyOnceAndNothingPartialIsVisible() throws Exception {
        for (int round = 0; round < 2; round++) { // the second round runs on the first round's leftovers
            Set<String> acked = new HashSet<>();
            Set<String> queued = new HashSet<>();
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), CrashDeliveryChild.class.getName(),
                    data.toString(), "32", "r" + round)
                    .redirectErrorStream(true).start();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII))) {
                String line;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                int target = 300 + round * 100;
                while ((line = out.readLine()) != null) {
                    if (line.startsWith("ACK ")) {
                        acked.add(line.substring(4));
                    } else if (line.startsWith("QACK ")) {
                        queued.add(line.substring(5));
                    } else if (line.startsWith("FAIL")) {
                        throw new AssertionError("child failed: " + line);
                    }
                    if (acked.size() >= target || System.nanoTime() > deadline) {
                        child.toHandle().destroyForcibly(); // SIGKILL mid-delivery; our end of the pipe stays open
                        break;
                    }
                }
                // Acknowledgements printed before the kill and still in the pipe count too.
                while ((line = out.readLine()) != null) {
                    if (line.startsWith("ACK ")) {
                        acked.add(line.substring(4));
                    } else if (line.startsWith("QACK ")) {
                        queued.add(line.substring(5));
                    }
                }
            } finally {
                child.destroyForcibly();
                child.waitFor(30, TimeUnit.SECONDS);
            }
            assertThat(acked).hasSizeGreaterThanOrEqualTo(100);

            for (String account : List.of("a@x", "b@x")) {
                Map<String, Integer> seen = new HashMap<>();
                Path root = data.resolve("mail").resolve(account);
                for (Path f : files(root.resolve("new"))) {
                    String content = Files.readString(f, StandardCharsets.US_ASCII);
                    String id = content.substring(content.indexOf("X-Crash-Id: ") + 12, content.indexOf("\r\n\r\n"));
                    assertThat(content).as("complete message %s", f).endsWith("\r\nEND " + id + "\r\n");
                    assertThat(MaildirName.size(f.getFileName().toString())).isEqualTo(Files.size(f));
                    seen.merge(id, 1, Integer::sum);
                }
                assertThat(files(root.resolve("cur"))).isEmpty();
                for (String id : acked) {
                    assertThat(seen.get(id)).as("acknowledged %s in %s", id, account).isEqualTo(1);
                }
                assertThat(seen.values()).allMatch(n -> n == 1);
            }
            Set<String> inQueue = new HashSet<>();
            for (QueuedMessage m : DiskOutboundQueue.read(data)) {
                byte[] message;
                try (java.io.InputStream in = QueueEntryFile.openMessage(data.resolve("queue/entries/" + m.id() + ".msg"))) {
                    message = in.readAllBytes();
                }
                String content = new String(message, java.nio.charset.StandardCharsets.UTF_8);
                assertThat(content).endsWith("\r\n").contains("END r");
                assertThat(message.length).isEqualTo(m.size());
                inQueue.add(content.substring(content.indexOf("X-Crash-Id: ") + 12, content.indexOf("\r\n\r\n")));
            }
            assertThat(inQueue).containsAll(queued);
        }
        // A restart cleans what the kill left in tmp/.
        try (MaildirStore store = new MaildirStore(data, 0); DiskOutboundQueue queue = new DiskOutboundQueue(data)) {
            assertThat(files(data.resolve("mail/a@x/tmp"))).isEmpty();
            assertThat(files(data.resolve("mail/b@x/tmp"))).isEmpty();
            assertThat(files(data.resolve("queue/tmp"))).isEmpty();
            assertThat(files(data.resolve("spool"))).isEmpty();
        }
    }
}
