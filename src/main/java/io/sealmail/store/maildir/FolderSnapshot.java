package io.sealmail.store.maildir;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * A folder's state at a quiet moment, in {@code sealmail-snapshot} beside the Maildir, so that the first SELECT after
 * a start reads one file instead of listing {@code cur/}, parsing the UID list and replaying the MODSEQ log (what
 * Dovecot's {@code dovecot.index} does for its maildir). It is a cache of the other files, never a source of truth:
 * it is used only when everything it was made from is provably unchanged, and otherwise ignored (the folder is then
 * listed and its files read as without it), so deleting, damaging or copying it can cost time, never a message, a
 * UID, a flag or a MODSEQ.
 *
 * <p>What a snapshot rests on (its anchor), all checked before it is used:
 * <ul>
 *   <li>{@code cur/}'s inode and modification time. Every file created, removed or renamed in {@code cur/} (a
 *   delivery moved in, a flag change, an expunge, a file added, deleted or renamed by hand) moves that time, but
 *   only by the file system's tick: a change in the same tick as the time recorded would not show. So a snapshot
 *   is written only from a listing of {@code cur/} that began at least {@link #QUIET_MILLIS} after the directory's
 *   time, as Dovecot trusts a maildir's times only once they are older than its sync interval: any later change
 *   then falls in a later tick, even on a file system that keeps whole seconds (or two, as FAT does), and even
 *   though the kernel stamps files with a clock that lags the one read here by a tick. The inode makes a snapshot
 *   copied from another folder useless here.</li>
 *   <li>the UID list and the MODSEQ log: length, and a CRC-32C of their first and last 4 KiB. Both are append-only
 *   and every change this engine makes appends to one of them (and is forced before it is acknowledged), so a
 *   change made after the snapshot, even one that leaves {@code cur/} alone (a keyword), makes it stale; a log
 *   rewritten by a compaction, or replaced by hand, differs in its head or tail.</li>
 * </ul>
 * {@code new/} is not part of it: the first look at a folder lists {@code new/} anyway.
 *
 * <p>Format (big-endian): magic and version (8 octets); UIDVALIDITY, next UID; the anchor ({@code cur/}'s inode,
 * modification seconds and nanoseconds; per log: length, head CRC, tail CRC); HIGHESTMODSEQ, the start of the
 * expunge history, the log's record count; the distinct flag sets (count, then per set its flags as length-prefixed
 * UTF-8); the message count, then the messages in UID order as columns, one array after the other: UIDs, flag set
 * numbers, sizes, INTERNALDATE seconds, their nanoseconds, MODSEQs, flag hashes, save times, file name lengths, and
 * the file names (UTF-8) end to end; the remembered expunges (UID, MODSEQ); a CRC-32C of everything before it.
 * Columns are read with one bulk copy each, where a record per message would cost a dozen calls per message in a
 * JVM that has not compiled them yet (the first SELECT after a start). A snapshot cut short or damaged fails the
 * checksum. It is written to a temporary file and renamed over the old one; it is not
 * forced, since a snapshot lost or torn by a crash is only ignored.
 *
 * <p>About 100 octets per message (10 MB for a folder of 100,000), read through a memory mapping.
 */
final class FolderSnapshot {
    private static final Logger LOG = Logger.getLogger(FolderSnapshot.class);
    static final String FILE = "sealmail-snapshot";
    /** "SMSNAP" and the format version. */
    private static final long MAGIC = 0x534d534e41500002L;
    /**
     * How long after {@code cur/}'s modification time a listing must begin for the snapshot made from it to trust
     * that time (see the class comment).
     */
    static final long QUIET_MILLIS = 2000;
    private static final int EDGE = 4096;

    private FolderSnapshot() {
    }

    /** A folder's state read back: its messages in UID order, its UID list and its MODSEQ index. */
    record Restored(RestoredMessages messages, UidList uids, MailboxIndex index) {
    }

    /**
     * What a whole snapshot proves even when too stale to restore from: the folder showed UIDs below {@code uidNext}
     * and MODSEQs up to {@code highestModseq} under {@code uidValidity} (RFC 9051 §2.3.1.1, RFC 7162 §3.1.2).
     */
    record Shown(long uidValidity, long uidNext, long highestModseq) {
    }

    /** One read of the snapshot: the state when it can be trusted, else what it shows when it is whole; either may be null. */
    record Read(Restored restored, Shown shown) {
        static final Read NONE = new Read(null, null);
    }

