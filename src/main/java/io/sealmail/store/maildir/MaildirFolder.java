package io.sealmail.store.maildir;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.sealmail.store.MaildirName;
import io.sealmail.store.MaildirStore;
import io.sealmail.store.mailbox.CacheEntryMaker;
import io.sealmail.store.mailbox.MailFolder;
import io.sealmail.store.mailbox.MailboxException;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

/**
 * One folder's state, shared by every session in this process; all changes go through its lock. Messages are files
 * in {@code cur/} (system flags in the name, as Dovecot's maildir keeps them), UIDs and keywords in {@link UidList},
 * MODSEQs in {@link MailboxIndex}, cache entries in {@link MessageCache}.
 *
 * <p>The message list is kept in memory: this process is the only writer of {@code cur/}, so after the first listing
 * only {@code new/} (deliveries) needs looking at; a command costs a stat of {@code new/} (see
 * {@link #newMayHaveChanged}), not a stat per message. {@link #current} is an immutable list that is replaced on
 * every change, so a session can tell "nothing changed" by identity. After a start the state comes from the folder's
 * snapshot file when nothing changed since it was written ({@link FolderSnapshot}), otherwise from listing
 * {@code cur/} and reading the UID list and the MODSEQ log.
 */
final class MaildirFolder {
    private static final Logger LOG = Logger.getLogger(MaildirFolder.class);
    /** Deliveries found at once up to this many get their cache entries made right away; more wait for first use. */
    static final int EAGER_SUMMARIES = 256;

    /** A file in a folder: its current file name, flags (keywords included), size and date. */
    record Entry(long uid, String file, Set<String> flags, long size, Instant date) {
        /** The unique base name: the file name without its flags. */
        String base() {
            return MaildirName.base(file);
        }
    }

    /** Writes a new message's content to a file in {@code tmp/}. */
    @FunctionalInterface
    interface Content {
        void writeTo(Path tmp) throws IOException;
    }

    private final Path dir;
    private final String name;
    private final String account;
    private final MaildirStore store;
    private final CacheEntryMaker cacheEntries;
    private final FlagRenamer renamer;
    /** Messages whose file names may not carry their flags yet: {@link #store} changed them, {@link #renameSome} renames. */
    private final PendingRenames renames = new PendingRenames();
    /** Renamed since {@code cur/} was last forced: forced before the intents are marked done. */
    private boolean renamedUnforced;
    /** Intents a folder may have pending before a STORE renames in its own thread ({@link #store}). */
    static final int MAX_PENDING_INTENTS = 32;
    /** Lines the UID list may hold beyond two per message before it is written whole ({@link #compactUidList}). */
    private int uidListSlack = 4096;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    /** The messages by UID, once built: see {@link #restoredMessages} and {@link #byUid()}. */
    private final TreeMap<Long, Entry> byUid = new TreeMap<>();
    /**
     * The messages as the snapshot gave them at the last load, until something needs {@link #byUid} (a change, a
     * relisting): a first SELECT, a FETCH of flags or bodies, a SEARCH answer from these without building the map.
     * Null once the map holds the messages.
     */
    private RestoredMessages restoredMessages;
    private final FlagSets flagSets = new FlagSets();
    /** {@link MailFolder#shared}: kept for all sessions, dropped with this folder (delete, rename) or under memory pressure. */
    final SharedValues shared = new SharedValues();
    private UidList uids;
    private MailboxIndex index;
    /** Opened at first use ({@link #cache()}): a SELECT needs none of it, and opening reads every record header. */
    private MessageCache cache;
    private boolean listed;
    /**
     * The state differs from the folder's snapshot file ({@link FolderSnapshot}); {@link #changes} counts changes so
     * that {@link #writeSnapshot} knows whether the state moved on while it listed {@code cur/} outside the lock.
     */
    private boolean dirty = true;
    private long changes;
    /** Where the state came from at the last load: the snapshot file (true) or the folder's files (false). */
    private boolean restored;
    private List<Entry> current;
    private List<Entry> infosOf;
    private List<MailFolder.MessageInfo> infos;
    /** {@code new/}'s modification time at its last listing, and when that listing began (epoch ms). */
    private FileTime newListedMtime;
    private long newListedAt;
    /** Tests only: called at the named points of a flag change, where a crash test stops the process. */
    private volatile CrashPoint crashPoint = where -> { };

    /** A point inside a change where a test can stop the process (or throw, to leave the files as a kill would). */
    @FunctionalInterface
    interface CrashPoint {
        /** Between the two writes of a flag change: the UID-list lines (keywords) and the file renames (system flags). */
        String BETWEEN_FLAG_WRITES = "between-flag-writes";
        /** After a flag change's first rename, before the others. */
        String AFTER_FIRST_RENAME = "after-first-rename";
        /** After a flag change's MODSEQ record, before its intent is marked done. */
        String BEFORE_DONE = "before-done";

        void at(String where);
    }

    MaildirFolder(Path dir, String name, String account, MaildirStore store, CacheEntryMaker cacheEntries,
                  FlagRenamer renamer) {
        this.dir = dir;
        this.name = name;
        this.account = account;
        this.store = store;
        this.cacheEntries = cacheEntries;
        this.renamer = renamer;
    }

    Path dir() {
        return dir;
    }

    String name() {
        return name;
    }

