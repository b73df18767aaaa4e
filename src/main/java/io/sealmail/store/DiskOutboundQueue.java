package io.sealmail.store;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The outbound queue on disk, under {@code <dataDir>/queue/}:
 * <pre>
 *   tmp/               entries being written (emptied at start)
 *   entries/ID.eml     the message exactly as spooled (ID: the {@link QueueId} of its SMTP transaction)
 *   entries/ID.json    its envelope: {"id", "queuedAtMillis", "returnPath", "recipients", "size"}
 *   entries/ID.state   its {@link DeliveryStatus} once anything was tried (per recipient: state, attempts, next
 *                      attempt, last reply, policy, TLS), replaced atomically after each attempt
 *   damaged/           entries a crash cut short before their acknowledgement (see recover)
 *   requests/          {@link QueueRequests} from {@code sealmail queue retry|delete} for a running engine
 *   engine.lock        held (fcntl lock) by the engine that has the queue open
 * </pre>
 * Both files are written to {@code tmp/}, renamed message first, envelope last, and then both files and
 * {@code entries/} are forced ({@link GroupCommit#submitPublishFirst}: one journal commit); the future completes
 * after that. The envelope is the commit mark: an {@code .eml} without its {@code .json} was never acknowledged and
 * is removed at start, and an untried entry whose envelope does not parse or whose message does not match the
 * envelope's CRC-32C was cut short by a crash before its acknowledgement and is moved to {@code damaged/}. An
 * entry is removed ({@link #remove}) only once every recipient is final: the envelope
 * first (and the directory forced), so a crash mid-removal leaves either the whole entry or an orphan that start-up
 * removes. Thread-safe; one engine per data directory ({@code engine.lock}).
 */
public class DiskOutboundQueue implements OutboundQueue, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DiskOutboundQueue.class);
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /**
     * The envelope file's content.
     *
     * @param crc32c the message file's CRC-32C, checked at start for entries never tried (null in entries written
     *               before it existed)
     */
    record Envelope(String id, long queuedAtMillis, String returnPath, List<String> recipients, long size, Long crc32c) {
        QueuedMessage toMessage() {
            return new QueuedMessage(id, Instant.ofEpochMilli(queuedAtMillis), returnPath, List.copyOf(recipients), size);
        }
    }

    /** Batches in flight at once. */
    private static final int COMMITTERS = 3;

    private final Path tmp;
    private final Path entries;
    private final GroupCommit commit;
    private final QueueLock lock;

    public DiskOutboundQueue(Path dataDir) throws IOException {
        this(dataDir, StoreOptions.DEFAULTS);
    }

    public DiskOutboundQueue(Path dataDir, StoreOptions options) throws IOException {
        Path root = dataDir.resolve("queue");
        this.tmp = root.resolve("tmp");
        this.entries = root.resolve("entries");
        Files.createDirectories(tmp);
        Files.createDirectories(entries);
        GroupCommit.forceDirectory(root);
        GroupCommit.forceDirectory(dataDir);
        this.lock = QueueLock.acquire(root);
        recover();
        // Queue jobs never depend on the order of one another's commits (an entry's own writes are serialised by
        // its caller), so several batches may be in flight: a submission that arrives while one batch is being
        // forced is forced at once beside it (the kernel merges concurrent forces) instead of waiting its turn.
        this.commit = new GroupCommit("sealmail-queue", options.queueCapacity(), options.ioThreads(), COMMITTERS);
    }

    @Override
    public CompletableFuture<QueuedMessage> enqueue(String id, Spool message, String returnPath, List<String> recipients) {
        if (recipients == null || recipients.isEmpty()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("no recipients to queue for"));
        }
        if (!QueueId.isValid(id)) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("not a queue id: " + id));
        }
        if (Files.exists(entries.resolve(id + ".json"))) {
            // The rename would replace an accepted message: refuse instead (451 to the client, who retries).
            return CompletableFuture.failedFuture(new FileAlreadyExistsException(entries.resolve(id + ".json").toString(),
                    null, "queue id already in use"));
        }
        long now = System.currentTimeMillis();
        Envelope[] written = new Envelope[1];
        // Both files are renamed into place before they are forced (one journal commit, not two: see
        // GroupCommit#submitPublishFirst). A crash before the acknowledgement can leave an envelope whose message
        // never reached the disk; the checksum lets start-up tell (recover). It is computed on the I/O thread that
        // writes the envelope, from the spool (readers may copy it concurrently), never on the caller's event loop.
        List<GroupCommit.FileWrite> files = List.of(
                new Write(id + ".eml") {
                    @Override
                    void write(FileChannel out) throws IOException {
                        message.copyTo(out);
                    }
                },
                new Write(id + ".json") {
                    @Override
                    void write(FileChannel out) throws IOException {
                        Checksum crc = new Checksum();
                        message.copyTo(crc);
                        written[0] = new Envelope(id, now, returnPath == null ? "" : returnPath, List.copyOf(recipients),
                                message.size(), crc.value());
                        ByteBuffer b = ByteBuffer.wrap(JSON.writeValueAsBytes(written[0]));
                        while (b.hasRemaining()) {
                            out.write(b);
                        }
                    }
                });
        return commit.submitPublishFirst(files).thenApply(v -> written[0].toMessage());
    }

    @Override
    public List<QueuedMessage> list() throws IOException {
        return list(entries);
    }

    /** The queue of a data directory, read without opening it for writing (for {@code sealmail queue list}). */
    public static List<QueuedMessage> read(Path dataDir) throws IOException {
        Path dir = dataDir.resolve("queue").resolve("entries");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        return list(dir);
    }

    /** Whether the entry is (still) queued: its envelope exists. */
    public boolean hasEntry(String id) {
        return QueueId.isValid(id) && Files.exists(entries.resolve(id + ".json"));
    }

    /** The message file of a queued entry. */
    public Path messageFile(String id) {
        return entries.resolve(id + ".eml");
    }

    /** The entry's recorded delivery state, or its initial state when nothing was recorded yet. */
    public DeliveryStatus status(QueuedMessage message) throws IOException {
        return statusIn(entries, message);
    }

    /** An entry's delivery state in a data directory, read only (for {@code sealmail queue list}). */
    public static DeliveryStatus readStatus(Path dataDir, QueuedMessage message) throws IOException {
        return statusIn(dataDir.resolve("queue").resolve("entries"), message);
    }

    private static DeliveryStatus statusIn(Path entries, QueuedMessage message) throws IOException {
        try {
            DeliveryStatus s = JSON.readValue(entries.resolve(message.id() + ".state").toFile(), DeliveryStatus.class);
            if (s.recipients().size() == message.recipients().size()) {
                return s;
            }
            LOG.warnf("queue entry %s: state does not match its envelope; starting over", message.id());
        } catch (java.io.FileNotFoundException | NoSuchFileException absent) {
            // nothing recorded yet
        }
        return DeliveryStatus.initial(message);
    }

    /**
     * Records the entry's delivery state durably (written to tmp/, forced, renamed over the old one, directory
     * forced; batched with other writers). Callers serialise writes of one entry.
     */
    public CompletableFuture<Void> saveStatus(DeliveryStatus status) {
        if (!QueueId.isValid(status.id())) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("not a queue id: " + status.id()));
        }
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(status);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        return commit.submit(List.of(new Write(status.id() + ".state") {
            @Override
            void write(FileChannel out) throws IOException {
                ByteBuffer b = ByteBuffer.wrap(json);
                while (b.hasRemaining()) {
                    out.write(b);
                }
            }
        }));
    }

    /**
     * Removes an entry whose recipients are all final: the envelope first, then the directory is forced (from
     * then on the entry is gone for good), then the message and state files. Batched with other writers, so
     * concurrent removals share one directory force; completes once the envelope's removal is durable.
     */
    public CompletableFuture<Void> removeLater(String id) {
        if (!QueueId.isValid(id)) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("not a queue id: " + id));
        }
        return commit.submitRemoval(List.of(entries.resolve(id + ".json")),
                List.of(entries.resolve(id + ".eml"), entries.resolve(id + ".state")));
    }

    /** {@link #removeLater}, waiting for it. */
    public void remove(String id) throws IOException {
        try {
            removeLater(id).join();
        } catch (java.util.concurrent.CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException(String.valueOf(cause), cause);
        }
    }

    /** The queue directory ({@code <dataDir>/queue}). */
    public Path root() {
        return entries.getParent();
    }

    private static List<QueuedMessage> list(Path entries) throws IOException {
        List<QueuedMessage> out = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(entries, "*.json")) {
            for (Path f : files) {
                try {
                    out.add(JSON.readValue(f.toFile(), Envelope.class).toMessage());
                } catch (NoSuchFileException gone) {
                    // removed while listing
                } catch (IOException e) {
                    LOG.warnf("unreadable queue entry %s: %s", f, e.getMessage());
                }
            }
        }
        out.sort(Comparator.comparing(QueuedMessage::queuedAt).thenComparing(QueuedMessage::id));
        return out;
    }

    /** Removes what a crash left: anything in tmp/, and message files whose envelope never landed. */
    private void recover() throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(tmp)) {
            for (Path f : files) {
                Files.deleteIfExists(f);
            }
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(entries, "*.eml")) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                Path envelope = entries.resolve(name.substring(0, name.length() - 4) + ".json");
                if (!Files.exists(envelope)) {
                    LOG.infof("removing unacknowledged queue file %s (left by a crash)", f);
                    Files.deleteIfExists(f);
                }
            }
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(entries, "*.state")) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (!Files.exists(entries.resolve(name.substring(0, name.length() - 6) + ".json"))) {
                    // The entry was removed and the crash came before its state file went.
                    Files.deleteIfExists(f);
                }
            }
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(entries, "*.json")) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                String id = name.substring(0, name.length() - 5);
                if (!Files.exists(entries.resolve(id + ".eml"))) {
                    LOG.errorf("queue entry %s has no message file; it is kept for inspection", f);
                } else if (!Files.exists(entries.resolve(id + ".state"))) {
                    checkUntried(id);
                }
            }
        }
    }

    /**
     * An entry never tried may be one whose enqueue a crash cut short: its files were renamed into place before
     * they were forced, so the envelope or the message may be torn. Such an entry was never acknowledged (the
     * acknowledgement waits for every force); it is moved to {@code queue/damaged/} with a log line rather than
     * deleted, in case the damage has another cause. An entry that was tried was acknowledged long before.
     */
    private void checkUntried(String id) throws IOException {
        Path json = entries.resolve(id + ".json");
        Path eml = entries.resolve(id + ".eml");
        String problem;
        try {
            Envelope e = JSON.readValue(json.toFile(), Envelope.class);
            if (e.crc32c() == null) {
                return; // written before checksums: nothing to compare
            }
            Checksum crc = new Checksum();
            long size;
            try (FileChannel in = FileChannel.open(eml, StandardOpenOption.READ)) {
                size = in.size();
                ByteBuffer b = ByteBuffer.allocate(64 * 1024);
                while (in.read(b) >= 0) {
                    b.flip();
                    crc.write(b);
                    b.clear();
                }
            }
            if (size == e.size() && crc.value() == e.crc32c()) {
                return;
            }
            problem = "message file does not match its envelope (" + size + " octets, " + e.size() + " expected)";
        } catch (IOException e) {
            problem = "envelope unreadable: " + e.getMessage();
        }
        Path damaged = entries.getParent().resolve("damaged");
        Files.createDirectories(damaged);
        LOG.warnf("queue entry %s: %s; a crash cut its enqueue short, so it was never acknowledged; moved to %s",
                id, problem, damaged);
        Files.move(eml, damaged.resolve(id + ".eml"), StandardCopyOption.REPLACE_EXISTING);
        Files.move(json, damaged.resolve(id + ".json"), StandardCopyOption.REPLACE_EXISTING);
        GroupCommit.forceDirectory(entries);
    }

    /** Stops taking messages, finishes those already queued. */
    @Override
    public void close() {
        commit.close();
        lock.close();
    }

    /** CRC-32C of what is written to it. */
    private static final class Checksum implements java.nio.channels.WritableByteChannel {
        private final java.util.zip.CRC32C crc = new java.util.zip.CRC32C();

        @Override
        public int write(ByteBuffer src) {
            int n = src.remaining();
            crc.update(src);
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }

        long value() {
            return crc.getValue();
        }
    }

    private abstract class Write extends GroupCommit.FileWrite {
        private final String name;

        Write(String name) {
            this.name = name;
        }

        @Override
        void prepare() {
        }

        @Override
        Path tmp() {
            return tmp.resolve(name);
        }

        @Override
        Path target() {
            return entries.resolve(name);
        }
    }
}
