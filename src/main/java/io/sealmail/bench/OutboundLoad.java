package io.sealmail.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * End-to-end outbound load: messages submitted over SMTP (as {@link SmtpLoad}) to a server that sends them on to
 * a sink whose Maildir this process can read. Delivery latency of a message is from the start of its submission
 * to the modification time of its file in the sink's Maildir (the sink's own fsync'd delivery); nothing is polled
 * on the clock, so the polling interval does not enter the figure.
 */
public final class OutboundLoad {
    /**
     * @param latenciesNanos  submission start to arrival in the sink, one per arrived message
     * @param submitNanos     submission start to its 250, one per acknowledged message
     * @param submittedNanos  first submission to the last acknowledgement
     */
    public record Result(int submitted, int arrived, int duplicated, List<Long> latenciesNanos, long elapsedNanos,
                         List<Long> submitNanos, long submittedNanos, List<String> errors) {
        public double percentileMillis(double p) {
            return SmtpLoad.percentileMillis(latenciesNanos, p);
        }

        /** Percentile of the submission's own latency (start to 250). */
        public double submitPercentileMillis(double p) {
            return SmtpLoad.percentileMillis(submitNanos, p);
        }

        /** Messages per second from the first submission to the last arrival. */
        public double messagesPerSecond() {
            return arrived / (elapsedNanos / 1e9);
        }
    }

    private OutboundLoad() {
    }

    public static Result run(SmtpLoad.Plan plan, Path sinkMaildir, Duration timeout) throws IOException, InterruptedException {
        String runId = UUID.randomUUID().toString().substring(0, 8);
        Map<String, Instant> started = new ConcurrentHashMap<>();
        List<Long> submitNanos = Collections.synchronizedList(new ArrayList<>());
        List<String> errors = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(plan.connections());
        Instant t0 = Instant.now();
        List<Future<?>> sessions = new ArrayList<>();
        for (int c = 0; c < plan.connections(); c++) {
            sessions.add(pool.submit(() -> {
                String user = String.format(plan.userPattern(), 1);
                try (SmtpLoad.SmtpClient client = SmtpLoad.SmtpClient.connect(plan, user)) {
                    int n;
                    while ((n = next.getAndIncrement()) < plan.messages()) {
                        String id = runId + "-" + n;
                        byte[] body = SmtpLoad.message(id, user, plan.recipient(), plan.size());
                        Instant start = Instant.now();
                        long t = System.nanoTime();
                        if (client.send(user, plan.recipient(), body)) {
                            submitNanos.add(System.nanoTime() - t);
                            started.put(id, start);
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    errors.add(e.toString());
                }
                return null;
            }));
        }
        for (Future<?> f : sessions) {
            try {
                f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                errors.add(String.valueOf(e.getCause()));
            }
        }
        pool.shutdownNow();
        long submittedNanos = Duration.between(t0, Instant.now()).toNanos();
        // Wait for every acknowledged message in the sink (the bench's own thread, polling a directory).
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Instant> arrived = new HashMap<>();
        Map<String, Integer> copies = new HashMap<>();
        while (true) {
            arrived.clear();
            copies.clear();
            scan(sinkMaildir, runId, arrived, copies);
            if (arrived.keySet().containsAll(started.keySet()) || System.nanoTime() > deadline) {
                break;
            }
            Thread.sleep(50);
        }
        List<Long> latencies = new ArrayList<>();
        Instant last = t0;
        for (Map.Entry<String, Instant> e : started.entrySet()) {
            Instant at = arrived.get(e.getKey());
            if (at != null) {
                latencies.add(Duration.between(e.getValue(), at).toNanos());
                last = at.isAfter(last) ? at : last;
            }
        }
        int duplicated = (int) copies.values().stream().filter(c -> c > 1).count();
        return new Result(started.size(), latencies.size(), duplicated, latencies, Duration.between(t0, last).toNanos(),
                List.copyOf(submitNanos), submittedNanos, List.copyOf(errors));
    }

    private static void scan(Path root, String runId, Map<String, Instant> arrived, Map<String, Integer> copies) throws IOException {
        if (!Files.isDirectory(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (!Files.isRegularFile(f) || f.getParent() == null || !f.getParent().getFileName().toString().matches("new|cur")) {
                    continue;
                }
                String id = benchId(f);
                if (id != null && id.startsWith(runId + "-")) {
                    try {
                        Instant at = Files.getLastModifiedTime(f).toInstant();
                        arrived.merge(id, at, (a, b) -> a.isBefore(b) ? a : b);
                        copies.merge(id, 1, Integer::sum);
                    } catch (IOException gone) {
                        // moved while scanning: the next scan sees it
                    }
                }
            }
        } catch (java.io.UncheckedIOException e) {
            // a file moved while walking
        }
    }

    private static String benchId(Path file) {
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
            String line;
            while ((line = r.readLine()) != null && !line.isEmpty()) {
                if (line.regionMatches(true, 0, MaildirCheck.ID_HEADER + ":", 0, MaildirCheck.ID_HEADER.length() + 1)) {
                    return line.substring(MaildirCheck.ID_HEADER.length() + 1).trim();
                }
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }
}
