package io.sealmail.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * End-to-end outbound load: messages submitted over SMTP (as {@link SmtpLoad}) to a server that sends them on to
 * a sink whose Maildir this process can read. Delivery latency of a message is from the start of its submission
 * to the modification time of its file in the sink's Maildir (the sink's own fsync'd delivery); nothing is polled
 * on the clock, so the polling interval does not enter the figure.
 *
 * <p>The generator is the same program for every server under test and shares the machine with it, so it is kept
 * cheap: MAIL, RCPT and DATA go in one write where the server offers PIPELINING, the body and its final dot in one
 * more, and the sink is read incrementally (each file that appeared since the run began, once).
 */
public final class OutboundLoad {
    /**
     * @param latenciesNanos  submission start to arrival in the sink, one per arrived message
     * @param submitNanos     submission start to its 250, one per acknowledged message
     * @param submittedNanos  first submission to the last acknowledgement
     * @param submitCpuNanos  this process's own CPU time over the same span (what the generator takes from the
     *                        machine while the servers work), or -1 where the JVM cannot tell
     */
    public record Result(int submitted, int arrived, int duplicated, List<Long> latenciesNanos, long elapsedNanos,
                         List<Long> submitNanos, long submittedNanos, long submitCpuNanos, List<String> errors) {
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
        return run(plan, 0, sinkMaildir, timeout);
    }