    // ---- change listeners (IDLE) ----

    void fire() {
        listeners.forEach(Runnable::run);
    }

    boolean watched() {
        return !listeners.isEmpty();
    }

    void listen(Runnable listener) {
        listeners.add(listener);
    }

    void unlisten(Runnable listener) {
        listeners.remove(listener);
    }

    // ---- the files beside the Maildir ----

    /**
     * {@code cur/}'s inode and modification time when this process last listed or changed it. Any other time at the
     * next look is another program's doing (a file added, deleted or renamed by hand), and the folder is listed
     * again, as Dovecot does when {@code cur/}'s time moves. A change by another program within the same clock
     * tick as one of ours (a few ms on Linux) keeps the time we recorded and waits for the next listing.
     */
    private FolderSnapshot.CurMark curKnown;

    /**
     * Whether another program changed {@code cur/} since our last listing or change: another inode, or a later time
     * (a file added, deleted or renamed sets it to now). A time set back (tests age it so that a snapshot may be
     * anchored on it) changes nothing in the directory and is only taken as the new mark.
     */
    private boolean curChangedByOthers(Path cur) throws IOException {
        if (curKnown == null) {
            return false;
        }
        FolderSnapshot.CurMark now = FolderSnapshot.CurMark.of(cur);
        if (now.inode() != curKnown.inode() || now.mtime().isAfter(curKnown.mtime())) {
            return true;
        }
        curKnown = now;
        return false;
    }

    /** Records {@code cur/}'s mark after a change or listing of ours. */
    private void curKnownNow() {
        try {
            curKnown = FolderSnapshot.CurMark.of(dir.resolve("cur"));
        } catch (IOException e) {
            curKnown = null;
        }
    }

    private void load() throws IOException {
        if (uids != null) {
            return;
        }
        FolderSnapshot.Read read = FolderSnapshot.read(dir, flagSets);
        FolderSnapshot.Restored state = read.restored();
        if (state != null) {
            // Nothing changed since the snapshot: no listing of cur/, no UID list to parse, no log to replay.
            this.index = state.index();
            this.uids = state.uids();
            restoredMessages = state.messages();
            byUid.clear();
            current = restoredMessages.entries();
            listed = true;
            dirty = false;
            restored = true;
            curKnownNow(); // the snapshot was just found to match cur/ as it is
            return;
        }
        restored = false;
        byUid(); // the folder's listing starts from the map, as it did before the files were closed
        UidList list = UidList.open(dir);
        // A snapshot too stale to restore from still says what the folder showed: neither MODSEQ nor UIDs go below.
        FolderSnapshot.Shown shown = read.shown();
        if (shown != null && shown.uidValidity() != list.uidValidity()) {
            shown = null;
        }
        this.index = MailboxIndex.open(dir, list.uidValidity(), list.created(), MailboxIndex.compactAfter(),
                shown == null ? 0 : shown.highestModseq());
        long before = list.uidNext();
        if (list.uidNextAtLeast(Math.max(index.highestUid() + 1, shown == null ? 0 : shown.uidNext()))) {
            // The list lost its last lines (restored from an older copy, cut by hand): its UIDs were shown already.
            LOG.warnf("%s: the UID list ends below UIDs the index has seen; next UID %d instead of %d", dir,
                    list.uidNext(), before);
        }
        this.uids = list;
    }

    private MessageCache cache() throws IOException {
        load();
        if (cache == null) {
            cache = MessageCache.open(dir, uids.uidValidity());
        }
        return cache;
    }

    void crashPoint(CrashPoint point) {
        crashPoint = point;
    }

    synchronized void closeFiles() {
        if (uids != null) {
            settleQuietly();
            index.close();
        }
        if (cache != null) {
            cache.close();
        }
        uids = null;
        cache = null;
        listed = false;
    }

    synchronized long uidValidity() throws IOException {
        load();
        return uids.uidValidity();
    }

    synchronized long uidNext() throws IOException {
        scan();
        return uids.uidNext();
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
        Entry e = lookup(uid);
        return e == null ? null : e.date();
    }

    synchronized ByteBuffer cached(long uid) throws IOException {
        return cache().view(uid);
    }

    synchronized void cache(long uid, ByteBuffer entry) throws IOException {
        if (contains(uid)) {
            cache().put(uid, entry);
        }
    }

    // ---- listing ----

    /**
     * Whether {@code new/} may hold files the last listing did not see. Listing a directory that once held many
     * files reads all its blocks even when it is empty (an INBOX that received 10,000 messages: about 200 blocks),
     * so, as Dovecot's maildir sync does, its modification time is compared instead. File times move in clock
     * ticks, so a change in the same tick as the last listing would not show: a listing that began within a second
     * of the directory's time does not count.
     */
    synchronized boolean newMayHaveChanged() throws IOException {
        if (newListedMtime == null) {
            return true;
        }
        FileTime now = Files.getLastModifiedTime(dir.resolve("new"));
        return !now.equals(newListedMtime) || newListedAt - now.toMillis() < 1000;
    }

