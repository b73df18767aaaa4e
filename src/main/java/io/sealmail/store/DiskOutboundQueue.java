package io.sealmail.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The outbound queue on disk: {@code <dataDir>/queue/<id>.eml} (the message) and {@code <id>.json} (the envelope).
 * The message is made durable first and the envelope second, so an envelope on disk always has its message: the
 * envelope is the commit record. A message without an envelope after a crash was never acknowledged and is removed.
 */
public final class DiskOutboundQueue implements OutboundQueue, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DiskOutboundQueue.class);
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    private static final AtomicLong SEQUENCE = new AtomicLong();

    private final Path dir;
    private final Path tmp;
    private final GroupCommit commit;
    private final boolean ownsCommit;
    private final Clock clock;

    public DiskOutboundQueue(Path dataDir) throws IOException {
        this(dataDir, new GroupCommit(4, 1024), true, Clock.systemUTC());
    }

    DiskOutboundQueue(Path dataDir, GroupCommit commit, boolean ownsCommit, Clock clock) throws IOException {
        this.dir = Files.createDirectories(dataDir.resolve("queue"));
        this.tmp = Files.createDirectories(dir.resolve("tmp"));
        this.commit = commit;
        this.ownsCommit = ownsCommit;
        this.clock = clock;
        recover();
    }

    private void recover() throws IOException {
        int removed = 0;
        try (Stream<Path> files = Files.list(tmp)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(f);
                removed++;
            }
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString();
                if (name.endsWith(".eml") && !Files.exists(dir.resolve(id(name) + ".json"))) {
                    Files.deleteIfExists(f);
                    removed++;
                }
            }
        }
        if (removed > 0) {
            LOG.infof("outbound queue: removed %d incomplete files left by an earlier stop", removed);
        }
    }

    @Override
    public CompletableFuture<QueuedMessage> enqueue(Spool message, String returnPath, List<String> recipients) {
        Instant now = clock.instant();
        // Sortable ids: oldest first by name as well as by time.
        String id = String.format("%013d-%06d-%d", now.toEpochMilli(), SEQUENCE.incrementAndGet() % 1_000_000,
                ProcessHandle.current().pid());
        QueuedMessage entry = new QueuedMessage(id, now, returnPath == null ? "" : returnPath, List.copyOf(recipients),
                message.size());
        byte[] envelope;
        try {
            envelope = JSON.writeValueAsBytes(entry);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        Path source = message.path();
        return commit.write(tmp.resolve(id + ".eml"), dir.resolve(id + ".eml"),
                        ch -> MaildirStore.writeWithHeader(ch, new byte[0], source))
                .thenCompose(v -> commit.write(tmp.resolve(id + ".json"), dir.resolve(id + ".json"),
                        ch -> writeAll(ch, envelope)))
                .thenApply(v -> entry);
    }

    private static void writeAll(FileChannel ch, byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    @Override
    public List<QueuedMessage> list() throws IOException {
        List<QueuedMessage> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (f.getFileName().toString().endsWith(".json")) {
                    try {
                        out.add(JSON.readValue(Files.readAllBytes(f), QueuedMessage.class));
                    } catch (IOException e) {
                        LOG.warnf("outbound queue: unreadable envelope %s: %s", f.getFileName(), e.getMessage());
                    }
                }
            }
        }
        out.sort(Comparator.comparing(QueuedMessage::queuedAt).thenComparing(QueuedMessage::id));
        return out;
    }

    /** The stored message of a queue entry. */
    public Path messageFile(String id) {
        return dir.resolve(id + ".eml");
    }

    private static String id(String fileName) {
        return fileName.substring(0, fileName.lastIndexOf('.'));
    }

    @Override
    public void close() {
        if (ownsCommit) {
            commit.close();
        }
    }
}
