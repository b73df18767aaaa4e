package io.sealmail.store;

import org.jboss.logging.Logger;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One folder of an account: a Maildir plus its UID index {@code sealmail-uidlist}. Thread-safe: every method
 * holds the folder's lock, so SMTP delivery, IMAP and POP3 sessions can act on it at once.
 *
 * <h2>UIDs</h2>
 * The index file starts with {@code sealmail-uidlist 1 <UIDVALIDITY> <UIDNEXT>} and then has one line
 * {@code <uid> <maildir base name>} per message, appended (and forced) before a UID is ever shown, so UIDs are
 * strictly ascending, never reused within a UIDVALIDITY, and stable across restarts and crashes. A file with no
 * line (delivered by SMTP, or put there by another tool) gets the next UID when the folder is next looked at; a
 * line whose file is gone is dropped. The file is rewritten (tmp, fsync, rename) when half its lines are dead.
 *
 * <h2>Flags</h2>
 * In the file name ({@code :2,DFRST}), so Dovecot and mutt see them; {@code \Recent} is not stored. Keywords are
 * not kept. New mail is moved from {@code new/} to {@code cur/} when the folder is looked at, as IMAP servers do.
 *
 * <h2>Listing</h2>
 * {@link #messages()} comes from memory (built once from the index and two directory listings, never opening a
 * message); size is {@code ,S=} and INTERNALDATE is the name's leading seconds (both set by us on delivery and
 * APPEND), falling back to one stat for foreign names.
 */
public final class MaildirFolder {
    private static final Logger LOG = Logger.getLogger(MaildirFolder.class);
    static final String INDEX = "sealmail-uidlist";

    /** One message as listed: no file was opened to learn any of it. */
    public record Message(long uid, Set<Flag> flags, long size, Instant internalDate, String baseName) {
        /** A stable POP3 UIDL: {@code <UIDVALIDITY>.<UID>} of the INBOX (RFC 1939 allows 1-70 printable chars). */
        public String uidl(long uidValidity) {
            return uidValidity + "." + uid;
        }
    }

    /** How {@link #setFlags} combines the given flags with the present ones (IMAP STORE FLAGS / +FLAGS / -FLAGS). */
    public enum FlagChange { REPLACE, ADD, REMOVE }

    /** Copy/move result for UIDPLUS COPYUID (RFC 4315 §3): source UIDs and their new UIDs, same order. */
    public record CopyResult(long targetUidValidity, List<Long> sourceUids, List<Long> targetUids) {
    }

    private static final class Entry {
        final long uid;
        String fileName; // in cur/
        final long size;
        final Instant date;

        Entry(long uid, String fileName, long size, Instant date) {
            this.uid = uid;
            this.fileName = fileName;
            this.size = size;
            this.date = date;
        }
    }

    private final MaildirStore store;
    private final String account;
    private final String name;
    private final Path dir;
    private final TreeMap<Long, Entry> byUid = new TreeMap<>();
    private final Map<String, Long> byBase = new HashMap<>();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private long uidValidity;
    private long uidNext;
    private int indexLines;

    MaildirFolder(MaildirStore store, String account, String name, Path dir, long newUidValidity) throws IOException {
        this.store = store;
        this.account = account;
        this.name = name;
        this.dir = dir;
        store.ensureMaildir(dir);
        synchronized (this) {
            load(newUidValidity);
        }
    }

    public String name() {
        return name;
    }

    public synchronized long uidValidity() {
        return uidValidity;
    }

    public synchronized long uidNext() throws IOException {
        adoptNew();
        return uidNext;
    }

    /** Current messages, ascending UID, with new deliveries adopted first. Costs no file open. */
    public synchronized List<Message> messages() throws IOException {
        adoptNew();
        List<Message> out = new ArrayList<>(byUid.size());
        for (Entry e : byUid.values()) {
            out.add(new Message(e.uid, MaildirName.flags(e.fileName), e.size, e.date, MaildirName.base(e.fileName)));
        }
        return out;
    }