    /**
     * @param messagesPerSession messages a session sends before it quits and the next one connects (0: one session
     *                           per connection for the whole run)
     */
    public static Result run(SmtpLoad.Plan plan, int messagesPerSession, Path sinkMaildir, Duration timeout)
            throws IOException, InterruptedException {
        String runId = UUID.randomUUID().toString().substring(0, 8);
        SinkFiles sink = new SinkFiles(sinkMaildir, runId + "-");
        Map<String, Instant> started = new ConcurrentHashMap<>();
        List<Long> submitNanos = Collections.synchronizedList(new ArrayList<>());
        List<String> errors = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(plan.connections());
        long cpu0 = processCpuNanos();
        Instant t0 = Instant.now();
        List<Future<?>> sessions = new ArrayList<>();
        for (int c = 0; c < plan.connections(); c++) {
            sessions.add(pool.submit(() -> {
                String user = String.format(plan.userPattern(), 1);
                boolean more = true;
                while (more) {
                    try (SmtpLoad.SmtpClient client = SmtpLoad.SmtpClient.connect(plan, user)) {
                        int n;
                        int sent = 0;
                        while ((more = (n = next.getAndIncrement()) < plan.messages())) {
                            String id = runId + "-" + n;
                            byte[] body = SmtpLoad.message(id, user, plan.recipient(), plan.size());
                            Instant start = Instant.now();
                            long t = System.nanoTime();
                            if (client.sendPipelined(user, plan.recipient(), body)) {
                                submitNanos.add(System.nanoTime() - t);
                                started.put(id, start);
                            }
                            if (++sent == messagesPerSession) {
                                break; // quit; the next session takes the following messages
                            }
                        }
                    } catch (IOException | RuntimeException e) {
                        errors.add(e.toString());
                        more = false;
                    }
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
        long cpu1 = processCpuNanos();
        long submitCpuNanos = cpu0 < 0 || cpu1 < 0 ? -1 : cpu1 - cpu0;
        // Wait for every acknowledged message in the sink (the bench's own thread, polling a directory).
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Instant> arrived = new HashMap<>();
        Map<String, Integer> copies = new HashMap<>();
        while (true) {
            sink.poll(arrived, copies);
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
                List.copyOf(submitNanos), submittedNanos, submitCpuNanos, List.copyOf(errors));
    }

    private static long processCpuNanos() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : -1;
    }

    /**
     * The sink's Maildir tree, read incrementally: files present before the run are only listed (never opened),
     * and each new file is opened once. A file is known by its Maildir unique name (the part before ':'), so one
     * moved from new/ to cur/ is not counted twice.
     */
    static final class SinkFiles {
        private static final byte[] ID_HEADER = (MaildirCheck.ID_HEADER + ":").getBytes(StandardCharsets.US_ASCII);
        private final Path root;
        private final String idPrefix;
        private final Set<String> seen = new HashSet<>();

        SinkFiles(Path root, String idPrefix) throws IOException {
            this.root = root;
            this.idPrefix = idPrefix;
            visit(root, (name, file) -> { });
        }

        void poll(Map<String, Instant> arrived, Map<String, Integer> copies) throws IOException {
            visit(root, (name, file) -> {
                String id = benchId(file);
                if (id != null && id.startsWith(idPrefix)) {
                    try {
                        Instant at = Files.getLastModifiedTime(file).toInstant();
                        arrived.merge(id, at, (a, b) -> a.isBefore(b) ? a : b);
                        copies.merge(id, 1, Integer::sum);
                    } catch (IOException gone) {
                        seen.remove(name); // moved meanwhile: read it again where it went
                    }
                }
            });
        }

        /** Calls {@code fresh} for each file of new/ or cur/ below {@code dir} not seen before. */
        private void visit(Path dir, java.util.function.BiConsumer<String, Path> fresh) throws IOException {
            if (!Files.isDirectory(dir)) {
                return;
            }
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                for (Path entry : entries) {
                    String name = entry.getFileName().toString();
                    if (name.equals("new") || name.equals("cur")) {
                        try (DirectoryStream<Path> files = Files.newDirectoryStream(entry)) {
                            for (Path file : files) {
                                String file0 = file.getFileName().toString();
                                int colon = file0.indexOf(':');
                                String unique = colon < 0 ? file0 : file0.substring(0, colon);
                                if (seen.add(unique)) {
                                    fresh.accept(unique, file);
                                }
                            }
                        } catch (IOException | java.nio.file.DirectoryIteratorException gone) {
                            // created or removed meanwhile: the next poll sees it
                        }
                    } else if (!name.equals("tmp") && Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                        visit(entry, fresh); // a sub-folder (Maildir++ ".Name") or another mailbox of the tree
                    }
                }
            } catch (java.nio.file.DirectoryIteratorException gone) {
                // a directory removed while listing
            }
        }

        /** The bench id from the header section: usually within the first 8 KiB, else the whole file is read. */
        private static String benchId(Path file) {
            byte[] head;
            try (InputStream in = Files.newInputStream(file)) {
                head = in.readNBytes(8192);
                String id = headerValue(head);
                if (id != null || head.length < 8192) {
                    return id;
                }
                byte[] rest = in.readAllBytes();
                byte[] all = Arrays.copyOf(head, head.length + rest.length);
                System.arraycopy(rest, 0, all, head.length, rest.length);
                return headerValue(all);
            } catch (IOException e) {
                return null; // moved or removed meanwhile
            }
        }

        /** The value of the bench header in the header section (up to the first empty line), or null. */
        static String headerValue(byte[] m) {
            int line = 0;
            while (line < m.length) {
                int end = line;
                while (end < m.length && m[end] != '\n') {
                    end++;
                }
                int stop = end > line && m[end - 1] == '\r' ? end - 1 : end;
                if (stop == line) {
                    return null; // the empty line: end of the header section
                }
                if (stop - line > ID_HEADER.length && startsWithIgnoreCase(m, line, ID_HEADER)) {
                    return new String(m, line + ID_HEADER.length, stop - line - ID_HEADER.length, StandardCharsets.ISO_8859_1).trim();
                }
                line = end + 1;
            }
            return null;
        }

        private static boolean startsWithIgnoreCase(byte[] m, int at, byte[] prefix) {
            for (int i = 0; i < prefix.length; i++) {
                if (Character.toLowerCase(m[at + i]) != Character.toLowerCase(prefix[i])) {
                    return false;
                }
            }
            return true;
        }
    }
}
