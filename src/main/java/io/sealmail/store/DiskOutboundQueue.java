package io.sealmail.store;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.jboss.logging.Logger;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;

/**
 * The outbound queue on disk, under {@code <dataDir>/queue/}:
 * <pre>
 *   tmp/               entries being written (emptied at start)
 *   entries/ID.msg     the entry ({@link QueueEntryFile}): its envelope {"id", "queuedAtMillis", "returnPath",
 *                      "recipients", "size", "crc32c"} on one line, then the message exactly as spooled
 *                      (ID: the {@link QueueId} of its SMTP transaction)
 *   entries/ID.state   its {@link DeliveryStatus} once anything was tried (per recipient: state, attempts, next
 *                      attempt, last reply, policy, TLS), replaced atomically after each attempt
 *   damaged/           entries a crash cut short before their acknowledgement (see recover)
 *   requests/          {@link QueueRequests} from {@code sealmail queue retry|delete} for a running engine
 *   engine.lock        held (fcntl lock) by the engine that has the queue open
 * </pre>
 * An entry is one file, so enqueueing it costs one create, one force and one rename (and a share of one directory
 * force), as a Postfix queue file does: it is written to {@code tmp/}, renamed into place, and then it and
 * {@code entries/} are forced ({@link GroupCommit#submitPublishFirst}); the future completes after that. An untried
 * entry whose envelope does not parse or whose message does not match the envelope's size and CRC-32C was cut short
 * by a crash before its acknowledgement and is moved to {@code damaged/} at start. An entry is removed
 * ({@link #remove}) only once every recipient is final: its file first, then its state file (not forced, see there);
 * a state file without its entry is removed at start. Entries in the earlier two-file form ({@code ID.eml} +
 * {@code ID.json}) are converted at start ({@link #convertTwoFileEntries}). Thread-safe; one engine per data
 * directory ({@code engine.lock}).
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
            return new QueuedMessage(id, Instant.ofEpochMilli(queuedAtMillis), returnPath == null ? "" : returnPath,
                    List.copyOf(recipients), size);
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
        if (Files.exists(entryFile(entries, id))) {
            // The rename would replace an accepted message: refuse instead (451 to the client, who retries).
            return CompletableFuture.failedFuture(new FileAlreadyExistsException(entryFile(entries, id).toString(),
                    null, "queue id already in use"));
        }
        long now = System.currentTimeMillis();
        Envelope[] written = new Envelope[1];
        // The file is renamed into place before it is forced (see GroupCommit#submitPublishFirst). A crash before
        // the acknowledgement can leave an entry whose message never reached the disk; the checksum lets start-up
        // tell (recover). It is computed on the I/O thread that writes the entry, from the spool (readers may copy
        // it concurrently), never on the caller's event loop.
        List<GroupCommit.FileWrite> files = List.of(new Write(id + QueueEntryFile.SUFFIX) {
            @Override
            void write(FileChannel out) throws IOException {
                Checksum crc = new Checksum();
                message.copyTo(crc);
                written[0] = new Envelope(id, now, returnPath == null ? "" : returnPath, List.copyOf(recipients),
                        message.size(), crc.value());
                ByteBuffer b = ByteBuffer.wrap(QueueEntryFile.head(JSON.writeValueAsBytes(written[0])));
                while (b.hasRemaining()) {
                    out.write(b);
                }
                message.copyTo(out);
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

    /** Whether the entry is (still) queued: its file exists. */
    public boolean hasEntry(String id) {
        return QueueId.isValid(id) && Files.exists(entryFile(entries, id));
    }

    /** The file of a queued entry; its message is read through {@link QueueEntryFile#openMessage}. */
    public Path messageFile(String id) {
        return entryFile(entries, id);
    }

    private static Path entryFile(Path entries, String id) {
        return entries.resolve(id + QueueEntryFile.SUFFIX);
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
     * Removes an entry whose recipients are all final, on the caller's thread: its file, then its state file. The
     * directory is not forced, as Postfix's queue manager does not force its queue directory after removing a
     * delivered message: an unlink is final for a process crash (SIGKILL) once it returned; only a power loss can undo
     * it, and then the entry comes back and is sent once more (a duplicate, never a loss). Forcing it cost a
     * directory fsync and two thread hand-offs per delivered message. A name already gone counts as removed.
     */
    public void remove(String id) throws IOException {
        if (!QueueId.isValid(id)) {
            throw new IllegalArgumentException("not a queue id: " + id);
        }
        Files.deleteIfExists(entryFile(entries, id));
        Files.deleteIfExists(entries.resolve(id + ".state"));
    }

    /** The queue directory ({@code <dataDir>/queue}). */
    public Path root() {
        return entries.getParent();
    }

    private static List<QueuedMessage> list(Path entries) throws IOException {
        List<QueuedMessage> out = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(entries, "*" + QueueEntryFile.SUFFIX)) {
            for (Path f : files) {
                try {
                    out.add(envelope(f).toMessage());
                } catch (NoSuchFileException gone) {
                    // removed while listing
                } catch (IOException e) {
                    LOG.warnf("unreadable queue entry %s: %s", f, e.getMessage());
                }
            }
        }
        // Two-file entries not converted yet: only seen by `sealmail queue list` on a data directory whose engine
        // has not started since the upgrade (the engine converts them at start).
        try (DirectoryStream<Path> files = Files.newDirectoryStream(entries, "*.json")) {
            for (Path f : files) {
                String id = idOf(f, ".json");
                if (Files.exists(entryFile(entries, id)) || !Files.exists(entries.resolve(id + ".eml"))) {
                    continue;
                }
                try {
                    out.add(parseEnvelope(Files.readAllBytes(f), id).toMessage());
                } catch (NoSuchFileException gone) {
                    // converted or removed while listing
                } catch (IOException e) {
                    LOG.warnf("unreadable queue entry %s: %s", f, e.getMessage());
                }
            }
        }
        out.sort(Comparator.comparing(QueuedMessage::queuedAt).thenComparing(QueuedMessage::id));
        return out;
    }

    /** The envelope of an entry file. */
    private static Envelope envelope(Path file) throws IOException {
        return parseEnvelope(QueueEntryFile.readHead(file).envelopeJson(), idOf(file, QueueEntryFile.SUFFIX));
    }

    /**
     * Parses and checks an envelope: anything that is JSON but not an envelope of this entry (JSON null, no
     * recipients, another id) is an IOException like a torn one, so it is moved aside or skipped with a log line; a
     * RuntimeException here would stop every start of the engine. The id must be the file's (it names the files
     * that delivery reads, records and removes); it is not held to today's QueueId form, which older entries predate.
     */
    private static Envelope parseEnvelope(byte[] json, String fileId) throws IOException {
        Envelope e = JSON.readValue(json, Envelope.class);
        if (e == null) {
            throw new IOException("envelope is JSON null");
        }
        if (!fileId.equals(e.id())) {
            throw new IOException("envelope names id " + e.id() + ", not its file's");
        }
        if (e.recipients() == null || e.recipients().isEmpty() || e.recipients().contains(null) || e.size() < 0) {
            throw new IOException("envelope without recipients or size");
        }
        return e;
    }

    /**
     * Removes what a crash left (anything in tmp/, state files whose entry was removed) and checks the entries
     * never tried; converts entries of the two-file form first.
     */
    private void recover() throws IOException {
        for (Path f : listing(tmp, "*")) {
            Files.deleteIfExists(f);
        }
        convertTwoFileEntries();
        for (Path f : listing(entries, "*.state")) {
            String id = idOf(f, ".state");
            // The entry was removed and the crash came before its state file went; a two-file entry kept for
            // inspection (its envelope unreadable) keeps its state: it says the entry was tried, so acknowledged.
            if (!Files.exists(entryFile(entries, id)) && !Files.exists(entries.resolve(id + ".json"))) {
                Files.deleteIfExists(f);
            }
        }
        for (Path f : listing(entries, "*" + QueueEntryFile.SUFFIX)) {
            String id = idOf(f, QueueEntryFile.SUFFIX);
            if (!Files.exists(entries.resolve(id + ".state"))) {
                checkUntried(id);
            }
        }
    }

    /**
     * An entry never tried may be one whose enqueue a crash cut short: its file was renamed into place before it
     * was forced, so its envelope or message may be torn. Such an entry was never acknowledged (the
     * acknowledgement waits for the force); it is moved to {@code queue/damaged/} with a log line rather than
     * deleted, in case the damage has another cause. An entry that was tried was acknowledged long before.
     */
    private void checkUntried(String id) throws IOException {
        Path file = entryFile(entries, id);
        String problem;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 64 * 1024)) {
            Envelope e = parseEnvelope(QueueEntryFile.readHead(in).envelopeJson(), id);
            if (e.crc32c() == null) {
                return; // converted from an entry written before checksums: nothing to compare
            }
            problem = mismatch(e, in);
            if (problem == null) {
                return;
            }
        } catch (IOException e) {
            problem = "envelope unreadable: " + e.getMessage();
        }
        moveToDamaged(id, problem, file);
    }

    private void moveToDamaged(String id, String problem, Path... files) throws IOException {
        Path damaged = entries.getParent().resolve("damaged");
        Files.createDirectories(damaged);
        LOG.warnf("queue entry %s: %s; a crash cut its enqueue short, so it was never acknowledged; moved to %s",
                id, problem, damaged);
        for (Path f : files) {
            Files.move(f, damaged.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
        GroupCommit.forceDirectory(entries);
    }

    /**
     * Entries written before the one-file form: {@code ID.eml} (the message) and {@code ID.json} (the envelope, the
     * commit mark). They are checked as they were then (an {@code .eml} without its {@code .json} was never
     * acknowledged and goes; an untried one that does not match its envelope goes to {@code damaged/}), then each
     * is rewritten as one {@code ID.msg}: written to tmp/, forced, renamed, the directory forced, and only then
     * are the two old files removed. A crash in between leaves both forms; the next start finds the
     * {@code .msg} and removes the old files. Nothing already accepted is lost on an upgrade.
     */
    private void convertTwoFileEntries() throws IOException {
        for (Path eml : listing(entries, "*.eml")) {
            if (!Files.exists(entries.resolve(idOf(eml, ".eml") + ".json"))) {
                LOG.infof("removing unacknowledged queue file %s (left by a crash)", eml);
                Files.deleteIfExists(eml);
            }
        }
        for (Path json : listing(entries, "*.json")) {
            String id = idOf(json, ".json");
            Path eml = entries.resolve(id + ".eml");
            Path converted = entryFile(entries, id);
            if (Files.exists(converted)) {
                Files.deleteIfExists(json);
                Files.deleteIfExists(eml);
                continue;
            }
            if (!Files.exists(eml)) {
                LOG.errorf("queue entry %s has no message file; it is kept for inspection", json);
                continue;
            }
            Envelope e;
            try {
                e = parseEnvelope(Files.readAllBytes(json), id);
            } catch (IOException unreadable) {
                if (Files.exists(entries.resolve(id + ".state"))) {
                    LOG.errorf("queue entry %s: envelope unreadable (%s); it is kept for inspection", json,
                            unreadable.getMessage());
                } else {
                    moveToDamaged(id, "envelope unreadable: " + unreadable.getMessage(), eml, json);
                }
                continue;
            }
            if (!Files.exists(entries.resolve(id + ".state")) && e.crc32c() != null) {
                String problem;
                try (InputStream in = Files.newInputStream(eml)) {
                    problem = mismatch(e, in);
                }
                if (problem != null) {
                    moveToDamaged(id, problem, eml, json);
                    continue;
                }
            }
            Path t = tmp.resolve(id + QueueEntryFile.SUFFIX);
            try (FileChannel out = FileChannel.open(t, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                 FileChannel in = FileChannel.open(eml, StandardOpenOption.READ)) {
                ByteBuffer head = ByteBuffer.wrap(QueueEntryFile.head(JSON.writeValueAsBytes(e)));
                while (head.hasRemaining()) {
                    out.write(head);
                }
                long size = in.size();
                for (long done = 0; done < size; ) {
                    done += in.transferTo(done, size - done, out);
                }
                out.force(true);
            }
            Files.move(t, converted, StandardCopyOption.ATOMIC_MOVE);
            GroupCommit.forceDirectory(entries);
            Files.delete(json);
            Files.deleteIfExists(eml);
            LOG.infof("queue entry %s converted to the one-file form", id);
        }
    }

    /** Why the message read from {@code in} is not the one the envelope describes (size, CRC-32C), or null. */
    private static String mismatch(Envelope e, InputStream in) throws IOException {
        CheckedInputStream checked = new CheckedInputStream(in, new CRC32C());
        long size = checked.transferTo(OutputStream.nullOutputStream());
        if (size == e.size() && checked.getChecksum().getValue() == e.crc32c()) {
            return null;
        }
        return "message does not match its envelope's size and checksum (" + size + " octets, " + e.size() + " expected)";
    }

    /** The names matching {@code glob}, read before anything is moved or removed. */
    private static List<Path> listing(Path dir, String glob) throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, glob)) {
            files.forEach(out::add);
        }
        return out;
    }

    private static String idOf(Path file, String suffix) {
        String name = file.getFileName().toString();
        return name.substring(0, name.length() - suffix.length());
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