    /** The message file (for zero-copy sending); throws NONEXISTENT when expunged. */
    public synchronized Path path(long uid) throws MailboxStoreException {
        Entry e = byUid.get(uid);
        if (e == null) {
            throw new MailboxStoreException("NONEXISTENT", "message UID " + uid + " no longer exists");
        }
        return dir.resolve("cur").resolve(e.fileName);
    }

    /** Opens the message as stored (CRLF lines). A concurrent flag change renames the file: retried once. */
    public InputStream open(long uid) throws IOException {
        try {
            return Files.newInputStream(path(uid));
        } catch (NoSuchFileException renamed) {
            return Files.newInputStream(path(uid));
        }
    }

    public byte[] read(long uid) throws IOException {
        try (InputStream in = open(uid)) {
            return in.readAllBytes();
        }
    }

    /**
     * Stores a message durably (tmp, fsync, rename into cur/ with its flags, fsync cur/, index line forced) and
     * returns its UID. Quota is checked first: {@link QuotaExceededException}.
     */
    public long append(byte[] message, Set<Flag> flags, Instant internalDate) throws IOException {
        Instant date = internalDate == null ? Instant.now() : internalDate;
        store.quota.reserve(account, message.length);
        String base = MaildirName.unique(date, message.length);
        Path tmp = dir.resolve("tmp").resolve(base);
        try {
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.wrap(message);
                while (b.hasRemaining()) {
                    out.write(b);
                }
                out.force(true);
            }
            Files.setLastModifiedTime(tmp, FileTime.from(date));
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            store.quota.release(account, message.length);
            throw e;
        }
        long uid;
        synchronized (this) {
            String fileName = MaildirName.withFlags(base, flags);
            Files.move(tmp, dir.resolve("cur").resolve(fileName), StandardCopyOption.ATOMIC_MOVE);
            GroupCommit.forceDirectory(dir.resolve("cur"));
            uid = assign(List.of(fileName)).get(0);
        }
        changed();
        return uid;
    }

    /** Changes flags on the UIDs still present; one directory fsync for the whole set. */
    public void setFlags(Collection<Long> uids, FlagChange change, Set<Flag> flags) throws IOException {
        boolean any = false;
        synchronized (this) {
            for (long uid : new LinkedHashSet<>(uids)) {
                Entry e = byUid.get(uid);
                if (e == null) {
                    continue;
                }
                Set<Flag> now = MaildirName.flags(e.fileName);
                switch (change) {
                    case REPLACE -> {
                        now.clear();
                        now.addAll(flags);
                    }
                    case ADD -> now.addAll(flags);
                    case REMOVE -> now.removeAll(flags);
                }
                String renamed = MaildirName.withFlags(e.fileName, now);
                if (!renamed.equals(e.fileName)) {
                    Files.move(dir.resolve("cur").resolve(e.fileName), dir.resolve("cur").resolve(renamed), StandardCopyOption.ATOMIC_MOVE);
                    e.fileName = renamed;
                    any = true;
                }
            }
            if (any) {
                GroupCommit.forceDirectory(dir.resolve("cur"));
            }
        }
        if (any) {
            changed();
        }
    }

    /** Copies in the given order (hard links: no data copied), with their flags; UIDs for COPYUID. */
    public CopyResult copyTo(MaildirFolder target, List<Long> uids) throws IOException {
        List<Long> sources = new ArrayList<>();
        List<String> linked = new ArrayList<>();
        long bytes = 0;
        synchronized (this) {
            for (long uid : uids) {
                Entry e = byUid.get(uid);
                if (e != null) {
                    sources.add(uid);
                    bytes += e.size;
                }
            }
            store.quota.reserve(account, bytes);
            try {
                for (long uid : sources) {
                    Entry e = byUid.get(uid);
                    String base = MaildirName.unique(e.date, e.size);
                    String fileName = MaildirName.withFlags(base, MaildirName.flags(e.fileName));
                    Path tmp = target.dir.resolve("tmp").resolve(base);
                    try {
                        Files.createLink(tmp, dir.resolve("cur").resolve(e.fileName));
                    } catch (UnsupportedOperationException | IOException noLink) {
                        Files.copy(dir.resolve("cur").resolve(e.fileName), tmp, StandardCopyOption.COPY_ATTRIBUTES);
                        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                            ch.force(true);
                        }
                    }
                    Files.move(tmp, target.dir.resolve("cur").resolve(fileName), StandardCopyOption.ATOMIC_MOVE);
                    linked.add(fileName);
                }
            } catch (IOException e) {
                store.quota.release(account, bytes);
                throw e;
            }
        }
        List<Long> targetUids;
        synchronized (target) {
            GroupCommit.forceDirectory(target.dir.resolve("cur"));
            targetUids = target.assign(linked);
        }
        target.changed();
        return new CopyResult(target.uidValidity(), sources, targetUids);
    }

    /** RFC 6851 MOVE: copy, then expunge the sources. */
    public CopyResult moveTo(MaildirFolder target, List<Long> uids) throws IOException {
        CopyResult copied = copyTo(target, uids);
        expunge(copied.sourceUids());
        return copied;
    }

    /** Removes these messages for good; returns the UIDs removed, ascending. */
    public List<Long> expunge(Collection<Long> uids) throws IOException {
        List<Long> removed = new ArrayList<>();
        synchronized (this) {
            long freed = 0;
            for (long uid : new java.util.TreeSet<>(uids)) {
                Entry e = byUid.remove(uid);
                if (e == null) {
                    continue;
                }
                byBase.remove(MaildirName.base(e.fileName));
                Files.deleteIfExists(dir.resolve("cur").resolve(e.fileName));
                freed += e.size;
                removed.add(uid);
            }
            if (!removed.isEmpty()) {
                GroupCommit.forceDirectory(dir.resolve("cur"));
                store.quota.release(account, freed);
                if (indexLines > 64 && indexLines > 2 * byUid.size()) {
                    rewriteIndex();
                }
            }
        }
        if (!removed.isEmpty()) {
            changed();
        }
        return removed;
    }

    /** The UIDs of messages flagged \Deleted (for EXPUNGE/CLOSE). */
    public synchronized List<Long> deletedUids() {
        List<Long> out = new ArrayList<>();
        for (Entry e : byUid.values()) {
            if (MaildirName.flags(e.fileName).contains(Flag.DELETED)) {
                out.add(e.uid);
            }
        }
        return out;
    }

    /**
     * Calls {@code listener} (on the changing thread; keep it short, hand off to your own executor) after every
     * change by anyone: delivery, append, flags, expunge. Close the returned handle to stop.
     */
    public AutoCloseable onChange(Runnable listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    void changed() {
        for (Runnable l : listeners) {
            try {
                l.run();
            } catch (RuntimeException e) {
                LOG.warnf("folder listener failed: %s", e.toString());
            }
        }
    }

    /** A delivery landed in new/: adopt it now and tell the listeners (IDLE sees it within the commit). */
    void delivered() {
        try {
            synchronized (this) {
                adoptNew();
            }
        } catch (IOException e) {
            LOG.warnf("cannot index new mail in %s: %s", dir, e.toString());
        }
        changed();
    }

    long totalSize() {
        synchronized (this) {
            return byUid.values().stream().mapToLong(e -> e.size).sum();
        }
    }

    // ---- index ----

    private void load(long newUidValidity) throws IOException {
        Path index = dir.resolve(INDEX);
        Map<String, Long> known = new HashMap<>();
        uidValidity = 0;
        uidNext = 1;
        if (Files.exists(index)) {
            List<String> lines = Files.readAllLines(index, StandardCharsets.US_ASCII);
            if (!lines.isEmpty() && lines.get(0).startsWith("sealmail-uidlist 1 ")) {
                String[] h = lines.get(0).split(" ");
                uidValidity = Long.parseLong(h[2]);
                uidNext = Long.parseLong(h[3]);
                for (String line : lines.subList(1, lines.size())) {
                    int sp = line.indexOf(' ');
                    if (sp <= 0) {
                        continue; // a torn last line after a crash: that UID was never shown
                    }
                    try {
                        long uid = Long.parseLong(line.substring(0, sp));
                        known.put(line.substring(sp + 1), uid);
                        uidNext = Math.max(uidNext, uid + 1);
                    } catch (NumberFormatException torn) {
                        // same
                    }
                }
            }
        }
        boolean fresh = uidValidity == 0;
        if (fresh) {
            uidValidity = newUidValidity;
        }
        List<String> unindexed = new ArrayList<>();
        try (DirectoryStream<Path> cur = Files.newDirectoryStream(dir.resolve("cur"))) {
            for (Path p : cur) {
                String fileName = p.getFileName().toString();
                Long uid = fresh ? null : known.get(MaildirName.base(fileName));
                if (uid != null) {
                    put(uid, fileName);
                } else {
                    unindexed.add(fileName);
                }
            }
        }
        rewriteIndex();
        moveNewToCur(unindexed);
        unindexed.sort(Comparator.comparing((String n) -> dateOf(n)).thenComparing(n -> n));
        assign(unindexed);
    }

    private void adoptNew() throws IOException {
        List<String> fresh = new ArrayList<>();
        moveNewToCur(fresh);
        if (!fresh.isEmpty()) {
            fresh.sort(Comparator.comparing((String n) -> dateOf(n)).thenComparing(n -> n));
            assign(fresh);
        }
    }

    /** new/ to cur/ with an empty info part, as IMAP servers do when a folder is looked at. */
    private void moveNewToCur(List<String> into) throws IOException {
        List<String> moved = new ArrayList<>();
        try (DirectoryStream<Path> news = Files.newDirectoryStream(dir.resolve("new"))) {
            for (Path p : news) {
                String fileName = p.getFileName().toString();
                String target = fileName.contains(":2,") ? fileName : fileName + ":2,";
                Files.move(p, dir.resolve("cur").resolve(target), StandardCopyOption.ATOMIC_MOVE);
                moved.add(target);
            }
        }
        if (!moved.isEmpty()) {
            GroupCommit.forceDirectory(dir.resolve("cur"));
            GroupCommit.forceDirectory(dir.resolve("new"));
            into.addAll(moved);
        }
    }

    /** Gives the files the next UIDs and appends them to the index, forced, before anyone can see them. */
    private List<Long> assign(List<String> fileNames) throws IOException {
        List<Long> uids = new ArrayList<>();
        if (fileNames.isEmpty()) {
            return uids;
        }
        StringBuilder lines = new StringBuilder();
        for (String f : fileNames) {
            long uid = uidNext++;
            put(uid, f);
            uids.add(uid);
            lines.append(uid).append(' ').append(MaildirName.base(f)).append('\n');
        }
        try (FileChannel out = FileChannel.open(dir.resolve(INDEX), StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            out.write(ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.US_ASCII)));
            out.force(false);
        }
        indexLines += fileNames.size();
        return uids;
    }

    private void put(long uid, String fileName) {
        long size = MaildirName.size(fileName);
        if (size < 0) {
            try {
                size = Files.size(dir.resolve("cur").resolve(fileName));
            } catch (IOException e) {
                size = 0;
            }
        }
        byUid.put(uid, new Entry(uid, fileName, size, dateOf(fileName)));
        byBase.put(MaildirName.base(fileName), uid);
    }

    private Instant dateOf(String fileName) {
        Instant d = MaildirName.date(fileName);
        if (d != null) {
            return d;
        }
        try {
            return Files.getLastModifiedTime(dir.resolve("cur").resolve(fileName)).toInstant();
        } catch (IOException e) {
            return Instant.EPOCH;
        }
    }

    /** Writes the whole index (header with UIDNEXT and live lines) to a tmp file, forces it, renames it in. */
    private void rewriteIndex() throws IOException {
        Path tmp = dir.resolve("tmp").resolve(INDEX + "." + MaildirName.unique(Instant.now(), 0));
        try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.US_ASCII)) {
            w.write("sealmail-uidlist 1 " + uidValidity + " " + uidNext + "\n");
            for (Entry e : byUid.values()) {
                w.write(e.uid + " " + MaildirName.base(e.fileName) + "\n");
            }
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, dir.resolve(INDEX), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        GroupCommit.forceDirectory(dir);
        indexLines = byUid.size();
    }
}
