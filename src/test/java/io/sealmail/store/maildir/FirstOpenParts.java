package io.sealmail.store.maildir;

import io.sealmail.store.MaildirName;
import io.sealmail.store.MaildirStore;
import io.sealmail.store.mailbox.MailFolder;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Run by {@code bench/first-open-parts.sh}, one part per JVM (so each is a first open in a cold JVM, as after a
 * restart): the process CPU of the parts of a large folder's first open, to judge a log-tail replay onto an older
 * snapshot (docs/store.md, "Not done"). Parts: {@code fill N} (a folder of N messages, UIDs given, snapshot written at
 * stop), {@code list} (cur/'s names), {@code logs} (the UID list and the MODSEQ log read), {@code snapshot}
 * (decoded: its columns, as the first SELECT uses them), {@code snapshot+entries} (decoded and an entry made per
 * message, as the folder's first change does), {@code snapshot+list} (decoded, cur/ listed and every name matched
 * against it: the least a replay must do when cur/ changed), {@code select} (the component's first open, from the
 * snapshot when it is usable; a third argument labels it), {@code cache} (the message cache opened, and with a
 * third argument every entry read and checked, as a first header FETCH after a restart does; the folder's files
 * come from elsewhere, e.g. a benchmark's data directory), {@code heap} (the heap a folder holds after its first
 * SELECT and after its first change). {@code fill-new N} puts N messages in new/ of an empty folder, so that the next
 * {@code select} is the initial indexing (every file moved to cur/ and given a UID).
 */
public final class FirstOpenParts {
    public static void main(String[] args) throws Exception {
        Path data = Path.of(args[0]);
        Path dir = data.resolve("mail/parts@example.com");
        String part = args[1];
        if (part.equals("fill")) {
            fill(data, dir, Integer.parseInt(args[2]));
            return;
        }
        if (part.equals("fill-new")) {
            fillNew(dir, Integer.parseInt(args[2]));
            return;
        }
        if (part.equals("heap")) {
            heap(data);
            return;
        }
        long cpu = cpu();
        int n = switch (part) {
            case "list" -> dir.resolve("cur").toFile().list().length;
            case "logs" -> {
                UidList uids = UidList.open(dir);
                MailboxIndex.open(dir, uids.uidValidity(), false).close();
                yield uids.takeNames().size();
            }
            case "cache" -> {
                long validity = UidList.open(dir).uidValidity();
                cpu = cpu(); // the UID list's parse is not this part's
                MessageCache cache = MessageCache.open(dir, validity);
                int n2 = 0;
                for (long uid = 1; uid <= 100_000; uid++) {
                    n2 += cache.contains(uid) ? 1 : 0;
                }
                if (args.length > 2) { // "cache views": every entry read and checked, as a first header FETCH does
                    for (long uid = 1; uid <= 100_000; uid++) {
                        java.nio.ByteBuffer view = cache.view(uid);
                        n2 += view == null ? 0 : view.get(0) & 1;
                    }
                }
                cache.close();
                yield n2;
            }
            case "snapshot" -> FolderSnapshot.read(dir, new FlagSets()).restored().messages().size();
            case "snapshot+entries" -> FolderSnapshot.read(dir, new FlagSets()).restored().messages().toEntries().length;
            case "snapshot+list" -> {
                MaildirFolder.Entry[] entries = FolderSnapshot.read(dir, new FlagSets()).restored().messages().toEntries();
                Map<String, MaildirFolder.Entry> byName = new HashMap<>(entries.length * 2);
                for (MaildirFolder.Entry e : entries) {
                    byName.put(e.file(), e);
                }
                int matched = 0;
                for (String f : dir.resolve("cur").toFile().list()) {
                    matched += byName.remove(f) != null ? 1 : 0;
                }
                yield matched;
            }
            case "select" -> {
                try (MaildirStore store = new MaildirStore(data)) {
                    MaildirMailboxAccess access = new MaildirMailboxAccess(store);
                    try (MailFolder inbox = access.forAccount("parts@example.com").open("INBOX")) {
                        int size = inbox.messages().size();
                        part = access.folder(dir, "INBOX", "parts@example.com").restoredFromSnapshot()
                                ? "select (from the snapshot)" : args.length > 2 ? args[2] : "select (listing cur/)";
                        yield size;
                    }
                }
            }
            default -> throw new IllegalArgumentException(part);
        };
        System.out.printf("%-28s %d messages, process CPU %d ms%n", part, n, (cpu() - cpu) / 1_000_000);
    }

    private static long cpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /**
     * The heap a selected folder holds (used heap after a full collection, before and after): after its first SELECT
     * (from the snapshot when it is usable), and after its first change (a flag set on one message), which builds the
     * folder's map of entries.
     */
    private static void heap(Path data) throws Exception {
        long before = usedAfterGc();
        try (MaildirStore store = new MaildirStore(data)) {
            MaildirMailboxAccess access = new MaildirMailboxAccess(store);
            try (MailFolder inbox = access.forAccount("parts@example.com").open("INBOX")) {
                java.util.List<MailFolder.MessageInfo> seen = inbox.messages();
                long selected = usedAfterGc();
                long uid = seen.get(0).uid();
                int count = seen.size();
                seen = null; // as a session that has synchronised since: the list it held is garbage
                inbox.store(java.util.List.of(uid), MailFolder.FlagChange.ADD, java.util.Set.of("\\Flagged"));
                java.util.List<MailFolder.MessageInfo> changed = inbox.messages();
                long afterChange = usedAfterGc();
                inbox.store(java.util.List.of(uid), MailFolder.FlagChange.REMOVE, java.util.Set.of("\\Flagged"));
                System.out.printf("heap for %d messages: %.1f MiB after the first SELECT, %.1f MiB after the first change"
                        + " (%d listed)%n", count, (selected - before) / 1048576.0, (afterChange - before) / 1048576.0,
                        changed.size());
            }
        }
    }

    private static long usedAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** A folder of N messages in new/ only, none given a UID yet: the next {@code select} is the initial indexing. */
    private static void fillNew(Path dir, int messages) throws Exception {
        for (String sub : new String[]{"cur", "new", "tmp"}) {
            Files.createDirectories(dir.resolve(sub));
        }
        byte[] body = "Subject: part\r\n\r\nbody\r\n".getBytes();
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        for (int i = 0; i < messages; i++) {
            Files.write(dir.resolve("new").resolve(MaildirName.unique(t.plusMillis(i), body.length)), body);
        }
    }

    private static void fill(Path data, Path dir, int messages) throws Exception {
        for (String sub : new String[]{"cur", "new", "tmp"}) {
            Files.createDirectories(dir.resolve(sub));
        }
        byte[] body = "Subject: part\r\n\r\nbody\r\n".getBytes();
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        for (int i = 0; i < messages; i++) {
            Files.write(dir.resolve("cur").resolve(MaildirName.unique(t.plusMillis(i), body.length) + ":2,"), body);
        }
        try (MaildirStore store = new MaildirStore(data)) {
            MaildirMailboxAccess access = new MaildirMailboxAccess(store);
            try (MailFolder inbox = access.forAccount("parts@example.com").open("INBOX")) {
                inbox.messages();
            }
            access.close(); // writes the snapshot (it waits for cur/ to be quiet)
        }
    }

    private FirstOpenParts() {
    }
}