    /**
     * Brings the in-memory list up to date: the first time it lists {@code cur/}; every time it moves what is in
     * {@code new/} into {@code cur/}. Files without an index line get the next UIDs, in name order (which is
     * delivery order: the names start with seconds and zero-padded microseconds).
     */
    synchronized List<Entry> scan() throws IOException {
        load();
        if (listed && curChangedByOthers(dir.resolve("cur"))) {
            LOG.infof("%s: cur/ was changed by another program; listing it again", dir);
            listed = false;
        }
        if (cache != null && cache.cutShorter()) {
            // Another program cut the file under its mapping (deleting it is fine; cutting it is not): reading past
            // the new end would fault. Open it again: what is left is checked record by record, the rest made again.
            LOG.warnf("%s: %s was cut shorter while in use; opening it again", dir, MessageCache.FILE);
            cache.close();
            cache = null;
        }
        List<String> unknown = new ArrayList<>();
        boolean changedCur = !listed;
        if (!listed) {
            listCur(unknown);
        }
        List<String> delivered = listNew();
        Path newDir = dir.resolve("new");
        Path curDir = dir.resolve("cur");
        for (String f : delivered) {
            String target = f.contains(":2,") ? f : f + ":2,";
            try {
                Files.move(newDir.resolve(f), curDir.resolve(target), StandardCopyOption.ATOMIC_MOVE);
                unknown.add(target);
            } catch (NoSuchFileException gone) {
                // another process moved it
            }
        }
        if (!unknown.isEmpty()) {
            giveUids(unknown, !delivered.isEmpty());
        }
        if (changedCur || !delivered.isEmpty()) {
            curKnownNow();
        }
        if (current == null) {
            current = List.copyOf(byUid().values());
        }
        return current;
    }

    /**
     * Lists {@code cur/} whole: files the UID list knows are entered, the others added to {@code unknown} (in name
     * order, which is delivery order). This is most of the first SELECT of a large folder after a start, so it works
     * in flat arrays: the names come as strings without a {@code Path} each ({@link java.io.File#list}), only the
     * unknown ones are sorted by name, the known ones are sorted by UID and handed to the {@code TreeMap} in one
     * piece (built in linear time, not by 100,000 inserts), and the flag hashes reach the index without boxing.
     * Two files of one base name (a copy made by hand) keep the UID for the first in name order.
     */
    private void listCur(List<String> unknown) throws IOException {
        TreeMap<Long, Entry> byUid = byUid();
        // The UID of each name: the UID list's, read at open, for the first listing; the folder's own list after.
        Map<String, Long> uidOf = uids.takeNames();
        if (uidOf == null) {
            uidOf = new HashMap<>(byUid.size() * 2);
            for (Entry e : byUid.values()) {
                uidOf.put(e.base(), e.uid());
            }
        }
        byUid.clear();
        String[] files = dir.resolve("cur").toFile().list();
        if (files == null) {
            throw new IOException("cannot list " + dir.resolve("cur"));
        }
        Entry[] known = new Entry[files.length];
        int count = 0;
        LongTable slotOf = new LongTable();
        int firstUnknown = unknown.size();
        for (String f : files) {
            if (f.startsWith(".")) {
                continue;
            }
            Long uid = uidOf.get(MaildirName.base(f));
            if (uid == null) {
                unknown.add(f);
                continue;
            }
            int slot = (int) slotOf.get(uid, -1);
            if (slot < 0) {
                slotOf.put(uid, count, -1);
                known[count++] = entry(uid, f);
            } else if (f.compareTo(known[slot].file()) < 0) {
                unknown.add(known[slot].file());
                known[slot] = entry(uid, f);
            } else {
                unknown.add(f);
            }
        }
        unknown.subList(firstUnknown, unknown.size()).sort(null);
        Arrays.sort(known, 0, count, Comparator.comparingLong(Entry::uid));
        List<FlagIntent> interrupted = List.copyOf(uids.pending());
        if (!interrupted.isEmpty()) {
            rollForward(interrupted, known, count);
        }
        renames.clear(); // the names are now what the files say, the intents finished
        byUid.putAll(new SortedEntries(known, count));
        uids.retainOnly(slotOf::containsKey);
        LongTable hashes = new LongTable();
        for (int i = 0; i < count; i++) {
            hashes.put(known[i].uid(), FlagSets.hash(known[i].flags()), 0);
        }
        // Files added or removed by hand, flags changed by another tool, or an index lost or damaged: each
        // difference gets a new MODSEQ here, so CONDSTORE clients hear of it.
        index.reconcile(hashes);
        listed = true;
        changed();
        current = List.of(Arrays.copyOf(known, count));
    }

    /** Entries already in UID order, as a {@code SortedMap} only so that {@code TreeMap.putAll} takes them in one piece. */
    private static final class SortedEntries extends AbstractMap<Long, MaildirFolder.Entry> implements SortedMap<Long, MaildirFolder.Entry> {
        private final MaildirFolder.Entry[] entries;
        private final int count;

        SortedEntries(MaildirFolder.Entry[] entries, int count) {
            this.entries = entries;
            this.count = count;
        }

        @Override
        public int size() {
            return count;
        }

        @Override
        public Set<Map.Entry<Long, MaildirFolder.Entry>> entrySet() {
            return new AbstractSet<>() {
                @Override
                public int size() {
                    return count;
                }

                @Override
                public Iterator<Map.Entry<Long, MaildirFolder.Entry>> iterator() {
                    return new Iterator<>() {
                        private int next;

                        @Override
                        public boolean hasNext() {
                            return next < count;
                        }

                        @Override
                        public Map.Entry<Long, MaildirFolder.Entry> next() {
                            if (next >= count) {
                                throw new NoSuchElementException();
                            }
                            MaildirFolder.Entry e = entries[next++];
                            return Map.entry(e.uid(), e);
                        }
                    };
                }
            };
        }

