package io.sealmail.store.maildir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collection;
import java.util.zip.CRC32C;

/**
 * A folder's cache of what clients ask about messages without wanting their bodies (for IMAP: a set of header
 * fields, ENVELOPE, BODYSTRUCTURE), in {@code sealmail-cache} beside the Maildir, as Dovecot's
 * {@code dovecot.index.cache}. The store does not interpret the entries: the protocol layer that fills them does.
 *
 * <p>Format: records {@code [int length][int CRC-32C][long uid][entry]} appended without {@code fsync}: the cache
 * is derived from the message files and may be lost at any time. Memory holds only where each UID's entry lies
 * (about 50 octets per message); entries are read from the file's memory mapping (the page cache, not the heap)
 * when asked for, and checked against their checksum, so a damaged entry is dropped and filled again, never served. A record cut short at the
 * end is cut off at open. Expunged entries become dead space; when it exceeds the live entries the file is
 * rewritten (temporary file, atomic rename).
 *
 * <p>Not thread-safe: the folder's lock guards it.
 */
final class MessageCache implements AutoCloseable {
    public static final String FILE = "sealmail-cache";
    /** An entry larger than this is not kept (a message with megabytes of header fields is read each time). */
    public static final int MAX_ENTRY = 256 * 1024;
    private static final int HEADER = 16;
    /** The key of the record holding the UIDVALIDITY (never a UID: those are positive). */
    private static final long VALIDITY = -1;

    private final Path file;
    private FileChannel channel;
    /** UID to where its record lies, {@link #at}: offset and entry length packed in one long. */
    private LongTable where = new LongTable();
    private long liveBytes;
    private long end;
    /** The file mapped read-only from 0 to {@link #mappedSize}; never truncated while mapped (see {@link #view}). */
    private MappedByteBuffer map;
    private long mappedSize;
    /** Octets appended past the mapping before it is made again. */
    private static final long REMAP_AFTER = 256 * 1024;

    private MessageCache(Path dir) {
        this.file = dir.resolve(FILE);
    }

    /**
     * Opens the cache of the Maildir {@code dir}, reading only the record headers. Its first record names the
     * UIDVALIDITY its UIDs belong to; a cache of another one (the UID list was lost and rebuilt) starts empty.
     */
    public static MessageCache open(Path dir, long uidValidity) throws IOException {
        MessageCache cache = new MessageCache(dir);
        cache.load();
        byte[] mark = ByteBuffer.allocate(8).putLong(uidValidity).array();
        if (!java.util.Arrays.equals(cache.get(VALIDITY), mark)) {
            cache.map = null; // nothing read through it is held: the VALIDITY check above only compared
            cache.mappedSize = 0;
            cache.channel.truncate(0);
            cache.where.clear();
            cache.liveBytes = 0;
            cache.end = 0;
            cache.put(VALIDITY, mark);
        }
        return cache;
    }

    private void load() throws IOException {
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        long size = channel.size();
        // The record headers are read through a temporary mapping (one per open, not one read call per record:
        // a folder of 100,000 messages would otherwise cost 100,000 system calls at its first use).
        MappedByteBuffer file = size > 0 && size <= Integer.MAX_VALUE ? channel.map(FileChannel.MapMode.READ_ONLY, 0, size) : null;
        ByteBuffer head = ByteBuffer.allocate(HEADER);
        // Where each record lies, in file order. Records appended as a folder is first read are in UID order, and
        // then the table takes these columns as they are (sorted, binary search until its first change) instead
        // of hashing 100,000 keys in a JVM that has compiled none of this yet.
        long[] uids = new long[1024];
        long[] ats = new long[1024];
        int count = 0;
        boolean ascending = true;
        long pos = 0;
        while (pos + HEADER <= size) {
            int len;
            long uid;
            if (file != null) {
                len = file.getInt((int) pos);
                uid = file.getLong((int) pos + 8);
            } else {
                head.clear();
                if (channel.read(head, pos) < HEADER) {
                    break;
                }
                len = head.getInt(0);
                uid = head.getLong(8);
            }
            if (len < 0 || len > MAX_ENTRY || pos + HEADER + len > size) {
                break; // cut short by a crash, or garbage: everything from here is dropped
            }
            if (count == uids.length) {
                uids = Arrays.copyOf(uids, count * 2);
                ats = Arrays.copyOf(ats, count * 2);
            }
            ascending &= count == 0 || uid > uids[count - 1];
            uids[count] = uid;
            ats[count++] = at(pos, len);
            pos += HEADER + len;
        }
        where = new LongTable();
        liveBytes = 0;
        if (ascending) {
            where.restoreSorted(Arrays.copyOf(uids, count), Arrays.copyOf(ats, count));
            for (int i = 0; i < count; i++) {
                liveBytes += length(ats[i]);
            }
        } else {
            for (int i = 0; i < count; i++) {
                long previous = where.put(uids[i], ats[i], -1); // a later record of a UID replaces the earlier one
                if (previous >= 0) {
                    liveBytes -= length(previous);
                }
                liveBytes += length(ats[i]);
            }
        }
        if (pos < size) {
            file = null; // never truncate under a mapping still in use (the loop above was its only use)
            channel.truncate(pos);
        }
        end = pos;
    }

    /** Whether an entry for this UID is (probably) there; {@link #get} still checks it. */
    public boolean contains(long uid) {
        return where.containsKey(uid);
    }

