package io.sealmail.store.maildir;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Renames message files to their new system flags after the STORE that changed them was acknowledged, on a thread of
 * its own: a {@code STORE 1:* +FLAGS (\Seen)} on 100,000 messages answers once its intent and MODSEQ records are
 * durable (two forced appends), not after 100,000 {@code rename}s, which cost a Maildir server about a second of
 * kernel time whoever does them. The change is safe from that moment on: its intent line is finished at the next
 * listing if the process dies first ({@link FlagIntent}). Flags set and unset again before the renamer reached a
 * message cost no rename at all.
 *
 * <p>Works in turns of {@link #TURN} renames under the folder's lock, the folders taking turns, so a session's command
 * on a folder being renamed waits for at most one turn. {@link #inline} renames in the thread of the STORE, before it
 * returns (tests that stop a change between its writes).
 */
final class FlagRenamer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(FlagRenamer.class);
    /** Renames per turn: about 5 ms of kernel time on ext4. */
    static final int TURN = 500;

    private final ExecutorService thread;
    private final Set<MaildirFolder> queued = ConcurrentHashMap.newKeySet();

    /** @param thread where the turns run (tests hold them back); null renames in the thread of the STORE */
    FlagRenamer(ExecutorService thread) {
        this.thread = thread;
    }

    static FlagRenamer background() {
        return new FlagRenamer(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "sealmail-maildir-rename");
            t.setDaemon(true);
            return t;
        }));
    }

    static FlagRenamer inline() {
        return new FlagRenamer(null);
    }

    /** The folder has renames to make or intents to finish: from a STORE (under the folder's lock) or after a turn. */
    void schedule(MaildirFolder folder) throws IOException {
        if (thread == null) {
            folder.settle();
            return;
        }
        if (queued.add(folder)) {
            try {
                thread.execute(() -> turn(folder));
            } catch (RejectedExecutionException stopping) {
                queued.remove(folder); // the engine stops: close() settles every folder
            }
        }
    }

    private void turn(MaildirFolder folder) {
        queued.remove(folder); // before the turn: a change during it queues the folder again
        try {
            if (folder.renameSome(TURN)) {
                schedule(folder);
            }
        } catch (Exception e) {
            // Nothing acknowledged is lost: the folder lists cur/ again at its next use and finishes its intents.
            LOG.warnf("%s: renaming files to their flags: %s; finished at the folder's next listing", folder.dir(),
                    e.toString());
        }
    }

    /** Stops the thread; the caller then settles every folder (what is left is renamed in its thread). */
    @Override
    public void close() {
        if (thread == null) {
            return;
        }
        thread.shutdown();
        try {
            thread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
