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
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kills a delivering process with SIGKILL mid-way: every acknowledged message must be in the Maildir exactly once,
 * and no visible message may be partial.
 */
class StoreCrashTest {

    @TempDir
    Path data;

    @Test
    void everyAcknowledgedMessageSurvivesSigkillExactlyOnceAndNothingPartialIsVisible() throws Exception {
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), StoreCrashChild.class.getName(), data.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        Set<Integer> acknowledged = new HashSet<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII))) {
            long deadline = System.currentTimeMillis() + 60_000;
            String line;
            while (acknowledged.size() < 300 && System.currentTimeMillis() < deadline && (line = out.readLine()) != null) {
                if (line.startsWith("ACK ")) {
                    acknowledged.add(Integer.parseInt(line.substring(4).trim()));
                }
            }
            child.destroyForcibly(); // SIGKILL on Linux
            // Acknowledgements printed but not yet read are lost with the process's pipe: the set only shrinks.
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(300);

        Path inbox = data.resolve("mail").resolve("crash@example.com");
        Map<Integer, Integer> seen = new HashMap<>();
        for (Path f : MaildirStoreTest.files(inbox.resolve("new"))) {
            String text = Files.readString(f, StandardCharsets.US_ASCII);
            int id = Integer.parseInt(text.lines().filter(l -> l.startsWith("X-Crash-Id: ")).findFirst()
                    .orElseThrow().substring(12).trim());
            assertThat(text).as("visible message %d is complete", id).endsWith("END " + id + "\r\n");
            seen.merge(id, 1, Integer::sum);
        }
        for (int id : acknowledged) {
            assertThat(seen.getOrDefault(id, 0)).as("acknowledged message %d", id).isEqualTo(1);
        }
        assertThat(seen.values()).allMatch(c -> c == 1);

        try (MaildirStore restarted = new MaildirStore(data)) {
            assertThat(MaildirStoreTest.files(inbox.resolve("tmp"))).isEmpty();
            assertThat(MaildirStoreTest.files(data.resolve("spool"))).isEmpty();
        }
    }
}