    /** The entry of a UID, or null when there is none or it was damaged (a copy; {@link #view} avoids it). */
    public byte[] get(long uid) throws IOException {
        ByteBuffer view = view(uid);
        if (view == null) {
            return null;
        }
        byte[] entry = new byte[view.remaining()];
        view.get(entry);
        return entry;
    }

    /**
     * The entry of a UID as a read-only view, or null when there is none or it was damaged. The view is of the
     * file's memory mapping (the page cache: no read call, no copy, no heap), and stays valid after the cache
     * changes: records are never rewritten in place, and a compaction writes a new file, leaving the mapped one
     * to the views still held (the kernel frees it when the last mapping goes).
     */
    public ByteBuffer view(long uid) throws IOException {
        long at = where.get(uid, -1);
        if (at < 0) {
            return null;
        }
        int len = length(at);
        ByteBuffer record = mapped(offset(at), HEADER + len);
        if (record == null) {
            record = ByteBuffer.allocate(HEADER + len);
            while (record.hasRemaining()) {
                if (channel.read(record, offset(at) + record.position()) < 0) {
                    break;
                }
            }
            record.flip();
        }
        if (record.remaining() == HEADER + len && record.getLong(8) == uid) {
            CRC32C crc = new CRC32C();
            crc.update(record.duplicate().position(8));
            if ((int) crc.getValue() == record.getInt(4)) {
                return record.position(HEADER).slice().asReadOnlyBuffer();
            }
        }
        where.remove(uid, -1);
        liveBytes -= len;
        return null;
    }

    /**
     * The record at {@code [pos, pos + len)} from the mapping, or null when it lies past it and the unmapped tail
     * is still small (read with a positional read instead). Mapping again only once the tail has grown by
     * {@link #REMAP_AFTER} keeps the number of mappings small while a folder keeps receiving mail.
     */
    private ByteBuffer mapped(long pos, int len) throws IOException {
        if (pos + len > mappedSize) {
            if (end - mappedSize < REMAP_AFTER || end > Integer.MAX_VALUE) {
                return null;
            }
            map = channel.map(FileChannel.MapMode.READ_ONLY, 0, end);
            mappedSize = end;
        }
        return map.slice((int) pos, len);
    }

    /** Keeps an entry (replacing any earlier one); too large an entry is not kept. */
    public void put(long uid, byte[] entry) throws IOException {
        put(uid, ByteBuffer.wrap(entry));
    }

    /** Keeps the remaining octets of {@code entry} (the buffer's position is left as it was). */
    public void put(long uid, ByteBuffer entry) throws IOException {
        int length = entry.remaining();
        if (length > MAX_ENTRY) {
            return;
        }
        ByteBuffer buf = ByteBuffer.allocate(HEADER + length);
        buf.putInt(length).putInt(0).putLong(uid).put(entry.duplicate());
        CRC32C crc = new CRC32C();
        crc.update(buf.array(), 8, buf.capacity() - 8);
        buf.putInt(4, (int) crc.getValue());
        buf.flip();
        long at = end;
        while (buf.hasRemaining()) {
            channel.write(buf, at + buf.position());
        }
        end = at + HEADER + length;
        long previous = where.put(uid, at(at, length), -1);
        if (previous >= 0) {
            liveBytes -= length(previous);
        }
        liveBytes += length;
    }

    /** Forgets the entries of expunged messages; compacts when more than half of the file is dead. */
    public void remove(Collection<Long> uids) throws IOException {
        for (Long uid : uids) {
            long at = where.remove(uid, -1);
            if (at >= 0) {
                liveBytes -= length(at);
            }
        }
        long dead = end - liveBytes - (long) where.size() * HEADER;
        if (dead > 1 << 20 && dead > liveBytes) {
            compact();
        }
    }

    /** Rewrites the live entries into a new file that replaces this one atomically. */
    void compact() throws IOException {
        Path tmp = file.resolveSibling(FILE + ".tmp");
        LongTable moved = new LongTable();
        long[] pos = {0};
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            IOException[] failed = {null};
            where.forEach((uid, at) -> {
                long len = HEADER + length(at);
                long copied = 0;
                try {
                    while (copied < len && failed[0] == null) {
                        long n = channel.transferTo(offset(at) + copied, len - copied, out);
                        if (n <= 0) {
                            break;
                        }
                        copied += n;
                    }
                } catch (IOException e) {
                    failed[0] = e;
                }
                moved.put(uid, at(pos[0], length(at)), -1);
                pos[0] += len;
            });
            if (failed[0] != null) {
                throw failed[0];
            }
        }
        channel.close();
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        map = null;
        mappedSize = 0;
        where = moved;
        end = pos[0];
    }

    /** Offset in the file (40 bits) and entry length (24 bits, over {@link #MAX_ENTRY}) in one long. */
    private static long at(long offset, int length) {
        return offset << 24 | length;
    }

    private static long offset(long at) {
        return at >>> 24;
    }

    private static int length(long at) {
        return (int) (at & 0xFFFFFF);
    }

    /** Messages with an entry. */
    public int size() {
        return Math.max(0, where.size() - 1);
    }

    static void delete(Path dir) throws IOException {
        try {
            Files.delete(dir.resolve(FILE));
        } catch (NoSuchFileException ignored) {
            // never written
        }
    }

    /**
     * Whether the file is now shorter than what this cache wrote (one {@code fstat}): another program cut it, and a
     * read through the mapping past its new end would fault (the JVM reports that later, as an InternalError).
     */
    boolean cutShorter() {
        try {
            return channel.size() < end;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing of the cache is ever needed
        }
    }
}
