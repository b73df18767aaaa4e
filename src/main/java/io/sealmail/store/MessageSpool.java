package io.sealmail.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A message being received. Small messages stay in memory: creating and deleting a spool file per message costs
 * more than writing the message (ext4 inode allocation scans recently freed inodes), and the durable copy is
 * written from memory. A message spills to a file under {@code <dataDir>/spool} as soon as it grows past the
 * per-message threshold or the engine-wide memory budget is used up, so memory stays bounded whatever the
 * number of sessions and the message size. The spool is never fsynced: it only feeds the durable copies.
 */
final class MessageSpool implements Spool {
    private static final int INITIAL_CAPACITY = 16 * 1024;

    private final Path file;
    private final int memoryLimit;
    private final AtomicLong budget;
    private byte[] memory = new byte[0];
    private long reserved;
    private FileChannel channel;
    private long size;
    private boolean closed;

    /**
     * @param file        where the message spills to, on the same filesystem as the mailboxes
     * @param memoryLimit octets a message may keep in memory
     * @param budget      octets of memory all spools may still take; shared, decremented on reservation
     */
    MessageSpool(Path file, int memoryLimit, AtomicLong budget) {
        this.file = file;
        this.memoryLimit = memoryLimit;
        this.budget = budget;
    }

    @Override
    public void write(ByteBuffer bytes) throws IOException {
        if (closed) {
            throw new IOException("spool is closed");
        }
        int n = bytes.remaining();
        if (channel == null && size + n <= memoryLimit && ensureCapacity((int) size + n)) {
            bytes.get(memory, (int) size, n);
            size += n;
            return;
        }
        if (channel == null) {
            spill();
        }
        while (bytes.hasRemaining()) {
            size += channel.write(bytes);
        }
    }

    /** Grows the buffer (doubling, up to the limit) if the budget allows; false means spill instead. */
    private boolean ensureCapacity(int needed) {
        if (needed <= memory.length) {
            return true;
        }
        int capacity = Math.max(INITIAL_CAPACITY, memory.length);
        while (capacity < needed) {
            capacity *= 2;
        }
        capacity = Math.min(capacity, memoryLimit);
        long more = capacity - memory.length;
        long left = budget.addAndGet(-more);
        if (left < 0) {
            budget.addAndGet(more);
            return false;
        }
        reserved += more;
        memory = Arrays.copyOf(memory, capacity);
        return true;
    }

    private void spill() throws IOException {
        channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
        ByteBuffer held = ByteBuffer.wrap(memory, 0, (int) size);
        while (held.hasRemaining()) {
            channel.write(held);
        }
        releaseMemory();
    }

    private void releaseMemory() {
        memory = new byte[0];
        budget.addAndGet(reserved);
        reserved = 0;
    }

    @Override
    public long size() {
        return size;
    }

    /** Safe to call from several threads at once once writing is finished (positional reads only). */
    @Override
    public void copyTo(WritableByteChannel out) throws IOException {
        if (channel == null) {
            ByteBuffer b = ByteBuffer.wrap(memory, 0, (int) size);
            while (b.hasRemaining()) {
                out.write(b);
            }
            return;
        }
        long pos = 0;
        while (pos < size) {
            long n = channel.transferTo(pos, size - pos, out);
            if (n <= 0) {
                throw new IOException("spool " + file + " ended at " + pos + " of " + size + " octets");
            }
            pos += n;
        }
    }

    /** True when the message spilled to a file (for tests). */
    boolean onDisk() {
        return channel != null;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        releaseMemory();
        if (channel != null) {
            try {
                channel.close();
                Files.deleteIfExists(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