    /** An append-only file as a snapshot saw it: its length and the CRC-32C of its first and last {@link #EDGE} octets. */
    record LogMark(long length, int head, int tail, boolean endsWithNewline) {
        static LogMark of(Path file) throws IOException {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                long length = ch.size();
                ByteBuffer head = read(ch, 0, (int) Math.min(EDGE, length));
                ByteBuffer tail = read(ch, Math.max(0, length - EDGE), (int) Math.min(EDGE, length));
                boolean newline = length > 0 && tail.get(tail.limit() - 1) == '\n';
                return new LogMark(length, crc(head), crc(tail), newline);
            } catch (NoSuchFileException e) {
                return new LogMark(-1, 0, 0, false);
            }
        }

        private static ByteBuffer read(FileChannel ch, long from, int length) throws IOException {
            ByteBuffer b = ByteBuffer.allocate(length);
            while (b.hasRemaining() && ch.read(b, from + b.position()) > 0) {
                // fill
            }
            return b.flip();
        }

        private static int crc(ByteBuffer b) {
            CRC32C crc = new CRC32C();
            crc.update(b.duplicate());
            return (int) crc.getValue();
        }

        boolean sameAs(LogMark other) {
            return length == other.length && head == other.head && tail == other.tail;
        }
    }

    /** {@code cur/}'s identity and modification time. */
    record CurMark(long inode, Instant mtime) {
        /** One {@code stat}: the folder looks at it before each command (another program's change of {@code cur/}). */
        static CurMark of(Path cur) throws IOException {
            try {
                java.util.Map<String, Object> a = Files.readAttributes(cur, "unix:ino,lastModifiedTime");
                return new CurMark(((Number) a.get("ino")).longValue(), ((FileTime) a.get("lastModifiedTime")).toInstant());
            } catch (UnsupportedOperationException | IllegalArgumentException e) {
                // no unix view here: the time and the logs still anchor it
                return new CurMark(-1, Files.getLastModifiedTime(cur).toInstant());
            }
        }
    }

    /**
     * Encodes the folder's state. The caller holds the folder's lock, has just checked that {@code cur/} holds
     * exactly {@code entries}' files, and that the listing began {@link #QUIET_MILLIS} after {@code cur}'s time.
     *
     * @return the snapshot's octets, or null when the logs are not in a state to anchor one (a torn last line)
     */
    static byte[] encode(Path dir, CurMark cur, Collection<MaildirFolder.Entry> entries, UidList uids, MailboxIndex index)
            throws IOException {
        LogMark uidMark = LogMark.of(dir.resolve(UidList.FILE));
        LogMark indexMark = LogMark.of(dir.resolve(MailboxIndex.FILE));
        if (uidMark.length() <= 0 || !uidMark.endsWithNewline() || indexMark.length() <= 0) {
            return null;
        }
        Map<Set<String>, Integer> setIds = new IdentityHashMap<>();
        List<Set<String>> sets = new ArrayList<>();
        for (MaildirFolder.Entry e : entries) {
            if (setIds.putIfAbsent(e.flags(), sets.size()) == null) {
                sets.add(e.flags());
            }
        }
        Map<Long, Long> expunges = index.expunges();
        Out out = new Out(entries.size() * 110 + expunges.size() * 16 + 256);
        out.b().putLong(MAGIC).putLong(uids.uidValidity()).putLong(uids.uidNext());
        Instant t = cur.mtime();
        out.b().putLong(cur.inode()).putLong(t.getEpochSecond()).putInt(t.getNano());
        for (LogMark m : List.of(uidMark, indexMark)) {
            out.b().putLong(m.length()).putInt(m.head()).putInt(m.tail());
        }
        out.b().putLong(index.highestModseq()).putLong(index.expungeHistoryFrom()).putLong(index.records());
        out.b().putInt(sets.size());
        for (Set<String> set : sets) {
            out.room(4);
            out.b().putInt(set.size());
            for (String flag : set) {
                out.string(flag);
            }
        }
        int count = entries.size();
        long[] uidCol = new long[count];
        int[] setCol = new int[count];
        long[] sizeCol = new long[count];
        long[] secondCol = new long[count];
        int[] nanoCol = new int[count];
        long[] modseqCol = new long[count];
        int[] hashCol = new int[count];
        long[] savedCol = new long[count];
        int[] nameLengthCol = new int[count];
        byte[][] names = new byte[count][];
        int namesLength = 0;
        int i = 0;
        for (MaildirFolder.Entry e : entries) {
            long uid = e.uid();
            uidCol[i] = uid;
            setCol[i] = setIds.get(e.flags());
            sizeCol[i] = e.size();
            secondCol[i] = e.date().getEpochSecond();
            nanoCol[i] = e.date().getNano();
            modseqCol[i] = index.modseq(uid);
            hashCol[i] = index.flagsHash(uid);
            savedCol[i] = index.savedAt(uid);
            names[i] = e.file().getBytes(StandardCharsets.UTF_8);
            nameLengthCol[i] = names[i].length;
            namesLength += names[i].length;
            i++;
        }
        out.room(4 + count * 64 + namesLength);
        ByteBuffer b = out.b().putInt(count);
        putLongs(b, uidCol);
        putInts(b, setCol);
        putLongs(b, sizeCol);
        putLongs(b, secondCol);
        putInts(b, nanoCol);
        putLongs(b, modseqCol);
        putInts(b, hashCol);
        putLongs(b, savedCol);
        putInts(b, nameLengthCol);
        for (byte[] name : names) {
            b.put(name);
        }
        out.room(4);
        out.b().putInt(expunges.size());
        for (Map.Entry<Long, Long> x : expunges.entrySet()) {
            out.room(16);
            out.b().putLong(x.getKey()).putLong(x.getValue());
        }
        CRC32C crc = new CRC32C();
        crc.update(out.b().array(), 0, out.b().position());
        out.room(4);
        out.b().putInt((int) crc.getValue());
        return Arrays.copyOf(out.b().array(), out.b().position());
    }

    private static void putLongs(ByteBuffer b, long[] column) {
        b.asLongBuffer().put(column);
        b.position(b.position() + column.length * 8);
    }

    private static void putInts(ByteBuffer b, int[] column) {
        b.asIntBuffer().put(column);
        b.position(b.position() + column.length * 4);
    }

    private static long[] longs(ByteBuffer in, int count) {
        long[] column = new long[count];
        in.asLongBuffer().get(column);
        in.position(in.position() + count * 8);
        return column;
    }

    private static int[] ints(ByteBuffer in, int count) {
        int[] column = new int[count];
        in.asIntBuffer().get(column);
        in.position(in.position() + count * 4);
        return column;
    }

    /** Writes a snapshot next to the folder's files, replacing the previous one atomically. */
    static void write(Path dir, byte[] snapshot) throws IOException {
        Path tmp = dir.resolve(FILE + ".tmp");
        Files.write(tmp, snapshot, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        Files.move(tmp, dir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Removes the snapshot (tests, and a folder whose state must be read from its files again). */
    static void delete(Path dir) throws IOException {
        Files.deleteIfExists(dir.resolve(FILE));
    }

    /**
     * The folder's state from its snapshot, restored when it can be trusted; not when there is none or it is damaged
     * or of another format (nothing shown either), or anything it rests on changed since (then the folder is read from
     * its files, and what the snapshot shows still bounds its UIDs and MODSEQs from below).
     */
    static Read read(Path dir, FlagSets flagSets) {
        Path file = dir.resolve(FILE);
        // Mapped, not read into the heap: 10 MB for 100,000 messages, read once, at the first SELECT after a start.
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return decode(dir, ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size()), flagSets);
        } catch (NoSuchFileException e) {
            return Read.NONE;
        } catch (RuntimeException | IOException e) {
            LOG.warnf("%s: unreadable (%s); listing the folder", file, e.toString());
            return Read.NONE;
        }
    }

    /** Whether the snapshot is whole and of this format; {@code in} is then just past its magic number. */
    private static boolean whole(Path file, ByteBuffer in) {
        int length = in.limit();
        if (length < 12) {
            LOG.warnf("%s: cut short; listing the folder", file);
            return false;
        }
        CRC32C crc = new CRC32C();
        crc.update(in.duplicate().limit(length - 4));
        if (in.getLong() != MAGIC || (int) crc.getValue() != in.getInt(length - 4)) {
            LOG.warnf("%s: damaged or of another version; listing the folder", file);
            return false;
        }
        return true;
    }

    private static Read decode(Path dir, ByteBuffer in, FlagSets flagSets) throws IOException {
        Path file = dir.resolve(FILE);
        if (!whole(file, in)) {
            return Read.NONE;
        }
        long uidValidity = in.getLong();
        long uidNext = in.getLong();
        CurMark recorded = new CurMark(in.getLong(), Instant.ofEpochSecond(in.getLong(), in.getInt()));
        LogMark uidMark = new LogMark(in.getLong(), in.getInt(), in.getInt(), true);
        LogMark indexMark = new LogMark(in.getLong(), in.getInt(), in.getInt(), true);
        long highestModseq = in.getLong();
        Read stale = new Read(null, new Shown(uidValidity, uidNext, highestModseq));
        CurMark cur = CurMark.of(dir.resolve("cur"));
        if (!cur.equals(recorded)) {
            LOG.debugf("%s: cur/ changed since (%s, was %s); listing the folder", file, cur, recorded);
            return stale;
        }
        if (!LogMark.of(dir.resolve(UidList.FILE)).sameAs(uidMark)
                || !LogMark.of(dir.resolve(MailboxIndex.FILE)).sameAs(indexMark)) {
            LOG.debugf("%s: the UID list or the MODSEQ log changed since; listing the folder", file);
            return stale;
        }
        long expungeHistoryFrom = in.getLong();
        long records = in.getLong();
        int setCount = in.getInt();
        List<Set<String>> sets = new ArrayList<>(setCount);
        List<Set<String>> keywordSets = new ArrayList<>(setCount);
        for (int i = 0; i < setCount; i++) {
            int n = in.getInt();
            List<String> flags = new ArrayList<>(n);
            for (int j = 0; j < n; j++) {
                flags.add(string(in));
            }
            Set<String> set = flagSets.canonical(Set.copyOf(flags));
            sets.add(set);
            keywordSets.add(Set.copyOf(FlagSets.keywordsOf(set)));
        }
        int count = in.getInt();
        UidList uids = UidList.restored(dir, uidValidity, uidNext, count, uidMark.length());
        MailboxIndex index = MailboxIndex.restored(dir, uidValidity, indexMark.length(), highestModseq,
                expungeHistoryFrom, records, count);
        try {
            RestoredMessages messages = readMessages(in, count, sets, keywordSets, uids, index);
            int expunges = in.getInt();
            for (int i = 0; i < expunges; i++) {
                index.restoreExpunge(in.getLong(), in.getLong());
            }
            if (in.remaining() != 4) {
                throw new IOException("trailing octets");
            }
            return new Read(new Restored(messages, uids, index), stale.shown());
        } catch (IOException | RuntimeException e) {
            index.close();
            throw e;
        }
    }

    /**
     * The messages: columns copied out in bulk and kept as they are ({@link RestoredMessages}); no object is made per
     * message here, only the keywords of messages that have some reach the UID list.
     */
    private static RestoredMessages readMessages(ByteBuffer in, int count, List<Set<String>> sets,
                                                 List<Set<String>> keywordSets, UidList uids, MailboxIndex index)
            throws IOException {
        if (count < 0 || (long) count * 56 > in.remaining()) {
            throw new IOException("message count " + count);
        }
        long[] uidCol = longs(in, count);
        int[] setCol = ints(in, count);
        long[] sizeCol = longs(in, count);
        long[] secondCol = longs(in, count);
        int[] nanoCol = ints(in, count);
        long[] modseqCol = longs(in, count);
        int[] hashCol = ints(in, count);
        long[] savedCol = longs(in, count);
        int[] nameLengthCol = ints(in, count);
        int[] starts = new int[count + 1];
        long namesLength = 0;
        for (int i = 0; i < count; i++) {
            int length = nameLengthCol[i];
            if (length <= 0) {
                throw new IOException("name length " + length);
            }
            starts[i] = (int) Math.min(namesLength, Integer.MAX_VALUE);
            namesLength += length;
        }
        if (namesLength > in.remaining()) {
            throw new IOException("names past the end");
        }
        starts[count] = (int) namesLength;
        byte[] names = new byte[(int) namesLength];
        in.get(names);
        long uidNext = uids.uidNext();
        long previous = 0;
        for (int i = 0; i < count; i++) {
            long uid = uidCol[i];
            if (uid <= previous || uid >= uidNext) {
                throw new IOException("UIDs out of order");
            }
            previous = uid;
            int set = setCol[i];
            if (set < 0 || set >= sets.size()) {
                throw new IOException("flag set " + set);
            }
        }
        boolean anyKeywords = false;
        for (Set<String> keywords : keywordSets) {
            anyKeywords |= !keywords.isEmpty();
        }
        for (int i = 0; anyKeywords && i < count; i++) {
            Set<String> keywords = keywordSets.get(setCol[i]);
            if (!keywords.isEmpty()) {
                uids.keywords(uidCol[i], keywords);
            }
        }
        index.restoreMessages(uidCol, modseqCol, hashCol, savedCol);
        return new RestoredMessages(uidCol, setCol, sets, sizeCol, secondCol, nanoCol, modseqCol, names, starts);
    }

    private static String string(ByteBuffer in) {
        byte[] octets = new byte[Short.toUnsignedInt(in.getShort())];
        in.get(octets);
        return new String(octets, StandardCharsets.UTF_8);
    }

    /** A buffer that grows as it is written. */
    private static final class Out {
        private ByteBuffer b;

        Out(int capacity) {
            b = ByteBuffer.allocate(capacity);
        }

        ByteBuffer b() {
            return b;
        }

        void room(int octets) {
            if (b.remaining() < octets) {
                ByteBuffer bigger = ByteBuffer.allocate(Math.max(b.capacity() * 2, b.position() + octets));
                b.flip();
                bigger.put(b);
                b = bigger;
            }
        }

        void string(String s) throws IOException {
            byte[] octets = s.getBytes(StandardCharsets.UTF_8);
            if (octets.length > 0xffff) {
                throw new IOException("name too long for a snapshot: " + octets.length + " octets");
            }
            room(2 + octets.length);
            b.putShort((short) octets.length).put(octets);
        }
    }
}
