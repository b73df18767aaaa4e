package io.sealmail.engine.imap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.sealmail.store.Flag;
import io.sealmail.store.MailboxIndex;
import io.sealmail.store.MaildirName;
import io.sealmail.store.MaildirStore;
import io.sealmail.store.MessageCache;
import io.sealmail.store.SafeName;
import io.sealmail.store.QuotaExceededException;
import org.jboss.logging.Logger;

import java.io.IOException;
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
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * IMAP/POP3 access to the Maildirs {@link MaildirStore} delivers into, until the store offers its own mailbox API.
 * Layout is Maildir++ as Dovecot reads it: INBOX at the account root, folder {@code A/B} in {@code .A.B}, system
 * flags in the file name's info part ({@code :2,FRS}), subscriptions in {@code subscriptions}. Each folder keeps a
 * UID index {@code sealmail-uids} (UIDVALIDITY, next UID, then one line per message: UID, unique name, keywords),
 * appended and fsynced when a UID is assigned, so UIDs are stable across restarts and never reused.
 * Listing a folder reads directory entries and the index, never message files. Deliveries made by the store are
 * noticed by a 250 ms poll of {@code new/} for folders someone watches (IDLE), and by every command.
 */
public final class MaildirMailboxAccess implements MailboxAccess, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(MaildirMailboxAccess.class);
    static final List<String> SPECIAL_USE = List.of("Sent", "Drafts", "Trash", "Junk", "Archive");
    private static final String INDEX = "sealmail-uids";
    /** Deliveries found at once up to this many get their cache entries made right away; more wait for first use. */
    private static final int EAGER_SUMMARIES = 256;
    /** Distinct flag sets shared per folder (see {@code Folder.canonical}). */
    private static final int MAX_FLAG_SETS = 1024;

    private final MaildirStore store;
    private final Map<Path, Folder> folders = new ConcurrentHashMap<>();
    private final Map<Path, Account> accounts = new ConcurrentHashMap<>();
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sealmail-maildir-poll");
        t.setDaemon(true);
        return t;
    });

    public MaildirMailboxAccess(MaildirStore store) {
        this.store = store;
        poller.scheduleWithFixedDelay(this::poll, 250, 250, TimeUnit.MILLISECONDS);
        // A delivery wakes the sessions watching that folder as soon as it is durable; the poll stays as the
        // fallback for files that arrive any other way.
        store.observer((account, folderDir, fileName) -> {
            Folder f = folders.get(folderDir.toAbsolutePath().normalize());
            if (f != null && !f.listeners.isEmpty()) {
                f.fire();
            }
        });
    }

    private void poll() {
        for (Folder f : folders.values()) {
            if (!f.listeners.isEmpty()) {
                try {
                    if (f.newMayHaveChanged() && hasFiles(f.dir.resolve("new"))) {
                        f.fire();
                    }
                } catch (IOException | RuntimeException ignored) {
                    // folder removed meanwhile
                }
            }
        }
    }

    private static boolean hasFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isPresent();
        }
    }

    @Override
    public void close() {
        poller.shutdownNow();
        folders.values().forEach(Folder::closeFiles);
    }

    /** The cache entry for a message in hand; null if it cannot be made (the entry is then made on first use). */
    private static ByteBuffer summarize(byte[] message) {
        try {
            return MessageSummary.of(message).encoded();
        } catch (RuntimeException e) {
            LOG.debugf("no cache entry for a message: %s", e.toString());
            return null;
        }
    }

    /** The flags as one string in a fixed order, hashed for the MODSEQ index (which only needs to see a change). */
    private static int flagHash(Set<String> flags) {
        String[] sorted = flags.toArray(new String[0]);
        java.util.Arrays.sort(sorted);
        // String.join(" ", sorted).hashCode(), computed without building the string (the value is on disk: keep it)
        int h = 0;
        for (int i = 0; i < sorted.length; i++) {
            if (i > 0) {
                h = 31 * h + ' ';
            }
            String f = sorted[i];
            for (int j = 0; j < f.length(); j++) {
                h = 31 * h + f.charAt(j);
            }
        }
        return h;
    }

    /**
     * One {@link Account} per account for the whole process, so concurrent logins of one user share its lock (the
     * special-use folders and the subscriptions file are created once, not raced).
     */
    @Override
    public Mailboxes forAccount(String account) throws IOException {
        Path root = store.inbox(account);
        String key = account.strip().toLowerCase(java.util.Locale.ROOT);
        Account a = accounts.computeIfAbsent(root.toAbsolutePath().normalize(), r -> new Account(r, key));
        synchronized (a) {
            if (!a.ready) {
                for (String special : SPECIAL_USE) {
                    Path dir = a.dirOf(special);
                    if (!Files.isDirectory(dir.resolve("cur"))) {
                        makeMaildir(dir);
                        a.setSubscribed(special, true);
                    }
                }
                a.ready = true;
            }
        }
        return a;
    }

    static void makeMaildir(Path dir) throws IOException {
        for (String sub : new String[] {"tmp", "new", "cur"}) {
            Files.createDirectories(dir.resolve(sub));
        }
    }

    /** Drops a folder that is deleted or renamed, closing its index files. */
    private void forget(Path dir) {
        Folder f = folders.remove(dir.toAbsolutePath().normalize());
        if (f != null) {
            f.closeFiles();
        }
    }

    private Folder folder(Path dir, String name, String account) {
        return folders.computeIfAbsent(dir.toAbsolutePath().normalize(), d -> new Folder(d, name, account));
    }

    /**
     * Takes octets from the account's quota ({@code limits.quotaPerAccount}, shared with SMTP delivery) before
     * anything is written; past it the command fails with {@code NO [OVERQUOTA]} (RFC 9208 §4.3, RFC 5530).
     */
    private void charge(String account, long octets) throws MailboxException {
        try {
            store.reserveQuota(account, octets);
        } catch (QuotaExceededException e) {
            throw new MailboxException("OVERQUOTA", "Quota exceeded: " + e.used() + " of " + e.limit()
                    + " octets used, " + octets + " more needed");
        }
    }

    private static void fsync(Path path) {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ignored) {
            // directories cannot be opened for fsync on every platform; the data file itself was forced
        }
    }

    private final class Account implements Mailboxes {
        private final Path root;
        private final String account;
        private boolean ready;

        Account(Path root, String account) {
            this.root = root;
            this.account = account;
        }

        @Override
        public Quota quota() {
            return new Quota(store.usage(account), store.quotaLimit());
        }

        Path dirOf(String name) {
            if (name.equals("INBOX")) {
                return root;
            }
            StringBuilder sb = new StringBuilder();
            for (String part : name.split("/", -1)) {
                sb.append('.').append(SafeName.encodeFolderComponent(part));
            }
            return root.resolve(sb.toString());
        }

        private String nameOf(String dirName) {
            StringBuilder sb = new StringBuilder();
            for (String part : dirName.substring(1).split("\\.", -1)) {
                if (sb.length() > 0) {
                    sb.append('/');
                }
                sb.append(SafeName.decodeFolderComponent(part));
            }
            return sb.toString();
        }

        private Set<String> subscriptions() throws IOException {
            Path f = root.resolve("subscriptions");
            return Files.exists(f) ? new LinkedHashSet<>(Files.readAllLines(f, StandardCharsets.UTF_8)) : new LinkedHashSet<>();
        }

        @Override
        public List<MailboxInfo> list() throws IOException {
            Set<String> subs = subscriptions();
            List<MailboxInfo> out = new ArrayList<>();
            out.add(new MailboxInfo("INBOX", null, true));
            TreeSet<String> names = new TreeSet<>();
            try (Stream<Path> s = Files.list(root)) {
                s.filter(p -> p.getFileName().toString().startsWith(".") && Files.isDirectory(p.resolve("cur")))
                        .forEach(p -> names.add(nameOf(p.getFileName().toString())));
            }
            for (String n : names) {
                out.add(new MailboxInfo(n, SPECIAL_USE.contains(n) ? "\\" + n : null, subs.contains(n)));
            }
            return out;
        }

        @Override
        public void create(String name) throws IOException {
            Path dir = dirOf(name);
            if (name.equals("INBOX") || Files.isDirectory(dir.resolve("cur"))) {
                throw new MailboxException("ALREADYEXISTS", "Mailbox exists");
            }
            makeMaildir(dir);
            fsync(root);
        }

        @Override
        public void delete(String name) throws IOException {
            if (name.equals("INBOX")) {
                throw new MailboxException("CANNOT", "INBOX cannot be deleted");
            }
            Path dir = dirOf(name);
            if (!Files.isDirectory(dir.resolve("cur"))) {
                throw new MailboxException("NONEXISTENT", "No such mailbox");
            }
            forget(dir);
            try (Stream<Path> walk = Files.walk(dir)) {
                List<Path> all = walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList();
                for (Path p : all) {
                    Files.deleteIfExists(p);
                }
            }
            setSubscribed(name, false);
            // The deleted messages leave the quota: count the account again from its file names.
            store.recountQuota(account);
        }

        @Override
        public void rename(String from, String to) throws IOException {
            Path target = dirOf(to);
            if (to.equals("INBOX") || Files.isDirectory(target.resolve("cur"))) {
                throw new MailboxException("ALREADYEXISTS", "Target mailbox exists");
            }
            if (from.equals("INBOX")) {
                // RFC 9051 §6.3.6: INBOX's messages move to the new name; INBOX stays, empty.
                makeMaildir(target);
                try (MailFolder inbox = open("INBOX")) {
                    List<Long> uids = inbox.messages().stream().map(MailFolder.MessageInfo::uid).toList();
                    if (!uids.isEmpty()) {
                        inbox.move(uids, to);
                    }
                }
                return;
            }
            Path source = dirOf(from);
            if (!Files.isDirectory(source.resolve("cur"))) {
                throw new MailboxException("NONEXISTENT", "No such mailbox");
            }
            String prefix = source.getFileName().toString();
            String newPrefix = target.getFileName().toString();
            List<Path> moves = new ArrayList<>();
            try (Stream<Path> s = Files.list(root)) {
                s.filter(p -> p.getFileName().toString().equals(prefix) || p.getFileName().toString().startsWith(prefix + "."))
                        .forEach(moves::add);
            }
            for (Path p : moves) {
                String rest = p.getFileName().toString().substring(prefix.length());
                forget(p);
                Files.move(p, root.resolve(newPrefix + rest), StandardCopyOption.ATOMIC_MOVE);
            }
            fsync(root);
        }

        @Override
        public synchronized void setSubscribed(String name, boolean subscribed) throws IOException {
            Set<String> subs = subscriptions();
            if (subscribed ? subs.add(name) : subs.remove(name)) {
                Path tmp = root.resolve("subscriptions.tmp");
                Files.write(tmp, subs, StandardCharsets.UTF_8);
                Files.move(tmp, root.resolve("subscriptions"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        }

        @Override
        public MailFolder open(String name) throws IOException {
            Path dir = dirOf(name);
            if (!Files.isDirectory(dir.resolve("cur"))) {
                throw new MailboxException("NONEXISTENT", "No such mailbox: " + name);
            }
            return new Handle(folder(dir, name, account), this);
        }

        Folder target(String name) throws MailboxException {
            Path dir = dirOf(name);
            if (!Files.isDirectory(dir.resolve("cur"))) {
                throw new MailboxException("TRYCREATE", "No such mailbox: " + name);
            }
            return folder(dir, name, account);
        }

        @Override
        public AppendResult append(String name, byte[] message, Set<String> flags, Instant internalDate) throws IOException {
            Folder f = target(name);
            charge(account, message.length);
            long uid;
            try {
                uid = f.add(tmp -> Files.write(tmp, message), message.length, flags, internalDate, summarize(message));
            } catch (IOException | RuntimeException e) {
                store.releaseQuota(account, message.length);
                throw e;
            }
            f.fire();
            return new AppendResult(f.uidValidity(), uid);
        }

        /** RFC 3502: quota for all first (refused whole when they do not fit together), then one by one, undone on failure. */
        @Override
        public List<AppendResult> appendAll(String name, List<NewMessage> messages) throws IOException {
            Folder f = target(name);
            long total = messages.stream().mapToLong(m -> m.content().length).sum();
            charge(account, total);
            List<Long> added = new ArrayList<>();
            long charged = total;
            try {
                for (NewMessage m : messages) {
                    byte[] content = m.content();
                    added.add(f.add(tmp -> Files.write(tmp, content), content.length, m.flags(), m.internalDate(), summarize(content)));
                    charged -= content.length;
                }
            } catch (IOException | RuntimeException e) {
                store.releaseQuota(account, charged);
                if (!added.isEmpty()) {
                    f.expunge(added, true);
                }
                f.fire();
                throw e;
            }
            f.fire();
            List<AppendResult> out = new ArrayList<>();
            for (long uid : added) {
                out.add(new AppendResult(f.uidValidity(), uid));
            }
            return out;
        }
    }

    /** A file in a folder: its unique base name, current file name, flags and keywords. */
    private record Entry(long uid, String base, String file, Set<String> flags, long size, Instant date) {
    }

    @FunctionalInterface
    private interface Writer {
        void write(Path tmp) throws IOException;
    }

    /**
     * One folder, shared by every session in this process; all changes go through its lock. The message list is
     * kept in memory: this process is the only writer of {@code cur/}, so after the first listing only {@code new/}
     * (deliveries) needs looking at; a command costs a stat of {@code new/} (see {@link #newMayHaveChanged}),
     * not a stat per message. {@link #snapshot} is an immutable list that is replaced on every change, so a session can tell
     * "nothing changed" by identity.
     */
    private final class Folder {
        final Path dir;
        final String name;
        final String account;
        final List<Runnable> listeners = new CopyOnWriteArrayList<>();
        private long uidValidity;
        private long uidNext;
        private final TreeMap<Long, Entry> byUid = new TreeMap<>();
        private final Map<String, Long> uidOfBase = new HashMap<>();
        private final Map<Long, Set<String>> keywords = new HashMap<>();
        private final Map<Set<String>, Set<String>> flagSets = new HashMap<>();
        private boolean loaded;
        private boolean listed;
        private MailboxIndex index;
        private MessageCache cache;
        private List<Entry> snapshot;
        /** {@code new/}'s modification time at its last listing, and when that listing began (epoch ms). */
        private FileTime newListedMtime;
        private long newListedAt;

        Folder(Path dir, String name, String account) {
            this.dir = dir;
            this.name = name;
            this.account = account;
        }

        void fire() {
            listeners.forEach(Runnable::run);
        }

        synchronized long uidValidity() throws IOException {
            load();
            return uidValidity;
        }

        private void load() throws IOException {
            if (loaded) {
                return;
            }
            Path index = dir.resolve(INDEX);
            boolean newFolder = !Files.exists(index);
            if (!newFolder) {
                cutTornLine(index);
                List<String> lines = Files.readAllLines(index, StandardCharsets.UTF_8);
                String[] head = lines.get(0).split(" ");
                uidValidity = Long.parseLong(head[1]);
                uidNext = Long.parseLong(head[2]);
                for (String line : lines.subList(1, lines.size())) {
                    String[] parts = line.split(" ");
                    if (parts.length < 2) {
                        continue; // a torn last line after a crash: that UID was never shown
                    }
                    long uid;
                    try {
                        uid = Long.parseLong(parts[0]);
                    } catch (NumberFormatException torn) {
                        continue;
                    }
                    uidOfBase.put(parts[1], uid);
                    uidNext = Math.max(uidNext, uid + 1);
                    if (parts.length > 2) {
                        // Only messages with keywords get an entry: most have none, and an empty set per
                        // message was 64 octets each (6 MB for a folder of 100,000).
                        keywords.put(uid, Set.copyOf(java.util.Arrays.asList(parts).subList(2, parts.length)));
                    } else {
                        keywords.remove(uid);
                    }
                }
            } else {
                uidValidity = Instant.now().getEpochSecond();
                uidNext = 1;
                Files.writeString(index, "V " + uidValidity + " 1\n", StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                        StandardOpenOption.SYNC);
            }
            this.index = MailboxIndex.open(dir, uidValidity, newFolder);
            this.cache = MessageCache.open(dir, uidValidity);
            loaded = true;
        }

        /**
         * Cuts a last line without its newline (a kill during an append: that change was never acknowledged, its
         * write was not yet forced). Left there, the next append would be glued onto it and its UID lost.
         */
        private static void cutTornLine(Path index) throws IOException {
            try (FileChannel ch = FileChannel.open(index, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                long size = ch.size();
                ByteBuffer last = ByteBuffer.allocate(1);
                if (size == 0 || (ch.read(last, size - 1) == 1 && last.get(0) == '\n')) {
                    return;
                }
                ByteBuffer tail = ByteBuffer.allocate((int) Math.min(size, 64 * 1024));
                long from = size - tail.capacity();
                while (tail.hasRemaining() && ch.read(tail, from + tail.position()) > 0) {
                    // read the tail
                }
                int keep = -1;
                for (int i = tail.position() - 1; i >= 0; i--) {
                    if (tail.get(i) == '\n') {
                        keep = i + 1;
                        break;
                    }
                }
                if (keep > 0) {
                    ch.truncate(from + keep);
                    ch.force(true);
                }
            }
        }

        synchronized void closeFiles() {
            if (index != null) {
                index.close();
                cache.close();
            }
            loaded = false;
            listed = false;
        }

        synchronized long highestModseq() throws IOException {
            scan();
            return index.highestModseq();
        }

        synchronized List<Long> expungedSince(long modseq) throws IOException {
            scan();
            return index.expungedSince(modseq);
        }

        /** The index's save time; for a message indexed before save times were kept, its INTERNALDATE (stable). */
        synchronized Instant saveDate(long uid) {
            long saved = index == null ? 0 : index.savedAt(uid);
            if (saved > 0) {
                return Instant.ofEpochSecond(saved);
            }
            Entry e = byUid.get(uid);
            return e == null ? null : e.date();
        }

        synchronized ByteBuffer cached(long uid) throws IOException {
            load();
            return cache.view(uid);
        }

        synchronized void cache(long uid, ByteBuffer entry) throws IOException {
            if (byUid.containsKey(uid)) {
                cache.put(uid, entry);
            }
        }

        /** Appends index lines with one write and one flush, before any of their UIDs is shown. */
        private void appendIndex(List<String> lines) throws IOException {
            if (lines.isEmpty()) {
                return;
            }
            StringBuilder sb = new StringBuilder();
            lines.forEach(l -> sb.append(l).append('\n'));
            try (FileChannel ch = FileChannel.open(dir.resolve(INDEX), StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                ByteBuffer b = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8));
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
        }

        /**
         * Brings the in-memory list up to date: the first time it lists {@code cur/}; every time it moves what is
         * in {@code new/} into {@code cur/}. Files without an index line get the next UIDs, in name order (which is
         * delivery order: the names start with seconds and zero-padded microseconds).
         */
        /**
         * Whether {@code new/} may hold files the last listing did not see. Listing a directory that once held many
         * files reads all its blocks even when it is empty (an INBOX that received 10,000 messages: about 200
         * blocks), so, as Dovecot's maildir sync does, its modification time is compared instead. File times move
         * in clock ticks, so a change in the same tick as the last listing would not show: a listing that began
         * within a second of the directory's time does not count.
         */
        synchronized boolean newMayHaveChanged() throws IOException {
            if (newListedMtime == null) {
                return true;
            }
            FileTime now = Files.getLastModifiedTime(dir.resolve("new"));
            return !now.equals(newListedMtime) || newListedAt - now.toMillis() < 1000;
        }

        synchronized List<Entry> scan() throws IOException {
            load();
            List<String> unknown = new ArrayList<>();
            if (!listed) {
                byUid.clear();
                List<String> files = new ArrayList<>();
                try (DirectoryStream<Path> s = Files.newDirectoryStream(dir.resolve("cur"))) {
                    for (Path p : s) {
                        String f = p.getFileName().toString();
                        if (!f.startsWith(".")) {
                            files.add(f);
                        }
                    }
                }
                files.sort(null);
                Set<Long> present = new HashSet<>();
                Map<Long, Integer> hashes = new HashMap<>();
                for (String f : files) {
                    Long uid = uidOfBase.get(base(f));
                    if (uid == null || !present.add(uid)) {
                        unknown.add(f);
                    } else {
                        Entry e = entry(uid, f);
                        byUid.put(uid, e);
                        hashes.put(uid, flagHash(e.flags()));
                    }
                }
                uidOfBase.values().retainAll(present);
                keywords.keySet().retainAll(present);
                // Files added or removed by hand, flags changed by another tool, or an index lost or damaged:
                // each difference gets a new MODSEQ here, so CONDSTORE clients hear of it.
                index.reconcile(hashes);
                listed = true;
                snapshot = null;
            }
            List<String> delivered = new ArrayList<>();
            if (newMayHaveChanged()) {
                long startedAt = System.currentTimeMillis();
                FileTime mtime = Files.getLastModifiedTime(dir.resolve("new"));
                try (DirectoryStream<Path> s = Files.newDirectoryStream(dir.resolve("new"))) {
                    for (Path p : s) {
                        String f = p.getFileName().toString();
                        if (!f.startsWith(".")) {
                            delivered.add(f);
                        }
                    }
                }
                newListedMtime = mtime;
                newListedAt = startedAt;
            }
            delivered.sort(null);
            for (String f : delivered) {
                String target = f.contains(":2,") ? f : f + ":2,";
                try {
                    Files.move(dir.resolve("new").resolve(f), dir.resolve("cur").resolve(target), StandardCopyOption.ATOMIC_MOVE);
                    unknown.add(target);
                } catch (NoSuchFileException gone) {
                    // another process moved it
                }
            }
            if (!unknown.isEmpty()) {
                List<String> lines = new ArrayList<>();
                List<Entry> added = new ArrayList<>();
                Map<Long, Integer> hashes = new HashMap<>();
                for (String f : unknown) {
                    long uid = uidNext++;
                    lines.add(uid + " " + base(f));
                    Entry e = entry(uid, f);
                    added.add(e);
                    hashes.put(uid, flagHash(e.flags()));
                }
                appendIndex(lines);
                for (Entry e : added) {
                    uidOfBase.put(e.base(), e.uid());
                    byUid.put(e.uid(), e);
                }
                index.changed(hashes);
                if (!delivered.isEmpty() && added.size() <= EAGER_SUMMARIES) {
                    // Just delivered, still in the page cache: fill the cache now rather than at the first FETCH.
                    for (Entry e : added) {
                        if (!cache.contains(e.uid())) {
                            summarizeFile(e);
                        }
                    }
                }
                snapshot = null;
            }
            if (snapshot == null) {
                snapshot = List.copyOf(byUid.values());
            }
            return snapshot;
        }

        private List<Entry> infosOf;
        private List<MailFolder.MessageInfo> infos;

        /** The messages as sessions see them; the same list instance as long as nothing changed. */
        synchronized List<MailFolder.MessageInfo> infos() throws IOException {
            List<Entry> now = scan();
            if (now != infosOf) {
                List<MailFolder.MessageInfo> out = new ArrayList<>(now.size());
                for (Entry e : now) {
                    out.add(new MailFolder.MessageInfo(e.uid(), e.flags(), e.size(), e.date(), index.modseq(e.uid())));
                }
                infos = java.util.Collections.unmodifiableList(out);
                infosOf = now;
            }
            return infos;
        }

        /** Forgets the listing (a file vanished under us): the next scan lists {@code cur/} again. */
        synchronized void relist() {
            listed = false;
        }

        private Entry entry(long uid, String file) {
            Set<String> flags = new TreeSet<>(keywords.getOrDefault(uid, Set.of()));
            for (Flag f : MaildirName.flags(file)) {
                flags.add(f.imapName());
            }
            long size = MaildirName.size(file);
            Instant date = MaildirName.date(file);
            if (size < 0 || date == null) {
                // A name another tool wrote: ask the file system once, then keep it in memory.
                Path path = dir.resolve("cur").resolve(file);
                try {
                    if (size < 0) {
                        size = Files.size(path);
                    }
                    if (date == null) {
                        date = Files.getLastModifiedTime(path).toInstant();
                    }
                } catch (IOException e) {
                    date = date == null ? Instant.EPOCH : date;
                    size = Math.max(size, 0);
                }
            }
            return new Entry(uid, base(file), file, canonical(flags), size, date);
        }

        private String base(String file) {
            return MaildirName.base(file);
        }

        /**
         * One immutable instance per distinct flag set, shared by every message that has it: a folder has few
         * combinations (unseen, seen, seen and answered...), so this saves a set per message in memory and lets
         * STORE work per combination. Past {@link #MAX_FLAG_SETS} combinations (keywords run wild) sets are simply
         * not shared.
         */
        private Set<String> canonical(Set<String> flags) {
            Set<String> shared = flagSets.get(flags);
            if (shared != null) {
                return shared;
            }
            Set<String> copy = Set.copyOf(flags);
            if (flagSets.size() < MAX_FLAG_SETS) {
                flagSets.put(copy, copy);
            }
            return copy;
        }

        private String fileName(String previous, Set<String> flags) {
            Set<Flag> system = EnumSet.noneOf(Flag.class);
            for (String f : flags) {
                Flag flag = Flag.fromImap(f);
                if (flag != null) {
                    system.add(flag);
                }
            }
            return MaildirName.withFlags(previous, system);
        }

        /** Writes a new message durably (tmp, fsync, rename into cur) and gives it the next UID; quota is the caller's. */
        synchronized long add(Writer writer, long size, Set<String> flags, Instant date, ByteBuffer summary) throws IOException {
            scan();
            // The name starts with the INTERNALDATE's seconds, so listing never needs a stat.
            String base = MaildirName.unique(date, size);
            Path tmp = dir.resolve("tmp").resolve(base);
            try {
                writer.write(tmp);
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
                Files.setLastModifiedTime(tmp, java.nio.file.attribute.FileTime.from(date));
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(tmp);
                throw e;
            }
            long uid = uidNext++;
            appendIndex(List.of(uid + " " + base + keywordText(flags)));
            String file = fileName(base, flags);
            Files.move(tmp, dir.resolve("cur").resolve(file), StandardCopyOption.ATOMIC_MOVE);
            fsync(dir.resolve("cur"));
            uidOfBase.put(base, uid);
            Set<String> kw = keywordsOf(flags);
            if (!kw.isEmpty()) {
                keywords.put(uid, kw);
            }
            Entry added = entry(uid, file);
            byUid.put(uid, added);
            index.changed(Map.of(uid, flagHash(added.flags())));
            if (summary != null) {
                cache.put(uid, summary);
            }
            snapshot = null;
            return uid;
        }

        private Set<String> keywordsOf(Set<String> flags) {
            Set<String> kw = new HashSet<>();
            for (String f : flags) {
                if (!f.startsWith("\\")) {
                    kw.add(f);
                }
            }
            return kw;
        }

        private String keywordText(Set<String> flags) {
            StringBuilder sb = new StringBuilder();
            for (String k : keywordsOf(flags)) {
                sb.append(' ').append(k);
            }
            return sb.toString();
        }

        /**
         * Changes flags: system flags by renaming the files (one {@code rename} each, as Dovecot's maildir does),
         * keywords by lines appended to the UID list, then one {@code fsync} of {@code cur/}, then one MODSEQ record
         * for the whole command. A message whose flags would not change costs a set comparison and nothing else.
         *
         * @param unchangedSince -1, or the MODSEQ a message must not have passed to be changed (RFC 7162 §3.1.3)
         */
        synchronized List<Long> store(Collection<Long> uids, MailFolder.FlagChange change, Set<String> flags,
                                      long unchangedSince) throws IOException {
            scan();
            Path cur = dir.resolve("cur");
            boolean keywordsAsked = change == MailFolder.FlagChange.REPLACE || !keywordsOf(flags).isEmpty();
            List<String> lines = new ArrayList<>();
            List<Long> modified = new ArrayList<>();
            Map<Long, Integer> changed = new HashMap<>();
            Map<Set<String>, Set<String>> next = new java.util.IdentityHashMap<>();
            java.util.function.Function<Set<String>, Set<String>> apply = old -> canonical(switch (change) {
                case REPLACE -> flags;
                case ADD -> old.containsAll(flags) ? old : union(old, flags);
                case REMOVE -> disjoint(old, flags) ? old : difference(old, flags);
            });
            Map<Set<String>, Integer> hashes = new java.util.IdentityHashMap<>();
            boolean renamed = false;
            for (Long uid : uids) {
                Entry e = byUid.get(uid);
                if (e == null) {
                    continue;
                }
                if (unchangedSince >= 0 && index.modseq(uid) > unchangedSince) {
                    modified.add(uid);
                    continue;
                }
                // Messages share their flag sets (see canonical), so the new set and its hash are worked out once
                // per distinct set in the command, not once per message.
                Set<String> now = next.computeIfAbsent(e.flags(), apply);
                if (now == e.flags() || now.equals(e.flags())) {
                    continue; // nothing to do for this one: no rename, no new MODSEQ
                }
                String file = fileName(e.file(), now);
                if (!file.equals(e.file())) {
                    try {
                        Files.move(cur.resolve(e.file()), cur.resolve(file), StandardCopyOption.ATOMIC_MOVE);
                    } catch (NoSuchFileException gone) {
                        listed = false;
                        continue;
                    }
                    renamed = true;
                }
                if (keywordsAsked) {
                    Set<String> kw = keywordsOf(now);
                    if (!kw.equals(keywords.getOrDefault(uid, Set.of()))) {
                        if (kw.isEmpty()) {
                            keywords.remove(uid);
                        } else {
                            keywords.put(uid, kw);
                        }
                        lines.add(uid + " " + e.base() + keywordText(now));
                    }
                }
                changed.put(uid, hashes.computeIfAbsent(now, MaildirMailboxAccess::flagHash));
                byUid.put(uid, new Entry(uid, e.base(), file, now, e.size(), e.date()));
                snapshot = null;
            }
            appendIndex(lines);
            if (renamed) {
                fsync(cur);
            }
            // After the renames and keyword lines are durable: a crash before this line leaves flags on disk that
            // the index does not know, which the next listing gives a new MODSEQ (never one a client has seen).
            index.changed(changed);
            return modified;
        }

        private static Set<String> union(Set<String> a, Set<String> b) {
            Set<String> out = new HashSet<>(a);
            out.addAll(b);
            return out;
        }

        private static Set<String> difference(Set<String> a, Set<String> b) {
            Set<String> out = new HashSet<>(a);
            out.removeAll(b);
            return out;
        }

        private static boolean disjoint(Set<String> a, Set<String> b) {
            for (String f : b) {
                if (a.contains(f)) {
                    return false;
                }
            }
            return true;
        }

        /** Removes messages for good; their octets leave the quota unless they moved to another folder. */
        synchronized List<Long> expunge(Collection<Long> uids, boolean releaseQuota) throws IOException {
            scan();
            List<Long> gone = new ArrayList<>();
            long freed = 0;
            for (Long uid : new TreeSet<>(uids)) {
                Entry e = byUid.remove(uid);
                if (e != null) {
                    Files.deleteIfExists(dir.resolve("cur").resolve(e.file()));
                    freed += e.size();
                    uidOfBase.remove(e.base());
                    keywords.remove(uid);
                    gone.add(uid);
                }
            }
            if (!gone.isEmpty()) {
                snapshot = null;
                fsync(dir.resolve("cur"));
                index.expunged(gone);
                cache.remove(gone);
                if (releaseQuota) {
                    store.releaseQuota(account, freed);
                }
            }
            return gone;
        }

        /** The message file of a UID; NONEXISTENT when it was expunged. */
        synchronized Path path(long uid) throws IOException {
            Entry e = byUid.get(uid);
            if (e == null || !listed) {
                // Not known, or a file vanished under us (relist): list again before answering.
                scan();
                e = byUid.get(uid);
            }
            if (e == null) {
                throw new MailboxException("NONEXISTENT", "Message expunged");
            }
            return dir.resolve("cur").resolve(e.file());
        }

        byte[] read(long uid) throws IOException {
            return readMessage(uid, Files::readAllBytes);
        }

        ByteBuf read(long uid, ByteBufAllocator alloc) throws IOException {
            return readMessage(uid, file -> readFile(file, alloc));
        }

        private interface MessageReader<T> {
            T read(Path file) throws IOException;
        }

        private <T> T readMessage(long uid, MessageReader<T> reader) throws IOException {
            try {
                return reader.read(path(uid));
            } catch (NoSuchFileException renamed) {
                // Renamed by a flag change between path() and the open, or removed by someone else: look again.
                relist();
                return reader.read(path(uid));
            }
        }

        private static ByteBuf readFile(Path file, ByteBufAllocator alloc) throws IOException {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                long size = ch.size();
                if (size > Integer.MAX_VALUE - 8) {
                    throw new IOException("message file too large: " + file.getFileName());
                }
                ByteBuf buf = alloc.directBuffer((int) size);
                try {
                    // Message files are never rewritten in place: read to the size, or to an end of file that
                    // came early (the file was replaced meanwhile).
                    int read = 0;
                    while (buf.isWritable() && read >= 0) {
                        read = buf.writeBytes(ch, buf.writerIndex(), buf.writableBytes());
                    }
                    return buf;
                } catch (IOException | RuntimeException e) {
                    buf.release();
                    throw e;
                }
            }
        }

        private void summarizeFile(Entry e) {
            try {
                ByteBuffer summary = summarize(Files.readAllBytes(dir.resolve("cur").resolve(e.file())));
                if (summary != null) {
                    cache.put(e.uid(), summary);
                }
            } catch (IOException gone) {
                // removed meanwhile, or unreadable: the entry is made on first use, or never
            }
        }

        synchronized Entry entryOf(long uid) {
            return byUid.get(uid);
        }
    }

    /** What one session holds open; closing it removes the session's listeners. */
    private final class Handle implements MailFolder {
        private final Folder folder;
        private final Account account;
        private final List<Runnable> mine = new ArrayList<>();

        Handle(Folder folder, Account account) {
            this.folder = folder;
            this.account = account;
        }

        @Override
        public String name() {
            return folder.name;
        }

        @Override
        public long uidValidity() {
            try {
                return folder.uidValidity();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        @Override
        public long uidNext() throws IOException {
            synchronized (folder) {
                folder.scan();
                return folder.uidNext;
            }
        }

        @Override
        public List<MessageInfo> messages() throws IOException {
            return folder.infos();
        }

        @Override
        public Instant saveDate(long uid) {
            return folder.saveDate(uid);
        }

        @Override
        public boolean saveDates() {
            return true;
        }

        @Override
        public byte[] read(long uid) throws IOException {
            return folder.read(uid);
        }

        @Override
        public ByteBuf read(long uid, ByteBufAllocator alloc) throws IOException {
            return folder.read(uid, alloc);
        }

        @Override
        public void store(Collection<Long> uids, FlagChange change, Set<String> flags) throws IOException {
            store(uids, change, flags, -1);
        }

        @Override
        public List<Long> store(Collection<Long> uids, FlagChange change, Set<String> flags, long unchangedSince) throws IOException {
            List<Long> modified = folder.store(uids, change, flags, unchangedSince);
            folder.fire();
            return modified;
        }

        @Override
        public long highestModseq() throws IOException {
            return folder.highestModseq();
        }

        @Override
        public List<Long> expungedSince(long modseq) throws IOException {
            return folder.expungedSince(modseq);
        }

        @Override
        public ByteBuffer cached(long uid) throws IOException {
            return folder.cached(uid);
        }

        @Override
        public void cache(long uid, ByteBuffer entry) throws IOException {
            folder.cache(uid, entry);
        }

        @Override
        public CopyResult copy(List<Long> uids, String target) throws IOException {
            return transfer(uids, target, false);
        }

        @Override
        public CopyResult move(List<Long> uids, String target) throws IOException {
            return transfer(uids, target, true);
        }

        /**
         * COPY and MOVE. COPY charges the quota for all messages before writing any (MOVE stays within the account
         * and costs nothing); if a copy fails half-way the copies made are removed again, so the target is as
         * before (RFC 9051 §6.4.7).
         */
        private CopyResult transfer(List<Long> uids, String targetName, boolean move) throws IOException {
            Folder target = account.target(targetName);
            List<Long> src = new ArrayList<>();
            List<Long> dst = new ArrayList<>();
            folder.scan();
            List<Entry> entries = new ArrayList<>();
            long charged = 0;
            for (Long uid : uids) {
                Entry e = folder.entryOf(uid);
                if (e != null) {
                    entries.add(e);
                    charged += e.size();
                }
            }
            if (!move) {
                charge(account.account, charged);
            }
            try {
                for (Entry e : entries) {
                    Path source = folder.dir.resolve("cur").resolve(e.file());
                    long newUid;
                    try {
                        newUid = target.add(tmp -> Files.copy(source, tmp), e.size(), e.flags(), e.date(), folder.cached(e.uid()));
                    } catch (NoSuchFileException gone) {
                        if (!move) {
                            store.releaseQuota(account.account, e.size());
                            charged -= e.size();
                        }
                        continue;
                    }
                    src.add(e.uid());
                    dst.add(newUid);
                }
            } catch (IOException | RuntimeException failure) {
                target.expunge(dst, false);
                if (!move) {
                    store.releaseQuota(account.account, charged);
                }
                throw failure;
            }
            if (move && !src.isEmpty()) {
                folder.expunge(src, false);
                folder.fire();
            }
            target.fire();
            return new CopyResult(target.uidValidity(), src, dst);
        }

        @Override
        public List<Long> expunge(Collection<Long> uids) throws IOException {
            List<Long> gone = folder.expunge(uids, true);
            folder.fire();
            return gone;
        }

        @Override
        public AutoCloseable onChange(Runnable listener) {
            folder.listeners.add(listener);
            mine.add(listener);
            return () -> folder.listeners.remove(listener);
        }

        @Override
        public void close() {
            mine.forEach(folder.listeners::remove);
            mine.clear();
        }
    }
}
