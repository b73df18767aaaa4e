package io.sealmail.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Proves delivery after a load run: scans Maildir trees (new/ and cur/ only: tmp/ is never visible mail) for the
 * bench header and counts each id, so missing and duplicated messages both show.
 */
public final class MaildirCheck {
    static final String ID_HEADER = "X-Sealmail-Bench";

    public record Outcome(int expected, int found, int missing, int duplicated) {
        public boolean complete() {
            return missing == 0 && duplicated == 0;
        }
    }

    private MaildirCheck() {
    }

    /** Polls until every id arrived (servers like Postfix deliver after acknowledging) or the timeout passes. */
    public static Outcome await(Path root, List<String> ids, long timeoutMillis) throws IOException, InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        Outcome outcome;
        do {
            outcome = check(root, ids);
            if (outcome.complete() || System.currentTimeMillis() > deadline) {
                return outcome;
            }
            Thread.sleep(250);
        } while (true);
    }

    public static Outcome check(Path root, List<String> ids) throws IOException {
        Map<String, Integer> seen = new HashMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path parent = file.getParent();
                String dir = parent == null || parent.getFileName() == null ? "" : parent.getFileName().toString();
                if ((dir.equals("new") || dir.equals("cur")) && Files.isRegularFile(file)) {
                    String id = benchId(file);
                    if (id != null) {
                        seen.merge(id, 1, Integer::sum);
                    }
                }
            }
        } catch (java.io.UncheckedIOException e) {
            // a file moved from new/ to cur/ while walking: the next poll sees it
        }
        int found = 0;
        int missing = 0;
        int duplicated = 0;
        for (String id : ids) {
            int count = seen.getOrDefault(id, 0);
            if (count == 0) {
                missing++;
            } else {
                found++;
                if (count > 1) {
                    duplicated++;
                }
            }
        }
        return new Outcome(ids.size(), found, missing, duplicated);
    }

    private static String benchId(Path file) {
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
            String line;
            while ((line = r.readLine()) != null && !line.isEmpty()) {
                if (line.regionMatches(true, 0, ID_HEADER + ":", 0, ID_HEADER.length() + 1)) {
                    return line.substring(ID_HEADER.length() + 1).trim();
                }
            }
        } catch (IOException e) {
            return null; // moved or removed while scanning
        }
        return null;
    }
}