        @Override
        public Comparator<? super Long> comparator() {
            return null;
        }

        @Override
        public SortedMap<Long, MaildirFolder.Entry> subMap(Long fromKey, Long toKey) {
            throw new UnsupportedOperationException();
        }

        @Override
        public SortedMap<Long, MaildirFolder.Entry> headMap(Long toKey) {
            throw new UnsupportedOperationException();
        }

        @Override
        public SortedMap<Long, MaildirFolder.Entry> tailMap(Long fromKey) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Long firstKey() {
            return entries[0].uid();
        }

        @Override
        public Long lastKey() {
            return entries[count - 1].uid();
        }
    }

    /**
     * The files in {@code new/} when it may have changed since the last look, in name (delivery) order. Listed as
     * names ({@link java.io.File#list}), as {@code cur/} is: a folder filled by another program can hold 100,000.
     */
    private List<String> listNew() throws IOException {
        if (!newMayHaveChanged()) {
            return List.of();
        }
        long startedAt = System.currentTimeMillis();
        Path newDir = dir.resolve("new");
        FileTime mtime = Files.getLastModifiedTime(newDir);
        String[] names = newDir.toFile().list();
        if (names == null) {
            throw new IOException("cannot list " + newDir);
        }
        int count = 0;
        for (String f : names) {
            if (!f.startsWith(".")) {
                names[count++] = f;
            }
        }
        Arrays.sort(names, 0, count);
        newListedMtime = mtime;
        newListedAt = startedAt;
        return Arrays.asList(names).subList(0, count);
    }

    /** Gives the next UIDs to files in {@code cur/} the UID list does not know, durably before they are shown. */
    private void giveUids(List<String> unknown, boolean justDelivered) throws IOException {
        TreeMap<Long, Entry> byUid = byUid();
        List<String> lines = new ArrayList<>(unknown.size());
        List<Entry> added = new ArrayList<>(unknown.size());
        Map<Long, Integer> hashes = new HashMap<>(unknown.size() * 2);
        for (String f : unknown) {
            long uid = uids.takeUid();
            lines.add(UidList.line(uid, MaildirName.base(f), Set.of()));
            Entry e = entry(uid, f);
            added.add(e);
            hashes.put(uid, FlagSets.hash(e.flags()));
        }
        uids.append(lines);
        for (Entry e : added) {
            byUid.put(e.uid(), e);
        }
        index.changed(hashes);
        if (justDelivered && added.size() <= EAGER_SUMMARIES) {
            // Just delivered, still in the page cache: fill the cache now rather than at the first FETCH.
            for (Entry e : added) {
                if (!cache().contains(e.uid())) {
                    summarizeFile(e);
                }
            }
        }
        changed();
    }

