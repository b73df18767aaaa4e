package io.sealmail.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * One account's folders, for IMAP and POP3 (get it from {@link MaildirStore#mailboxes(String)}; one instance per
 * account, shared by all sessions and by delivery). Names use {@code /} as the hierarchy separator ({@code .} on
 * disk, Maildir++); {@code INBOX} is case-insensitive and can be neither deleted nor renamed. Sent, Drafts, Trash,
 * Junk and Archive exist from the first use, with their RFC 6154 SPECIAL-USE attribute. Subscriptions are kept in
 * {@code subscriptions} at the account root, one name per line (as Dovecot does). Thread-safe.
 */
public final class MaildirMailboxes {
    /** Folder name → SPECIAL-USE attribute (RFC 6154), created for every account. */
    public static final Map<String, String> SPECIAL_USE = specialUse();
    private static final AtomicLong LAST_UIDVALIDITY = new AtomicLong();

    /** A folder as LIST shows it. */
    public record FolderInfo(String name, String specialUse, boolean subscribed, boolean hasChildren) {
    }

    private final MaildirStore store;
    private final String account;
    private final Path root;
    private final Map<String, MaildirFolder> open = new HashMap<>();

    MaildirMailboxes(MaildirStore store, String account) throws IOException {
        this.store = store;
        this.account = account;
        this.root = store.accountDir(account);
        synchronized (this) {
            folder(MaildirStore.INBOX, true);
            boolean created = false;
            for (String special : SPECIAL_USE.keySet()) {
                if (!Files.isDirectory(store.folderDir(account, special))) {
                    folder(special, true);
                    created = true;
                }
            }
            if (created || !Files.exists(root.resolve("subscriptions"))) {
                Set<String> subs = subscriptions();
                subs.add(MaildirStore.INBOX);
                subs.addAll(SPECIAL_USE.keySet());
                writeSubscriptions(subs);
            }
        }
    }

    public String account() {
        return account;
    }

