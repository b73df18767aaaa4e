package io.sealmail.store.maildir;

import org.jboss.logging.Logger;

import java.util.Collection;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Keeps the folders' snapshot files ({@link FolderSnapshot}) current: every {@link #EVERY_SECONDS} seconds on its own
 * thread for the folders whose state moved on (and whose {@code cur/} has been quiet long enough to anchor one), and
 * once more when the engine stops. A snapshot is worth its listing and its write only for large folders: a folder
 * under {@code minMessages} is listed at its first SELECT faster than that matters, and gets none.
 *
 * <p>At stop, a folder of {@link #WAIT_MESSAGES} or more whose {@code cur/} changed less than
 * {@link FolderSnapshot#QUIET_MILLIS} ago is waited for (once for all such folders, at most that long): otherwise its
 * next first SELECT would list it whole, and a rolling restart right after a burst of mail is the common case.
 */
final class SnapshotWriter implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SnapshotWriter.class);
    static final long EVERY_SECONDS = 30;
    /** Folders smaller than this get no snapshot unless configured otherwise. */
    static final int MIN_MESSAGES = 1000;
    static final int WAIT_MESSAGES = 10_000;

    private final Supplier<Collection<MaildirFolder>> folders;
    private final int minMessages;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sealmail-maildir-snapshot");
        t.setDaemon(true);
        return t;
    });

    SnapshotWriter(Supplier<Collection<MaildirFolder>> folders, int minMessages) {
        this.folders = folders;
        this.minMessages = minMessages;
        thread.scheduleWithFixedDelay(this::writeBehind, EVERY_SECONDS, EVERY_SECONDS, TimeUnit.SECONDS);
    }

    /** Writes the snapshot of every large enough folder whose state moved on since its last one. */
    void writeBehind() {
        for (MaildirFolder f : folders.get()) {
            if (f.snapshotBehind() && f.size() >= minMessages) {
                try {
                    f.writeSnapshot();
                } catch (Exception e) {
                    // Only time is lost: the folder is listed at its next first SELECT.
                    LOG.debugf("snapshot of %s not written: %s", f.dir(), e.toString());
                }
            }
        }
    }

    @Override
    public void close() {
        thread.shutdown();
        try {
            thread.awaitTermination(10, TimeUnit.SECONDS);
            long waitUntil = 0;
            for (MaildirFolder f : folders.get()) {
                if (f.snapshotBehind() && f.size() >= Math.max(minMessages, WAIT_MESSAGES)) {
                    waitUntil = Math.max(waitUntil, f.curChangedAt() + FolderSnapshot.QUIET_MILLIS + 10);
                }
            }
            long now = System.currentTimeMillis();
            long wait = Math.min(waitUntil - now, FolderSnapshot.QUIET_MILLIS + 10);
            if (wait > 0) {
                // The engine's stop, not a thread that sessions share.
                Thread.sleep(wait);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.debugf("waiting for quiet folders: %s", e.toString());
        }
        writeBehind();
    }
}