    /** The distinct flag sets of the messages: from the snapshot's column while restored, else from the entries. */
    synchronized Collection<Set<String>> flagSets() throws IOException {
        List<Entry> now = scan();
        if (restoredMessages != null && now == restoredMessages.entries()) {
            return restoredMessages.usedSets();
        }
        Set<Set<String>> sets = Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Entry e : now) {
            sets.add(e.flags());
        }
        return sets;
    }

    /** The messages as sessions see them; the same list instance as long as nothing changed. */
    synchronized List<MailFolder.MessageInfo> infos() throws IOException {
        List<Entry> now = scan();
        if (now != infosOf && restoredMessages != null && now == restoredMessages.entries()) {
            infos = restoredMessages.infos(); // made per message when a session asks, MODSEQs as restored
            infosOf = now;
        } else if (now != infosOf) {
            List<MailFolder.MessageInfo> out = new ArrayList<>(now.size());
            for (Entry e : now) {
                out.add(new MailFolder.MessageInfo(e.uid(), e.flags(), e.size(), e.date(), index.modseq(e.uid())));
            }
            infos = Collections.unmodifiableList(out);
            infosOf = now;
        }
        return infos;
    }

    /** The in-memory state changed: the list sessions see is made again, and the snapshot file is behind. */
    private void changed() {
        current = null;
        dirty = true;
        changes++;
    }

    /** Forgets the listing (a file vanished under us): the next scan lists {@code cur/} again. */
    synchronized void relist() {
        listed = false;
    }

    synchronized Entry entryOf(long uid) {
        return lookup(uid);
    }

    /** A message's entry (made now when the messages are still the snapshot's), or null. */
    private Entry lookup(long uid) {
        return restoredMessages != null ? restoredMessages.entry(uid) : byUid.get(uid);
    }

    private boolean contains(long uid) {
        return restoredMessages != null ? restoredMessages.indexOf(uid) >= 0 : byUid.containsKey(uid);
    }

    /** The messages in UID order, from the snapshot's columns or the map. */
    private Collection<Entry> all() {
        return restoredMessages != null ? restoredMessages.entries() : byUid.values();
    }

    /**
     * The map of messages by UID, built now from the snapshot's columns if the folder was restored and nothing has
     * needed it since: every change goes through it.
     */
    private TreeMap<Long, Entry> byUid() {
        if (restoredMessages != null) {
            Entry[] entries = restoredMessages.toEntries();
            restoredMessages = null;
            byUid.clear();
            byUid.putAll(new SortedEntries(entries, entries.length));
        }
        return byUid;
    }

    private Entry entry(long uid, String file) {
        Set<String> flags = flagSets.of(uids.keywords(uid), file);
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
        return new Entry(uid, file, flags, size, date);
    }

    // ---- the snapshot file ----

    /** Whether the state came from the folder's snapshot file at the last load (rather than from listing it). */
    synchronized boolean restoredFromSnapshot() {
        return restored;
    }

    /** The state is loaded and differs from what the snapshot file holds. */
    synchronized boolean snapshotBehind() {
        return dirty && listed && uids != null;
    }

    synchronized int size() {
        return all().size();
    }

    /** When {@code cur/} last changed, in milliseconds since the epoch. */
    long curChangedAt() throws IOException {
        return Files.getLastModifiedTime(dir.resolve("cur")).toMillis();
    }

    /**
     * Writes the folder's snapshot ({@link FolderSnapshot}) when the state is behind it. {@code cur/} is listed
     * outside the lock and compared with the state under it: a snapshot says "cur/ holds exactly these files", so it
     * is written only when that is true, and only when the listing began {@link FolderSnapshot#QUIET_MILLIS} after
     * {@code cur/}'s modification time, which can then anchor it (a change after it falls in a later tick).
     *
     * @return true when the snapshot file is now current; false when it could not be written now (too soon after
     * a change, a change during the listing, or cur/ not as this process left it: then the next look lists it)
     */
    boolean writeSnapshot() throws IOException {
        long seen;
        synchronized (this) {
            if (!dirty) {
                return true;
            }
            if (!listed || uids == null || !uids.pending().isEmpty()) {
                return false;
            }
            seen = changes;
        }
        Path cur = dir.resolve("cur");
        long startedAt = System.currentTimeMillis();
        FolderSnapshot.CurMark mark = FolderSnapshot.CurMark.of(cur);
        if (startedAt - mark.mtime().toEpochMilli() < FolderSnapshot.QUIET_MILLIS) {
            return false; // too recent to trust: a change after this listing could carry the same time
        }
        String[] names = cur.toFile().list();
        if (names == null) {
            return false;
        }
        synchronized (this) {
            if (changes != seen || uids == null || !listed || !FolderSnapshot.CurMark.of(cur).equals(mark)) {
                return false; // changed meanwhile: later
            }
            if (!holdsExactly(names)) {
                // Another program changed cur/ since our last listing: the next look lists it and reconciles.
                listed = false;
                return false;
            }
            byte[] bytes = FolderSnapshot.encode(dir, mark, all(), uids, index);
            if (bytes == null) {
                return false;
            }
            // Under the lock, so that a DELETE or RENAME of the folder never meets a snapshot being written.
            FolderSnapshot.write(dir, bytes);
            dirty = false;
            return true;
        }
    }

    /** Whether {@code names} (a listing of cur/) are exactly the files of the state. */
    private boolean holdsExactly(String[] names) {
        Set<String> present = new HashSet<>(names.length * 2);
        for (String f : names) {
            if (!f.startsWith(".")) {
                present.add(f);
            }
        }
        Collection<Entry> all = all();
        if (present.size() != all.size()) {
            return false;
        }
        for (Entry e : all) {
            if (!present.contains(e.file())) {
                return false;
            }
        }
        return true;
    }

    // ---- changes ----

    /** Writes a new message durably (tmp, fsync, rename into cur) and gives it the next UID; quota is the caller's. */
    synchronized long add(Content content, long size, Set<String> flags, Instant date, ByteBuffer cacheEntry) throws IOException {
        scan();
        // The name starts with the INTERNALDATE's seconds, so listing never needs a stat.
        String base = MaildirName.unique(date, size);
        Path tmp = dir.resolve("tmp").resolve(base);
        try {
            content.writeTo(tmp);
            Fsync.file(tmp);
            Files.setLastModifiedTime(tmp, FileTime.from(date));
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        long uid = uids.takeUid();
        Set<String> keywords = FlagSets.keywordsOf(flags);
        uids.append(List.of(UidList.line(uid, base, keywords)));
        String file = FlagSets.fileName(base, flags);
        Files.move(tmp, dir.resolve("cur").resolve(file), StandardCopyOption.ATOMIC_MOVE);
        Fsync.directoryQuietly(dir.resolve("cur"));
        curKnownNow();
        uids.keywords(uid, keywords);
        Entry added = entry(uid, file);
        byUid().put(uid, added);
        index.changed(Map.of(uid, FlagSets.hash(added.flags())));
        if (cacheEntry != null) {
            cache().put(uid, cacheEntry);
        }
        changed();
        return uid;
    }

    /** The cache entry of a message in hand, made by the protocol's maker; null if none could be made. */
    ByteBuffer cacheEntryOf(byte[] message) {
        try {
            return cacheEntries.entryOf(message);
        } catch (RuntimeException e) {
            return null; // made on first use, or never
        }
    }

    /**
     * Changes flags: keywords by lines appended to the UID list, system flags by renaming the files (one {@code rename}
     * each, as Dovecot's maildir does), then one MODSEQ record for the whole command. A message whose flags would not
     * change costs a set comparison and nothing else.
     *
     * <p>The renames come after the answer: a command that renames files first appends its intent ({@link FlagIntent}:
     * one line per command, not per message) with its keyword lines in one forced write, then its MODSEQ record, and
     * is then acknowledged; {@link FlagRenamer} renames the files and a {@code D} line follows the last rename. An
     * intent without its {@code D} is finished at the folder's next listing ({@link #rollForward}), so a crash at any
     * point leaves each message wholly old (the change was never acknowledged) or wholly new. Until its file is
     * renamed, a message's entry has its new flags and the name its file still has. A change of keywords alone is one
     * forced write and needs no intent, unless intents are still pending: then every change writes one, since
     * finishing those again after a crash starts from the names on disk and must come out at this change too.
     *
     * @param unchangedSince -1, or the MODSEQ a message must not have passed to be changed (RFC 7162 §3.1.3)
     * @return the UIDs left alone because they changed after {@code unchangedSince}
     */
    synchronized List<Long> store(Collection<Long> uidsAsked, MailFolder.FlagChange change, Set<String> flags,
                                  long unchangedSince) throws IOException {
        scan();
        TreeMap<Long, Entry> byUid = byUid();
        boolean keywordsAsked = change == MailFolder.FlagChange.REPLACE || !FlagSets.keywordsOf(flags).isEmpty();
        List<String> lines = new ArrayList<>();
        List<Long> modified = new ArrayList<>();
        // Messages share their flag sets, so the new set and its hash are worked out once per distinct set in the
        // command, not once per message.
        Map<Set<String>, Set<String>> next = new IdentityHashMap<>();
        Map<Set<String>, Integer> hashes = new IdentityHashMap<>();
        UnaryOperator<Set<String>> apply = flagSets.change(change, flags);
        // First what every message becomes, without writing anything; then the writes.
        List<Entry> after = new ArrayList<>();
        // UIDs asked twice are done once. While they come in ascending order (a sequence set as clients send it)
        // none can repeat, and no table is needed; the first out of order starts one.
        LongTable covered = null;
        long lastUid = Long.MIN_VALUE;
        long[] coveredUids = new long[16];
        int coveredCount = 0;
        long[] renameUids = new long[16];
        int renameCount = 0;
        for (Long uid : uidsAsked) {
            Entry e = byUid.get(uid);
            if (e == null) {
                continue; // gone
            }
            if (covered == null && uid <= lastUid) {
                covered = new LongTable(coveredCount);
                for (int i = 0; i < coveredCount; i++) {
                    covered.put(coveredUids[i], 1, 0);
                }
            }
            if (covered != null && covered.containsKey(uid)) {
                continue; // asked twice
            }
            lastUid = uid;
            if (unchangedSince >= 0 && index.modseq(uid) > unchangedSince) {
                modified.add(uid);
                continue;
            }
            if (covered != null) {
                covered.put(uid, 1, 0);
            }
            if (coveredCount == coveredUids.length) {
                coveredUids = Arrays.copyOf(coveredUids, coveredCount * 2);
            }
            coveredUids[coveredCount++] = uid;
            Set<String> now = next.computeIfAbsent(e.flags(), apply);
            if (now == e.flags() || now.equals(e.flags())) {
                continue; // nothing to do for this one: no rename, no new MODSEQ
            }
            if (!flagSets.nameFor(e.file(), now).equals(e.file())) {
                if (renameCount == renameUids.length) {
                    renameUids = Arrays.copyOf(renameUids, renameCount * 2);
                }
                renameUids[renameCount++] = uid;
            }
            if (keywordsAsked) {
                Set<String> kw = FlagSets.keywordsOf(now);
                if (!kw.equals(uids.keywords(uid))) {
                    lines.add(UidList.line(uid, e.base(), kw));
                }
            }
            after.add(new Entry(uid, e.file(), now, e.size(), e.date())); // renamed later, by renameSome
        }
        if (after.isEmpty()) {
            return modified;
        }
        // While intents are pending every change writes one: finishing the earlier ones again after a crash starts
        // from the names on disk, and must come out at this change too (a flag set and unset before its rename
        // leaves a name that says "unset" and an intent that says "set").
        boolean withIntent = renameCount > 0 || !uids.pending().isEmpty();
        try {
            if (withIntent) {
                long[] asked = Arrays.copyOf(coveredUids, coveredCount);
                Arrays.sort(asked);
                uids.appendIntent(FlagIntent.of(change, flags, asked, byUid), lines);
            } else {
                uids.forceDone();
                uids.append(lines);
            }
            crashPoint.at(CrashPoint.BETWEEN_FLAG_WRITES);
            long[] changedUids = new long[after.size()];
            int[] changedHashes = new int[after.size()];
            for (int i = 0; i < after.size(); i++) {
                Entry now = after.get(i);
                if (keywordsAsked) {
                    uids.keywords(now.uid(), FlagSets.keywordsOf(now.flags()));
                }
                changedUids[i] = now.uid();
                changedHashes[i] = hashes.computeIfAbsent(now.flags(), FlagSets::hash);
                byUid.put(now.uid(), now);
            }
            renames.add(renameUids, renameCount);
            changed();
            // A crash before this record leaves an intent the next listing finishes, and flags the index does not
            // know, which that listing gives a new MODSEQ (never one a client has seen).
            index.changed(changedUids, changedHashes, after.size());
        } catch (IOException | RuntimeException e) {
            // Half done: the next look lists cur/ again and finishes the intent (or sees what happened).
            listed = false;
            throw e;
        }
        if (withIntent && uids.pending().size() >= MAX_PENDING_INTENTS) {
            // The renamer has fallen this far behind (a client changing the flags of a large folder again and again):
            // this command waits for the renames, as it would without the renamer, so the intents, their lines and
            // a restart's roll-forward stay bounded.
            settle();
        } else if (withIntent) {
            renamer.schedule(this);
        } else {
            compactUidList();
        }
        return modified;
    }

    /**
     * Renames up to {@code max} files to the flags their messages have now ({@link #store} changed them); when none is
     * left, forces {@code cur/} and marks the intents done. Returns whether renames are left for another turn.
     */
    synchronized boolean renameSome(int max) throws IOException {
        if (uids == null || !listed) {
            return false; // closed, or to be listed again: the listing finishes the intents (rollForward)
        }
        try {
            return renameTurn(max);
        } catch (IOException | RuntimeException e) {
            listed = false;
            throw e;
        }
    }

    private boolean renameTurn(int max) throws IOException {
        Path cur = dir.resolve("cur");
        if (curChangedByOthers(cur)) {
            // Another program changed cur/ since our last look: recording our renames' time would hide that. The
            // next look lists cur/ and finishes the intents (rollForward).
            listed = false;
            return false;
        }
        if (!renames.isEmpty()) {
            long[] batch = renames.take(max);
            // Both ascending: one walk along the map (no lookup, no boxing per message), entries replaced in place.
            Iterator<Map.Entry<Long, Entry>> walk = byUid().tailMap(batch[0], true).entrySet().iterator();
            Map.Entry<Long, Entry> at = walk.hasNext() ? walk.next() : null;
            try (DirectoryRenamer files = DirectoryRenamer.open(cur)) {
                for (long uid : batch) {
                    while (at != null && at.getKey() < uid) {
                        at = walk.hasNext() ? walk.next() : null;
                    }
                    if (at == null || at.getKey() != uid) {
                        continue; // expunged since
                    }
                    Entry e = at.getValue();
                    String file = flagSets.nameFor(e.file(), e.flags());
                    if (file.equals(e.file())) {
                        continue; // its flags went back to what its name says
                    }
                    try {
                        files.rename(e.file(), file);
                    } catch (NoSuchFileException gone) {
                        listed = false; // another program took it: the next listing sees and finishes the rest
                        continue;
                    }
                    if (!renamedUnforced) {
                        renamedUnforced = true;
                        crashPoint.at(CrashPoint.AFTER_FIRST_RENAME);
                    }
                    at.setValue(new Entry(uid, file, e.flags(), e.size(), e.date()));
                }
            }
            curKnownNow();
            if (!renames.isEmpty()) {
                return true;
            }
        }
        if (!listed || uids.pending().isEmpty()) {
            return false; // a listing finishes what is pending
        }
        if (renamedUnforced) {
            Fsync.directory(cur);
            renamedUnforced = false;
        }
        crashPoint.at(CrashPoint.BEFORE_DONE);
        uids.done(List.of(), false);
        compactUidList();
        return false;
    }

    /**
     * Writes the UID list whole ({@link UidList#rewrite}) when it holds more than twice as many lines as the folder has
     * messages (plus {@link #uidListSlack}): every renaming STORE adds an intent and a {@code D}, every keyword change
     * a line, every expunge leaves one behind, and the list is read whole at a start without a snapshot. A few MB
     * written once per that many changes; only with no intent pending. A failure costs only the list's size: the
     * change that came before it is done and durable.
     */
    private void compactUidList() {
        try {
            rewriteUidList();
        } catch (IOException | RuntimeException e) {
            LOG.warnf("%s: the UID list could not be written whole (%s); it is tried again after a later change", dir,
                    e.toString());
        }
    }

    private void rewriteUidList() throws IOException {
        Collection<Entry> all = all();
        if (!uids.pending().isEmpty() || !uids.grown(all.size(), uidListSlack)) {
            return;
        }
        long[] uidCol = new long[all.size()];
        String[] bases = new String[uidCol.length];
        int i = 0;
        for (Entry e : all) {
            uidCol[i] = e.uid();
            bases[i++] = e.base();
        }
        uids.rewrite(uidCol, bases);
        // The snapshot anchors on the list's length and edges: it is behind now (the state itself did not change).
        dirty = true;
        changes++;
    }

    /** Tests: the UID list is written whole sooner. */
    synchronized void uidListSlack(int lines) {
        uidListSlack = lines;
    }

    /** Makes every pending rename now, in the caller's thread (the folder closes, or a test stops at a crash point). */
    synchronized void settle() throws IOException {
        while (renameSome(Integer.MAX_VALUE)) {
            // one call renames all
        }
    }

    /** As {@link #settle}, for a folder that closes: a failure only leaves the intents to the next listing. */
    synchronized void settleQuietly() {
        try {
            settle();
        } catch (IOException | RuntimeException e) {
            LOG.warnf("%s: renaming files to their flags: %s; finished at the folder's next listing", dir, e.toString());
        }
    }

    /**
     * Finishes the flag changes not yet wholly on disk (a crash, or a listing while files were still to be renamed):
     * each intent and its keyword lines were durable before its first rename, so the changes are applied again, in
     * order, to every message they cover, which gives the new state whatever part of them was written: each message's
     * name carries the flags of some prefix of the changes, and applying a sequence of {@code +F}, {@code -F},
     * {@code =F} again after a prefix of it gives what applying it once does ({@link FlagIntent}). Runs in a listing,
     * before the index is reconciled (which gives a message whose change was never acknowledged a new MODSEQ, so
     * CONDSTORE clients hear of it; one whose MODSEQ record was written keeps it).
     */
    private void rollForward(List<FlagIntent> intents, Entry[] known, int count) throws IOException {
        Path cur = dir.resolve("cur");
        List<UnaryOperator<Set<String>>> applies = new ArrayList<>();
        for (FlagIntent intent : intents) {
            applies.add(flagSets.change(intent.change(), intent.flags()));
        }
        List<String> lines = new ArrayList<>();
        boolean renamed = false;
        int finished = 0;
        try (DirectoryRenamer renamer = DirectoryRenamer.open(cur)) {
            for (int i = 0; i < count; i++) {
                Entry e = known[i];
                Set<String> now = e.flags();
                for (int k = 0; k < intents.size(); k++) {
                    if (intents.get(k).covers(e.uid())) {
                        now = applies.get(k).apply(now);
                    }
                }
                if (now.equals(e.flags())) {
                    continue;
                }
                String file = FlagSets.fileName(e.file(), now);
                if (!file.equals(e.file())) {
                    try {
                        renamer.rename(e.file(), file);
                    } catch (NoSuchFileException gone) {
                        continue;
                    }
                    renamed = true;
                }
                Set<String> kw = FlagSets.keywordsOf(now);
                if (!kw.equals(uids.keywords(e.uid()))) {
                    uids.keywords(e.uid(), kw);
                    lines.add(UidList.line(e.uid(), e.base(), kw));
                }
                known[i] = new Entry(e.uid(), file, now, e.size(), e.date());
                finished++;
            }
        }
        if (renamed || renamedUnforced) {
            // The renamer's renames too: the D written next says every intent before it is on disk.
            Fsync.directory(cur);
            renamedUnforced = false;
        }
        uids.done(lines, true);
        LOG.infof("%s: finished %d flag change(s) a crash or a vanished file interrupted (%s): %d message(s)", dir,
                intents.size(), intents.get(intents.size() - 1), finished);
    }

    /** Removes messages for good; their octets leave the quota unless they moved to another folder. */
    synchronized List<Long> expunge(Collection<Long> uidsAsked, boolean releaseQuota) throws IOException {
        scan();
        TreeMap<Long, Entry> byUid = byUid();
        List<Long> gone = new ArrayList<>();
        long freed = 0;
        for (Long uid : new TreeSet<>(uidsAsked)) {
            Entry e = byUid.remove(uid);
            if (e != null) {
                Files.deleteIfExists(dir.resolve("cur").resolve(e.file()));
                freed += e.size();
                uids.keywords(uid, Set.of());
                gone.add(uid);
            }
        }
        if (!gone.isEmpty()) {
            changed();
            curKnownNow();
            Fsync.directoryQuietly(dir.resolve("cur"));
            index.expunged(gone);
            cache().remove(gone);
            if (releaseQuota) {
                store.releaseQuota(account, freed, gone.size());
            }
            compactUidList();
        }
        return gone;
    }

    // ---- reading ----

    /** The message file of a UID; NONEXISTENT when it was expunged. */
    synchronized Path path(long uid) throws IOException {
        Entry e = lookup(uid);
        if (e == null || !listed) {
            // Not known, or a file vanished under us (relist): list again before answering.
            scan();
            e = lookup(uid);
        }
        if (e == null) {
            throw new MailboxException("NONEXISTENT", "Message expunged");
        }
        return dir.resolve("cur").resolve(e.file());
    }

    byte[] read(long uid) throws IOException {
        return read(uid, MessageFiles::bytes);
    }

    ByteBuf read(long uid, ByteBufAllocator alloc) throws IOException {
        return read(uid, file -> MessageFiles.buffer(file, alloc));
    }

    /**
     * Reads outside the lock: the file may be renamed to its flags meanwhile ({@link FlagRenamer}), which a second
     * look at its entry finds; a file gone under the same name was removed by another program, which a listing finds.
     */
    <T> T read(long uid, MessageFiles.Reader<T> reader) throws IOException {
        Path file = path(uid);
        for (int attempt = 0; ; attempt++) {
            try {
                return reader.read(file);
            } catch (NoSuchFileException renamed) {
                Path again = path(uid);
                if (again.equals(file) || attempt == 3) {
                    relist();
                    return reader.read(path(uid));
                }
                file = again;
            }
        }
    }

    private void summarizeFile(Entry e) {
        try {
            ByteBuffer entry = cacheEntryOf(Files.readAllBytes(dir.resolve("cur").resolve(e.file())));
            if (entry != null) {
                cache().put(e.uid(), entry);
            }
        } catch (IOException gone) {
            // removed meanwhile, or unreadable: the entry is made on first use, or never
        }
    }
}