    /** Every folder, INBOX first, then by name. */
    public synchronized List<FolderInfo> list() throws IOException {
        Set<String> subs = subscriptions();
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root, p -> p.getFileName().toString().startsWith(".")
                && Files.isDirectory(p.resolve("cur")))) {
            for (Path d : dirs) {
                names.add(decode(d.getFileName().toString()));
            }
        }
        names.sort(Comparator.naturalOrder());
        List<FolderInfo> out = new ArrayList<>();
        out.add(new FolderInfo(MaildirStore.INBOX, null, subs.contains(MaildirStore.INBOX), false));
        for (String n : names) {
            boolean children = names.stream().anyMatch(c -> c.startsWith(n + "/"));
            out.add(new FolderInfo(n, SPECIAL_USE.get(n), subs.contains(n), children));
        }
        return out;
    }

    public synchronized boolean exists(String name) {
        return Files.isDirectory(store.folderDir(account, canonical(name)).resolve("cur"));
    }

    /** Opens a folder (the same instance for every caller). NONEXISTENT when it does not exist. */
    public synchronized MaildirFolder open(String name) throws IOException {
        return folder(canonical(name), false);
    }

    /** ALREADYEXISTS, or CANNOT for an unusable name. Parents are not created (IMAP clients create them first). */
    public synchronized void create(String name) throws IOException {
        String n = canonical(name);
        validate(n);
        if (exists(n)) {
            throw new MailboxStoreException("ALREADYEXISTS", "mailbox already exists: " + name);
        }
        folder(n, true);
    }

    /** Deletes a folder and its messages. CANNOT for INBOX or a folder with subfolders; NONEXISTENT. */
    public synchronized void delete(String name) throws IOException {
        String n = canonical(name);
        if (n.equals(MaildirStore.INBOX)) {
            throw new MailboxStoreException("CANNOT", "INBOX cannot be deleted");
        }
        MaildirFolder f = folder(n, false);
        if (list().stream().anyMatch(i -> i.name().startsWith(n + "/"))) {
            throw new MailboxStoreException("CANNOT", "delete the subfolders of " + name + " first");
        }
        long size = f.totalSize();
        f.expunge(f.messages().stream().map(MaildirFolder.Message::uid).toList());
        Path dir = store.folderDir(account, n);
        open.remove(n);
        store.forgetMaildir(dir);
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
        GroupCommit.forceDirectory(root);
        if (size < 0) {
            store.quota.forget(account);
        }
    }

    /** Renames a folder and its subfolders; UIDVALIDITY and UIDs move with it. CANNOT for INBOX. */
    public synchronized void rename(String from, String to) throws IOException {
        String f = canonical(from);
        String t = canonical(to);
        if (f.equals(MaildirStore.INBOX) || t.equals(MaildirStore.INBOX)) {
            throw new MailboxStoreException("CANNOT", "renaming INBOX is not supported; copy its messages instead");
        }
        validate(t);
        folder(f, false);
        if (exists(t)) {
            throw new MailboxStoreException("ALREADYEXISTS", "mailbox already exists: " + to);
        }
        Map<String, String> moves = new LinkedHashMap<>();
        for (FolderInfo i : list()) {
            if (i.name().equals(f) || i.name().startsWith(f + "/")) {
                moves.put(i.name(), t + i.name().substring(f.length()));
            }
        }
        for (Map.Entry<String, String> m : moves.entrySet()) {
            Path src = store.folderDir(account, m.getKey());
            open.remove(m.getKey());
            store.forgetMaildir(src);
            Files.move(src, store.folderDir(account, m.getValue()), StandardCopyOption.ATOMIC_MOVE);
        }
        GroupCommit.forceDirectory(root);
        Set<String> subs = subscriptions();
        for (Map.Entry<String, String> m : moves.entrySet()) {
            if (subs.remove(m.getKey())) {
                subs.add(m.getValue());
            }
        }
        writeSubscriptions(subs);
    }

    public synchronized void setSubscribed(String name, boolean subscribed) throws IOException {
        Set<String> subs = subscriptions();
        if (subscribed ? subs.add(canonical(name)) : subs.remove(canonical(name))) {
            writeSubscriptions(subs);
        }
    }

    /** APPEND: TRYCREATE when the folder does not exist; {@link QuotaExceededException} past the quota. */
    public MaildirFolder.CopyResult append(String folder, byte[] message, Set<Flag> flags, Instant internalDate) throws IOException {
        MaildirFolder f;
        synchronized (this) {
            if (!exists(folder)) {
                throw new MailboxStoreException("TRYCREATE", "no such mailbox: " + folder);
            }
            f = open(folder);
        }
        long uid = f.append(message, flags, internalDate);
        return new MaildirFolder.CopyResult(f.uidValidity(), List.of(), List.of(uid));
    }

    /** Quota figures: octets used and the limit (0 = unlimited). */
    public long quotaUsed() {
        return store.quota.used(account);
    }

    public long quotaLimit() {
        return store.quota.limit();
    }

    /** Called by the store after a delivery into this account's folder directory. */
    void delivered(Path folderDir) {
        MaildirFolder f;
        synchronized (this) {
            f = open.values().stream().filter(x -> store.folderDir(account, x.name()).equals(folderDir)).findFirst().orElse(null);
        }
        if (f != null) {
            f.delivered();
        }
    }

    private MaildirFolder folder(String name, boolean create) throws IOException {
        MaildirFolder f = open.get(name);
        if (f != null) {
            return f;
        }
        Path dir = store.folderDir(account, name);
        if (!create && !Files.isDirectory(dir.resolve("cur"))) {
            throw new MailboxStoreException("NONEXISTENT", "no such mailbox: " + name);
        }
        f = new MaildirFolder(store, account, name, dir, nextUidValidity());
        open.put(name, f);
        return f;
    }

    /** Seconds since the epoch, strictly increasing within the process (RFC 9051 §2.3.1.1). */
    private static long nextUidValidity() {
        long now = Instant.now().getEpochSecond();
        return LAST_UIDVALIDITY.updateAndGet(last -> Math.max(last + 1, now));
    }

    private static String canonical(String name) {
        return name.equalsIgnoreCase(MaildirStore.INBOX) ? MaildirStore.INBOX : name;
    }

    private static void validate(String name) throws MailboxStoreException {
        if (name.isEmpty() || name.startsWith("/") || name.endsWith("/") || name.contains("//")
                || name.chars().anyMatch(c -> c < 0x20 || c == 0x7f) || name.length() > 200) {
            throw new MailboxStoreException("CANNOT", "invalid mailbox name: " + name);
        }
        if (name.toUpperCase(java.util.Locale.ROOT).startsWith("INBOX/")) {
            throw new MailboxStoreException("CANNOT", "folders below INBOX are not supported");
        }
    }

    private static String decode(String dirName) {
        String[] parts = dirName.substring(1).split("\\.", -1);
        StringBuilder n = new StringBuilder();
        for (String p : parts) {
            if (n.length() > 0) {
                n.append('/');
            }
            n.append(SafeName.decodeFolderComponent(p));
        }
        return n.toString();
    }

    private Set<String> subscriptions() throws IOException {
        Path file = root.resolve("subscriptions");
        Set<String> subs = new TreeSet<>();
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    subs.add(line.strip());
                }
            }
        }
        return subs;
    }

    private void writeSubscriptions(Set<String> subs) throws IOException {
        Path tmp = root.resolve("tmp").resolve("subscriptions." + MaildirName.unique(Instant.now(), 0));
        Files.writeString(tmp, String.join("\n", subs) + "\n", StandardCharsets.UTF_8);
        try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, root.resolve("subscriptions"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        GroupCommit.forceDirectory(root);
    }

    private static Map<String, String> specialUse() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("Sent", "\\Sent");
        m.put("Drafts", "\\Drafts");
        m.put("Trash", "\\Trash");
        m.put("Junk", "\\Junk");
        m.put("Archive", "\\Archive");
        return Map.copyOf(m);
    }
}
