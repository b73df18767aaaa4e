package io.sealmail.engine.imap;

import io.sealmail.store.MaildirStore;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
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

    private final MaildirStore store;
    private final Map<Path, Folder> folders = new ConcurrentHashMap<>();
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sealmail-maildir-poll");
        t.setDaemon(true);
        return t;
    });

    public MaildirMailboxAccess(MaildirStore store) {
        this.store = store;
        poller.scheduleWithFixedDelay(this::poll, 250, 250, TimeUnit.MILLISECONDS);
    }

    private void poll() {
        for (Folder f : folders.values()) {
            if (!f.listeners.isEmpty()) {
                try (Stream<Path> s = Files.list(f.dir.resolve("new"))) {
                    if (s.findAny().isPresent()) {
                        f.fire();
                    }
                } catch (IOException | RuntimeException ignored) {
                    // folder removed meanwhile
                }
            }
        }
    }

    @Override
    public void close() {
        poller.shutdownNow();
    }

    @Override
    public Mailboxes forAccount(String account) throws IOException {
        Path root = store.inbox(account);
        Account a = new Account(root);
        for (String special : SPECIAL_USE) {
            Path dir = a.dirOf(special);
            if (!Files.isDirectory(dir.resolve("cur"))) {
                makeMaildir(dir);
                a.setSubscribed(special, true);
            }
        }
        return a;
    }

    static void makeMaildir(Path dir) throws IOException {
        for (String sub : new String[] {"tmp", "new", "cur"}) {
            Files.createDirectories(dir.resolve(sub));
        }
    }

    private Folder folder(Path dir, String name) {
        return folders.computeIfAbsent(dir.toAbsolutePath().normalize(), d -> new Folder(d, name));
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

        Account(Path root) {
            this.root = root;
        }

        Path dirOf(String name) {
            if (name.equals("INBOX")) {
                return root;
            }
            StringBuilder sb = new StringBuilder();
            for (String part : name.split("/", -1)) {
                sb.append('.').append(part.replace("%", "%25").replace(".", "%2E"));
            }
            return root.resolve(sb.toString());
        }

        private String nameOf(String dirName) {
            StringBuilder sb = new StringBuilder();
            for (String part : dirName.substring(1).split("\\.", -1)) {
                if (sb.length() > 0) {
                    sb.append('/');
                }
                sb.append(part.replace("%2E", ".").replace("%25", "%"));
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
            folders.remove(dir.toAbsolutePath().normalize());
            try (Stream<Path> walk = Files.walk(dir)) {
                List<Path> all = walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList();
                for (Path p : all) {
                    Files.deleteIfExists(p);
                }
            }
            setSubscribed(name, false);
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
                folders.remove(p.toAbsolutePath().normalize());
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
            return new Handle(folder(dir, name), this);
        }

        Folder target(String name) throws MailboxException {
            Path dir = dirOf(name);
            if (!Files.isDirectory(dir.resolve("cur"))) {
                throw new MailboxException("TRYCREATE", "No such mailbox: " + name);
            }
            return folder(dir, name);
        }

        @Override
        public AppendResult append(String name, byte[] message, Set<String> flags, Instant internalDate) throws IOException {
            Folder f = target(name);
            long uid = f.add(tmp -> Files.write(tmp, message), message.length, flags, internalDate);
            f.fire();
            return new AppendResult(f.uidValidity(), uid);
        }
    }

    /** A file in a folder: its unique base name, current file name, flags and keywords. */
    private record Entry(long uid, String base, String file, Set<String> flags, long size, Instant date) {
    }

    @FunctionalInterface
    private interface Writer {
        void write(Path tmp) throws IOException;
    }

    /** One folder, shared by every session in this process; all changes go through its lock. */
    private final class Folder {
        final Path dir;
        final String name;
        final List<Runnable> listeners = new CopyOnWriteArrayList<>();
        private long uidValidity;
        private long uidNext;
        private final TreeMap<Long, Entry> byUid = new TreeMap<>();
        private final Map<String, Long> uidOfBase = new ConcurrentHashMap<>();
        private final Map<Long, Set<String>> keywords = new ConcurrentHashMap<>();
        private boolean loaded;

        Folder(Path dir, String name) {
            this.dir = dir;
            this.name = name;
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
            if (Files.exists(index)) {
                List<String> lines = Files.readAllLines(index, StandardCharsets.UTF_8);
                String[] head = lines.get(0).split(" ");
                uidValidity = Long.parseLong(head[1]);
                uidNext = Long.parseLong(head[2]);
                for (String line : lines.subList(1, lines.size())) {
                    String[] parts = line.split(" ");
                    if (parts.length < 2) {
                        continue;
                    }
                    long uid = Long.parseLong(parts[0]);
                    if (parts[1].equals("-")) {
                        uidOfBase.values().remove(uid);
                        keywords.remove(uid);
                        continue;
                    }
                    uidOfBase.put(parts[1], uid);
                    uidNext = Math.max(uidNext, uid + 1);
                    Set<String> kw = new HashSet<>();
                    for (int i = 2; i < parts.length; i++) {
                        kw.add(parts[i]);
                    }
                    keywords.put(uid, kw);
                }
            } else {
                uidValidity = Instant.now().getEpochSecond();
                uidNext = 1;
                Files.writeString(index, "V " + uidValidity + " 1\n", StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                        StandardOpenOption.SYNC);
            }
            loaded = true;
        }

        private void appendIndex(String line) throws IOException {
            try (FileChannel ch = FileChannel.open(dir.resolve(INDEX), StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                ByteBuffer b = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
        }

        /** Re-reads the directory: moves new/ into cur/, gives unknown files UIDs, forgets vanished ones. */
        synchronized List<Entry> scan() throws IOException {
            load();
            try (Stream<Path> s = Files.list(dir.resolve("new"))) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    String f = p.getFileName().toString();
                    if (f.startsWith(".")) {
                        continue;
                    }
                    String target = f.contains(":2,") ? f : f + ":2,";
                    try {
                        Files.move(p, dir.resolve("cur").resolve(target), StandardCopyOption.ATOMIC_MOVE);
                    } catch (NoSuchFileException gone) {
                        // another process moved it
                    }
                }
            }
            List<String> files = new ArrayList<>();
            try (Stream<Path> s = Files.list(dir.resolve("cur"))) {
                s.map(p -> p.getFileName().toString()).filter(f -> !f.startsWith(".")).forEach(files::add);
            }
            files.sort(null);
            byUid.clear();
            List<String> unknown = new ArrayList<>();
            for (String f : files) {
                String base = base(f);
                Long uid = uidOfBase.get(base);
                if (uid == null) {
                    unknown.add(f);
                } else {
                    byUid.put(uid, entry(uid, f));
                }
            }
            for (String f : unknown) {
                long uid = uidNext++;
                appendIndex(uid + " " + base(f));
                uidOfBase.put(base(f), uid);
                byUid.put(uid, entry(uid, f));
            }
            if (uidOfBase.size() > byUid.size()) {
                uidOfBase.values().retainAll(byUid.keySet());
            }
            return new ArrayList<>(byUid.values());
        }

        private Entry entry(long uid, String file) {
            Set<String> flags = new TreeSet<>(keywords.getOrDefault(uid, Set.of()));
            int info = file.indexOf(":2,");
            if (info >= 0) {
                for (char c : file.substring(info + 3).toCharArray()) {
                    switch (c) {
                        case 'D' -> flags.add("\\Draft");
                        case 'F' -> flags.add("\\Flagged");
                        case 'R' -> flags.add("\\Answered");
                        case 'S' -> flags.add("\\Seen");
                        case 'T' -> flags.add("\\Deleted");
                        default -> { }
                    }
                }
            }
            long size = -1;
            int s = file.indexOf(",S=");
            if (s >= 0) {
                int end = s + 3;
                while (end < file.length() && Character.isDigit(file.charAt(end))) {
                    end++;
                }
                try {
                    size = Long.parseLong(file.substring(s + 3, end));
                } catch (NumberFormatException ignored) {
                    size = -1;
                }
            }
            Path path = dir.resolve("cur").resolve(file);
            Instant date;
            try {
                if (size < 0) {
                    size = Files.size(path);
                }
                date = Files.getLastModifiedTime(path).toInstant();
            } catch (IOException e) {
                date = Instant.EPOCH;
                size = Math.max(size, 0);
            }
            return new Entry(uid, base(file), file, Set.copyOf(flags), size, date);
        }

        private String base(String file) {
            int info = file.indexOf(':');
            return info < 0 ? file : file.substring(0, info);
        }

        private String fileName(String base, Set<String> flags) {
            StringBuilder sb = new StringBuilder(base).append(":2,");
            if (flags.contains("\\Draft")) {
                sb.append('D');
            }
            if (flags.contains("\\Flagged")) {
                sb.append('F');
            }
            if (flags.contains("\\Answered")) {
                sb.append('R');
            }
            if (flags.contains("\\Seen")) {
                sb.append('S');
            }
            if (flags.contains("\\Deleted")) {
                sb.append('T');
            }
            return sb.toString();
        }

        /** Writes a new message durably (tmp, fsync, rename into cur) and gives it the next UID. */
        synchronized long add(Writer writer, long size, Set<String> flags, Instant date) throws IOException {
            load();
            String base = (System.currentTimeMillis() / 1000) + ".M" + UUID.randomUUID().toString().replace("-", "")
                    + ".sealmail,S=" + size;
            Path tmp = dir.resolve("tmp").resolve(base);
            writer.write(tmp);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.setLastModifiedTime(tmp, java.nio.file.attribute.FileTime.from(date));
            long uid = uidNext++;
            appendIndex(uid + " " + base + keywordText(flags));
            uidOfBase.put(base, uid);
            keywords.put(uid, keywordsOf(flags));
            Files.move(tmp, dir.resolve("cur").resolve(fileName(base, flags)), StandardCopyOption.ATOMIC_MOVE);
            fsync(dir.resolve("cur"));
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

        synchronized void store(Collection<Long> uids, MailFolder.FlagChange change, Set<String> flags) throws IOException {
            scan();
            for (Long uid : uids) {
                Entry e = byUid.get(uid);
                if (e == null) {
                    continue;
                }
                Set<String> now = new HashSet<>(e.flags());
                switch (change) {
                    case REPLACE -> {
                        now.clear();
                        now.addAll(flags);
                    }
                    case ADD -> now.addAll(flags);
                    case REMOVE -> now.removeAll(flags);
                }
                String file = fileName(e.base(), now);
                if (!file.equals(e.file())) {
                    Files.move(dir.resolve("cur").resolve(e.file()), dir.resolve("cur").resolve(file), StandardCopyOption.ATOMIC_MOVE);
                }
                Set<String> kw = keywordsOf(now);
                if (!kw.equals(keywords.getOrDefault(uid, Set.of()))) {
                    keywords.put(uid, kw);
                    appendIndex(uid + " " + e.base() + keywordText(now));
                }
            }
            fsync(dir.resolve("cur"));
        }

        synchronized List<Long> expunge(Collection<Long> uids) throws IOException {
            scan();
            List<Long> gone = new ArrayList<>();
            for (Long uid : new TreeSet<>(uids)) {
                Entry e = byUid.get(uid);
                if (e != null) {
                    Files.deleteIfExists(dir.resolve("cur").resolve(e.file()));
                    uidOfBase.remove(e.base());
                    keywords.remove(uid);
                    gone.add(uid);
                }
            }
            fsync(dir.resolve("cur"));
            return gone;
        }

        synchronized byte[] read(long uid) throws IOException {
            Entry e = byUid.get(uid);
            if (e == null) {
                scan();
                e = byUid.get(uid);
            }
            if (e == null) {
                throw new MailboxException("NONEXISTENT", "Message expunged");
            }
            try {
                return Files.readAllBytes(dir.resolve("cur").resolve(e.file()));
            } catch (NoSuchFileException renamed) {
                scan();
                Entry again = byUid.get(uid);
                if (again == null) {
                    throw new MailboxException("NONEXISTENT", "Message expunged");
                }
                return Files.readAllBytes(dir.resolve("cur").resolve(again.file()));
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
            List<MessageInfo> out = new ArrayList<>();
            for (Entry e : folder.scan()) {
                out.add(new MessageInfo(e.uid(), e.flags(), e.size(), e.date()));
            }
            return out;
        }

        @Override
        public byte[] read(long uid) throws IOException {
            return folder.read(uid);
        }

        @Override
        public void store(Collection<Long> uids, FlagChange change, Set<String> flags) throws IOException {
            folder.store(uids, change, flags);
            folder.fire();
        }

        @Override
        public CopyResult copy(List<Long> uids, String target) throws IOException {
            return transfer(uids, target, false);
        }

        @Override
        public CopyResult move(List<Long> uids, String target) throws IOException {
            return transfer(uids, target, true);
        }

        private CopyResult transfer(List<Long> uids, String targetName, boolean move) throws IOException {
            Folder target = account.target(targetName);
            List<Long> src = new ArrayList<>();
            List<Long> dst = new ArrayList<>();
            folder.scan();
            for (Long uid : uids) {
                Entry e = folder.entryOf(uid);
                if (e == null) {
                    continue;
                }
                Path source = folder.dir.resolve("cur").resolve(e.file());
                long newUid;
                try {
                    newUid = target.add(tmp -> Files.copy(source, tmp), e.size(), e.flags(), e.date());
                } catch (NoSuchFileException gone) {
                    continue;
                }
                src.add(uid);
                dst.add(newUid);
            }
            if (move && !src.isEmpty()) {
                folder.expunge(src);
                folder.fire();
            }
            target.fire();
            return new CopyResult(target.uidValidity(), src, dst);
        }

        @Override
        public List<Long> expunge(Collection<Long> uids) throws IOException {
            List<Long> gone = folder.expunge(uids);
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
