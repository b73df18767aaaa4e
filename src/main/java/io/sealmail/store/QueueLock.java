package io.sealmail.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * {@code <dataDir>/queue/engine.lock}: an fcntl lock held by the process that has the outbound queue open. Two
 * engines on one data directory would deliver every message twice, so the second one refuses to start; and
 * {@code sealmail queue retry|delete} uses it to tell whether an engine is running (then it asks the engine through
 * {@link QueueRequests}) or not (then it changes the files itself, holding the lock). The kernel drops the lock
 * when the process dies, SIGKILL included.
 */
public final class QueueLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private QueueLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock or fails: another engine (or a queue command) has this queue open. */
    static QueueLock acquire(Path queueRoot) throws IOException {
        return tryAcquire(queueRoot).orElseThrow(() -> new Held(queueRoot.resolve("engine.lock")
                + " is held by another process: another engine (or a queue command) uses this data directory"));
    }

    /** The queue is open in another process (or elsewhere in this one). */
    public static final class Held extends IOException {
        Held(String message) {
            super(message);
        }
    }

    /** The lock when nobody holds it, else empty (an engine is running). */
    public static java.util.Optional<QueueLock> tryAcquire(Path queueRoot) throws IOException {
        java.nio.file.Files.createDirectories(queueRoot);
        FileChannel channel = FileChannel.open(queueRoot.resolve("engine.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        try {
            FileLock lock = channel.tryLock();
            if (lock != null) {
                return java.util.Optional.of(new QueueLock(channel, lock));
            }
        } catch (OverlappingFileLockException sameProcess) {
            // this JVM holds it already (an engine in the same process, as in tests)
        }
        channel.close();
        return java.util.Optional.empty();
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // closing the channel releases it anyway
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
