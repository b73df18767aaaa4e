package io.sealmail.cli;

import io.sealmail.store.MaildirStore;
import io.sealmail.store.Spool;
import io.sealmail.store.StoreOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * {@code sealmail bench store}: durable deliveries per second into Maildirs at 1, 16 and 64 concurrent writers,
 * against the raw rate of what one durable delivery costs without batching (write a file, fsync it, rename it,
 * fsync the directory). Group commit shows as deliveries per second above that raw rate.
 */
@Command(name = "store", mixinStandardHelpOptions = true,
        description = "Durable Maildir deliveries per second at several concurrencies vs. the raw fsync rate.")
public class StoreBenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--dir", paramLabel = "DIR", description = "Where to write (a scratch directory is made inside and removed; default: the system temp dir).")
    Path dir;

    @Option(names = "--seconds", defaultValue = "5", description = "Measuring time per row (default: ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--size", defaultValue = "10240", description = "Message size in octets (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--writers", split = ",", defaultValue = "1,16,64", description = "Concurrent writers per row (default: ${DEFAULT-VALUE}).")
    int[] writers;

    @Override
    public Integer call() throws Exception {
        if (!(seconds > 0 && seconds <= 600)) {
            throw new UserError("--seconds must be more than 0 and at most 600, got " + seconds);
        }
        if (size < 1 || size > 64 * 1024 * 1024) {
            throw new UserError("--size must be between 1 and 67108864 octets, got " + size);
        }
        Path base = dir != null ? dir : Path.of(System.getProperty("java.io.tmpdir"));
        if (!Files.isDirectory(base)) {
            throw new UserError(base + ": no such directory");
        }
        Path scratch = Files.createTempDirectory(base, "sealmail-bench-store-");
        PrintWriter out = spec.commandLine().getOut();
        try {
            FileStore fs = Files.getFileStore(scratch);
            out.printf("sealmail bench store: %d-octet messages, %.1f s per row, in %s (%s, %s), %d CPUs%n", size, seconds,
                    scratch, fs.type(), fs.name(), Runtime.getRuntime().availableProcessors());
            out.printf("%-52s %12s %14s%n", "row", "per second", "vs raw fsync");
            out.flush();
            double raw = rawRate(scratch.resolve("raw"));
            out.printf("%-52s %12.1f %14s%n", "raw: write+fsync file, rename, fsync dir (1 thread)", raw, "1.00x");
            out.flush();
            for (int w : writers) {
                if (w < 1 || w > 1024) {
                    throw new UserError("--writers values must be between 1 and 1024, got " + w);
                }
                double[] r = storeRate(scratch.resolve("store-" + w), w);
                out.printf("%-52s %12.1f %13.2fx%n", String.format("MaildirStore.deliver, %d writer%s (avg batch %.1f)", w,
                        w == 1 ? "" : "s", r[1]), r[0], r[0] / raw);
                out.flush();
            }
        } finally {
            deleteTree(scratch);
        }
        return 0;
    }

    private double rawRate(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("tmp"));
        Files.createDirectories(dir.resolve("new"));
        byte[] content = new byte[size];
        Arrays.fill(content, (byte) 'x');
        long count = 0;
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        long now;
        do {
            Path tmp = dir.resolve("tmp").resolve("m" + count);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(content));
                ch.force(true);
            }
            Files.move(tmp, dir.resolve("new").resolve("m" + count), StandardCopyOption.ATOMIC_MOVE);
            try (FileChannel d = FileChannel.open(dir.resolve("new"), StandardOpenOption.READ)) {
                d.force(true);
            }
            count++;
            now = System.nanoTime();
        } while (now < end);
        return count / ((now - start) / 1e9);
    }

    /** Returns deliveries per second and the average number of deliveries per group commit. */
    private double[] storeRate(Path dataDir, int threads) throws Exception {
        byte[] content = new byte[size];
        Arrays.fill(content, (byte) 'x');
        try (MaildirStore store = new MaildirStore(dataDir, StoreOptions.DEFAULTS)) {
            AtomicLong done = new AtomicLong();
            long start = System.nanoTime();
            long end = start + (long) (seconds * 1e9);
            int commitsBefore = store.groupCommits();
            List<Thread> workers = new ArrayList<>();
            List<Exception> failures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String account = "user" + (t % 8) + "@bench.example";
                Thread worker = new Thread(() -> {
                    try {
                        while (System.nanoTime() < end) {
                            try (Spool spool = store.createSpool()) {
                                spool.write(ByteBuffer.wrap(content));
                                store.deliver(spool, "sender@bench.example", List.of(account)).join();
                            }
                            done.incrementAndGet();
                        }
                    } catch (Exception e) {
                        synchronized (failures) {
                            failures.add(e);
                        }
                    }
                });
                workers.add(worker);
                worker.start();
            }
            for (Thread w : workers) {
                w.join();
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            if (!failures.isEmpty()) {
                throw new UserError("delivery failed during the benchmark: " + failures.get(0).getMessage());
            }
            int commits = Math.max(1, store.groupCommits() - commitsBefore);
            return new double[] {done.get() / elapsed, (double) done.get() / commits};
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
