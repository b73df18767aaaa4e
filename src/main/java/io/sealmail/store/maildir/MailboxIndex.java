package io.sealmail.store.maildir;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * A folder's modification sequences (RFC 7162 CONDSTORE/QRESYNC): the MODSEQ of each message, the folder's
 * HIGHESTMODSEQ, and the UIDs expunged with the MODSEQ of their expunge, in {@code sealmail-index} beside the
 * Maildir. UIDs and keywords stay in {@code sealmail-uids}, system flags in the file names; this file only says
 * <em>when</em> each of those last changed, so a client can ask "what changed since N".
 *
 * <p>Format: an append-only log of records {@code [int length][int CRC-32C][payload]}; the first record names the
 * UIDVALIDITY it belongs to. A record is {@code M uid modseq flagsHash savedAt} (message state; {@code savedAt}, the
 * second the message was saved into this folder for RFC 8514 SAVEDATE, 0 when unknown, is a trailing field that
 * indexes written before it lack and that a reader without it skips), {@code X uid modseq} (expunged) or
 * {@code H uidValidity highestModseq}. Replaying the records gives the state; each change is one append and one
 * {@code fdatasync}. When the log holds more than twice the live records it is rewritten as a
 * snapshot (the same records, one per message) into a temporary file that replaces it atomically, so a crash
 * during compaction leaves either the old or the new file, both complete.
 *
 * <p>Recovery: a record cut short at the end (a crash during an append) is dropped and the file truncated; a bad
 * checksum elsewhere, a missing file or one for another UIDVALIDITY is rebuilt from the Maildir: {@link #reconcile}
 * gives every message it did not know a fresh MODSEQ above anything this folder may have shown. The floor for a
 * rebuild is the larger of the last value read and the clock in microseconds, which no counter that started at 1
 * can have reached, so MODSEQ never goes backwards even when the file is gone. The flags hash lets reconcile see
 * flag changes made behind our back (another tool renamed a file) and give them a new MODSEQ too.
 *
 * <p>Not thread-safe: the folder's lock guards it.
 */
final class MailboxIndex implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(MailboxIndex.class);
    public static final String FILE = "sealmail-index";
    /** Expunges remembered for QRESYNC; older ones are answered conservatively (every UID not present). */
    static final int MAX_EXPUNGES = 100_000;
    private static final byte HEAD = 'H';
    private static final byte MESSAGE = 'M';
    private static final byte EXPUNGE = 'X';
    private static final int MAX_RECORD = 64;

    /** Why the index was rebuilt at open, or null when it was read as written. */
    public enum Rebuilt { MISSING, CORRUPT, FOREIGN }

    private final Path file;
    private final long uidValidity;
    private final int compactAfter;
    private FileChannel log;
    private long highestModseq;
    /**
     * Per UID present: its MODSEQ, and the hash of its flags. Two flat tables, not a map of boxed keys to arrays:
     * a folder of 100,000 messages is replayed into them at its first SELECT after a start.
     */
    private final LongTable modseqs;
    private final LongTable hashes;
    /** Per UID present: the second it was saved into the folder; absent when unknown. */
    private final LongTable saved;
    /** Expunged UID to the MODSEQ of its expunge, newest {@link #MAX_EXPUNGES}. */
    private final TreeMap<Long, Long> expunged = new TreeMap<>();
    /** Expunges at or below this MODSEQ may be missing from {@link #expunged}. */
    private long expungeHistoryFrom;
    private long records;
    private Rebuilt rebuilt;
    /** The log read at open names another UIDVALIDITY (the UID list was lost and made again). */
    private boolean foreign;

    private MailboxIndex(Path dir, long uidValidity, int compactAfter, int expected) {
        this.file = dir.resolve(FILE);
        this.uidValidity = uidValidity;
        this.compactAfter = compactAfter;
        this.modseqs = new LongTable(expected);
        this.hashes = new LongTable(expected);
        this.saved = new LongTable(expected);
    }

    /**
     * Reads (or starts) the index of the Maildir {@code dir}.
     *
     * @param newFolder the folder's UIDVALIDITY was just made: no MODSEQ of it can have been shown, so an index
     *                  that is not there yet starts at 0 rather than at the rebuild floor
     */
    public static MailboxIndex open(Path dir, long uidValidity, boolean newFolder) throws IOException {
        return open(dir, uidValidity, newFolder, compactAfter());
    }

    /** Log records beyond twice the live ones that trigger a compaction ({@code -Dsealmail.index.compactAfter}, tests). */
    static int compactAfter() {
        return Integer.getInteger("sealmail.index.compactAfter", 4096);
    }

    /** @param compactAfter log records beyond twice the live ones that trigger a compaction */
    public static MailboxIndex open(Path dir, long uidValidity, boolean newFolder, int compactAfter) throws IOException {
        return open(dir, uidValidity, newFolder, compactAfter, 0);
    }

    /**
     * @param shown a HIGHESTMODSEQ this folder is known to have reached (its last snapshot's, which may be stale):
     *              a log that replays to less lost records (cut shorter by hand, restored from an older copy) and
     *              is rebuilt above it, so MODSEQ never goes backwards (RFC 7162 §3.1.2)
     */
    static MailboxIndex open(Path dir, long uidValidity, boolean newFolder, int compactAfter, long shown)
            throws IOException {
        MailboxIndex index = new MailboxIndex(dir, uidValidity, compactAfter, 0);
        index.load(newFolder, shown);
        return index;
    }

    /**
     * The index as a folder snapshot recorded it, without reading the log: the caller checked that the log is the
     * one the snapshot saw, at the same length, and fills the tables with {@link #restoreMessage} and
     * {@link #restoreExpunge}; changes are appended from that length on.
     */
    static MailboxIndex restored(Path dir, long uidValidity, long logLength, long highestModseq,
                                 long expungeHistoryFrom, long records, int messages) throws IOException {
        MailboxIndex index = new MailboxIndex(dir, uidValidity, compactAfter(),
                0); // the tables take the snapshot's columns as they are (restoreMessages)
        index.highestModseq = Math.max(1, highestModseq);
        index.expungeHistoryFrom = expungeHistoryFrom;
        index.records = records;
        index.log = FileChannel.open(index.file, StandardOpenOption.WRITE);
        index.log.position(logLength);
        return index;
    }

    /**
     * The messages' MODSEQs, flag hashes and save times (0: unknown), column by column, UIDs ascending. The columns
     * are kept as they are until the first change ({@link LongTable#restoreSorted}), so the caller must not change
     * them. A save time of 0 is kept as an entry of 0, which every reader takes as "unknown", as an absent one.
     */
    void restoreMessages(long[] uids, long[] modseqCol, int[] hashCol, long[] savedCol) {
        long[] hashLongs = new long[hashCol.length];
        for (int i = 0; i < hashLongs.length; i++) {
            hashLongs[i] = hashCol[i];
        }
        modseqs.restoreSorted(uids, modseqCol);
        hashes.restoreSorted(uids, hashLongs);
        saved.restoreSorted(uids, savedCol);
    }

    void restoreExpunge(long uid, long modseq) {
        expunged.put(uid, modseq);
    }

    /** The flag hash the index last recorded for a message (0 when unknown). */
    int flagsHash(long uid) {
        return (int) hashes.get(uid, 0);
    }

    long expungeHistoryFrom() {
        return expungeHistoryFrom;
    }

    long records() {
        return records;
    }

    /** The remembered expunges, UID to the MODSEQ of its expunge, ascending by UID (for the folder's snapshot). */
    Map<Long, Long> expunges() {
        return Collections.unmodifiableMap(expunged);
    }

    public Rebuilt rebuilt() {
        return rebuilt;
    }

    public long highestModseq() {
        return highestModseq;
    }

    /**
     * The highest UID this index holds a record of, live or expunged: a UID list that lost its last lines must not
     * give such a UID out again (it may have been shown, and expunged; RFC 9051 §2.3.1.1).
     */
    long highestUid() {
        long[] max = {expunged.isEmpty() ? 0 : expunged.lastKey()};
        modseqs.forEach((uid, modseq) -> max[0] = Math.max(max[0], uid));
        return max[0];
    }

    /**
     * When a message was saved into this folder (RFC 8514 §3: set when it got its UID here, by delivery, APPEND,
     * COPY or MOVE, and never changed afterwards), in seconds since the epoch; 0 when unknown: the message was
     * indexed before save times were kept, or found again when the index was rebuilt.
     */
    public long savedAt(long uid) {
        return saved.get(uid, 0);
    }

    /** The MODSEQ of a message, or 0 when the index does not know it (yet). */
    public long modseq(long uid) {
        return modseqs.get(uid, 0);
    }

    /**
     * UIDs expunged after {@code modseq}, ascending; null when the history does not reach back that far (the
     * caller then reports every UID it cannot find, which RFC 7162 §3.2.5.1 allows).
     */
    public List<Long> expungedSince(long modseq) {
        if (modseq < expungeHistoryFrom) {
            return null;
        }
        List<Long> out = new ArrayList<>();
        expunged.forEach((uid, m) -> {
            if (m > modseq) {
                out.add(uid);
            }
        });
        return out;
    }

    /**
     * Brings the index in line with what is on disk: each UID with the hash of its current flags. UIDs it did
     * not know, or whose flags changed, get one new MODSEQ; UIDs it knew that are gone are recorded as expunged.
     * Durable before it returns.
     */
    public void reconcile(Map<Long, Integer> present) throws IOException {
        LongTable table = new LongTable();
        present.forEach((uid, hash) -> table.put(uid, hash, 0));
        reconcile(table);
    }

    /** As {@link #reconcile(Map)}, with each UID's flag hash in a table (no boxing for a large folder). */
    void reconcile(LongTable present) throws IOException {
        Map<Long, Integer> changed = new HashMap<>();
        present.forEach((uid, hash) -> {
            if (!modseqs.containsKey(uid) || hashes.get(uid, 0) != hash) {
                changed.put(uid, (int) hash);
            }
        });
        List<Long> gone = new ArrayList<>();
        modseqs.forEach((uid, modseq) -> {
            if (!present.containsKey(uid)) {
                gone.add(uid);
            }
        });
        if (!changed.isEmpty()) {
            // Not saved now: these messages had their UIDs already (an index rebuilt or from before), or only
            // their flags changed behind our back.
            changed(changed, 0);
        }
        if (!gone.isEmpty()) {
            expunged(gone);
        }
    }

    /**
     * New messages or new flags: one new MODSEQ for all of them, durable before it returns. A UID the index did not
     * know is a message saved into the folder now (its save time is this second).
     */
    public long changed(Map<Long, Integer> flagHashes) throws IOException {
        return changed(flagHashes, System.currentTimeMillis() / 1000);
    }

    private long changed(Map<Long, Integer> flagHashes, long savedNow) throws IOException {
        // In UID order: new messages' UIDs then arrive above all others, which the tables take without hashing.
        long[] uids = new long[flagHashes.size()];
        int n = 0;
        for (Long uid : flagHashes.keySet()) {
            uids[n++] = uid;
        }
        Arrays.sort(uids);
        int[] hashes = new int[n];
        for (int i = 0; i < n; i++) {
            hashes[i] = flagHashes.get(uids[i]);
        }
        return changed(uids, hashes, n, savedNow);
    }

    /**
     * As {@link #changed(Map)} for the first {@code count} UIDs (no duplicates) and flag hashes of two arrays: a STORE
     * of 100,000 messages then makes no object per message.
     */
    public long changed(long[] uids, int[] flagHashes, int count) throws IOException {
        return changed(uids, flagHashes, count, System.currentTimeMillis() / 1000);
    }

    private long changed(long[] uids, int[] flagHashes, int count, long savedNow) throws IOException {
        if (count == 0) {
            return highestModseq;
        }
        long modseq = ++highestModseq;
        Records out = new Records(log, count + 1L);
        appendHead(out);
        for (int i = 0; i < count; i++) {
            long uid = uids[i];
            if (!modseqs.containsKey(uid) && savedNow > 0) {
                saved.put(uid, savedNow, 0);
            }
            modseqs.put(uid, modseq, 0);
            hashes.put(uid, flagHashes[i], 0);
            out.put(MESSAGE, uid, modseq, flagHashes[i], saved.get(uid, 0));
        }
        written(out, count + 1);
        return modseq;
    }

    /** Messages removed: one new MODSEQ, remembered for QRESYNC; durable before it returns. */
    public long expunged(Collection<Long> uids) throws IOException {
        if (uids.isEmpty()) {
            return highestModseq;
        }
        long modseq = ++highestModseq;
        Records out = new Records(log, uids.size() + 1L);
        appendHead(out);
        for (Long uid : uids) {
            modseqs.remove(uid, 0);
            hashes.remove(uid, 0);
            saved.remove(uid, 0);
            rememberExpunge(uid, modseq);
            out.put(EXPUNGE, uid, modseq, 0, 0);
        }
        written(out, uids.size() + 1);
        return modseq;
    }

    private void rememberExpunge(long uid, long modseq) {
        expunged.put(uid, modseq);
        if (expunged.size() > MAX_EXPUNGES) {
            // Forget the oldest expunge (by MODSEQ); the history now starts after it.
            Map.Entry<Long, Long> oldest = null;
            for (Map.Entry<Long, Long> e : expunged.entrySet()) {
                if (oldest == null || e.getValue() < oldest.getValue()) {
                    oldest = e;
                }
            }
            expunged.remove(oldest.getKey());
            expungeHistoryFrom = Math.max(expungeHistoryFrom, oldest.getValue());
        }
    }

    /** Every change record carries the new HIGHESTMODSEQ first, so a log of expunges alone still restores it. */
    private void appendHead(Records out) throws IOException {
        out.put(HEAD, uidValidity, highestModseq, 0, 0);
    }

    /**
     * Records as the log holds them (length, CRC-32C, payload), gathered in a buffer of {@link Records#CHUNK} octets
     * that is written out whenever it fills: a change of 100,000 messages (3.7 MB of records) then needs no buffer
     * of its size, which G1 would allocate as a humongous object and may start a collection cycle for. A crash
     * between two chunks leaves what a crash inside one large write could: whole records up to a torn last one.
     */
    private static final class Records {
        static final int CHUNK = 64 * 1024;
        private final FileChannel channel;
        private final ByteBuffer buffer;
        private final CRC32C crc = new CRC32C();

        /** For about {@code expected} records: a one-message change (a delivery) gets a buffer of its size. */
        Records(FileChannel channel, long expected) {
            this.channel = channel;
            this.buffer = ByteBuffer.allocate((int) Math.min(CHUNK, Math.max(1, expected) * MAX_RECORD));
        }

        void put(byte type, long a, long b, int c, long d) throws IOException {
            if (buffer.remaining() < MAX_RECORD) {
                flush();
            }
            int start = buffer.position();
            buffer.position(start + 8);
            buffer.put(type).putLong(a).putLong(b);
            if (type == MESSAGE) {
                buffer.putInt(c).putLong(d);
            }
            int end = buffer.position();
            crc.reset();
            crc.update(buffer.array(), start + 8, end - start - 8);
            buffer.putInt(start, end - start - 8).putInt(start + 4, (int) crc.getValue());
        }

        void flush() throws IOException {
            buffer.flip();
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            buffer.clear();
        }
    }

    /** The records of one change are appended: forced before the change returns; the log compacted when long. */
    private void written(Records out, int count) throws IOException {
        out.flush();
        log.force(false);
        records += count;
        if (records > 2L * (modseqs.size() + expunged.size()) + compactAfter) {
            compact();
        }
    }

    private void load(boolean newFolder, long shown) throws IOException {
        long goodEnd = 0;
        boolean corrupt = false;
        boolean exists = Files.exists(file);
        boolean empty = true;
        if (exists) {
            // One pass: each record is checked and replayed in place (no list of records, one checksum object),
            // since a folder of 100,000 messages has at least as many records to replay at its first SELECT.
            byte[] bytes = Files.readAllBytes(file);
            ByteBuffer in = ByteBuffer.wrap(bytes);
            CRC32C crc = new CRC32C();
            while (in.remaining() >= 8) {
                int start = in.position();
                int len = in.getInt();
                int sum = in.getInt();
                if (len <= 0 || len > MAX_RECORD || len > in.remaining()) {
                    // Cut short at the very end: a crash during an append. Anything else is damage.
                    corrupt = len <= 0 || len > MAX_RECORD;
                    break;
                }
                crc.reset();
                crc.update(bytes, in.position(), len);
                if ((int) crc.getValue() != sum) {
                    // A torn last record; a bad one with more after it is damage.
                    corrupt = in.position() + len < bytes.length;
                    break;
                }
                int payload = in.position();
                in.position(payload + len);
                goodEnd = in.position();
                if (start == 0 && bytes[payload] != HEAD) {
                    corrupt = true;
                    break;
                }
                empty = false;
                corrupt |= !replay(ByteBuffer.wrap(bytes, payload, len));
            }
        }
        if (exists && !corrupt && !foreign && !empty && highestModseq < shown) {
            LOG.warnf("%s: ends at MODSEQ %d, below the %d the folder showed before; records were lost", file,
                    highestModseq, shown);
            corrupt = true;
        }
        long floor = Math.max(highestModseq, shown);
        if (!exists || corrupt || foreign || empty) {
            boolean fresh = !exists && newFolder;
            rebuilt = fresh ? null : !exists ? Rebuilt.MISSING : foreign ? Rebuilt.FOREIGN : Rebuilt.CORRUPT;
            if (!fresh) {
                LOG.warnf("%s: %s; rebuilding it from the Maildir", file, switch (rebuilt) {
                    case MISSING -> "missing";
                    case FOREIGN -> "written for another UIDVALIDITY";
                    default -> "damaged";
                });
            }
            modseqs.clear();
            hashes.clear();
            saved.clear();
            expunged.clear();
            // A new folder reports HIGHESTMODSEQ 1 while empty (RFC 7162 §3.1.2.1: 0 or NOMODSEQ would say it keeps
            // none) and gives its first change 2; a lost or damaged index starts above anything it can have shown.
            highestModseq = fresh ? 1 : Math.max(floor, System.currentTimeMillis() * 1000);
            expungeHistoryFrom = highestModseq;
            records = 0;
            compact();
            return;
        }
        log = FileChannel.open(file, StandardOpenOption.WRITE);
        if (goodEnd < log.size()) {
            log.truncate(goodEnd);
            log.force(false);
        }
        log.position(goodEnd);
        highestModseq = Math.max(1, highestModseq); // a folder indexed before it changed once (see above)
    }

    /** Applies one record read from the log; false when its type is unknown (damage). */
    private boolean replay(ByteBuffer r) {
        byte type = r.get();
        long a = r.getLong();
        long b = r.getLong();
        records++;
        switch (type) {
            case HEAD -> {
                foreign |= a != uidValidity;
                highestModseq = Math.max(highestModseq, b);
            }
            case MESSAGE -> {
                modseqs.put(a, b, 0);
                hashes.put(a, r.getInt(), 0);
                long savedAt = r.remaining() >= 8 ? r.getLong() : 0;
                if (savedAt > 0) {
                    saved.put(a, savedAt, 0); // a record without it (written before) keeps what was read earlier
                }
                expunged.remove(a);
                highestModseq = Math.max(highestModseq, b);
            }
            case EXPUNGE -> {
                modseqs.remove(a, 0);
                hashes.remove(a, 0);
                saved.remove(a, 0);
                rememberExpunge(a, b);
                highestModseq = Math.max(highestModseq, b);
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    /** Rewrites the log as a snapshot: one record per message and remembered expunge, replacing the file atomically. */
    void compact() throws IOException {
        Path tmp = file.resolveSibling(FILE + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            Records out = new Records(ch, modseqs.size() + expunged.size() + 1L);
            appendHead(out);
            try {
                modseqs.forEach((uid, modseq) -> {
                    try {
                        out.put(MESSAGE, uid, modseq, (int) hashes.get(uid, 0), saved.get(uid, 0));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            for (Map.Entry<Long, Long> e : expunged.entrySet()) {
                out.put(EXPUNGE, e.getKey(), e.getValue(), 0, 0);
            }
            out.flush();
            ch.force(true);
        }
        if (log != null) {
            log.close();
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Fsync.directory(file.getParent());
        log = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        records = modseqs.size() + expunged.size() + 1;
    }

    /** Removes the index file (the folder is being deleted). */
    static void delete(Path dir) throws IOException {
        try {
            Files.delete(dir.resolve(FILE));
        } catch (NoSuchFileException ignored) {
            // never written
        }
    }

    @Override
    public void close() {
        try {
            if (log != null) {
                log.close();
            }
        } catch (IOException ignored) {
            // read-only use from here on; nothing is lost, every change was forced when made
        }
    }
}
