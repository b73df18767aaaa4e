package io.sealmail.engine.imap;

import org.jboss.logging.Logger;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;

/**
 * Runs one session's commands one after another on a shared pool, so slow work (password hashing, disk) never
 * blocks an event loop and an idle session holds no thread. Tests pass {@code Runnable::run} to stay synchronous.
 */
public final class SessionExecutor {
    private static final Logger LOG = Logger.getLogger(SessionExecutor.class);
    private final Executor pool;
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    private boolean running;

    public SessionExecutor(Executor pool) {
        this.pool = pool;
    }

    public void submit(Runnable task) {
        synchronized (this) {
            queue.add(task);
            if (running) {
                return;
            }
            running = true;
        }
        pool.execute(this::drain);
    }

    /** Commands waiting, the one running included. */
    public synchronized int pending() {
        return queue.size() + (running ? 1 : 0);
    }

    /** Drops everything not yet started (STARTTLS: plaintext pipelined after it is never executed). */
    public synchronized void clearPending() {
        queue.clear();
    }

    private void drain() {
        while (true) {
            Runnable next;
            synchronized (this) {
                next = queue.poll();
                if (next == null) {
                    running = false;
                    return;
                }
            }
            try {
                next.run();
            } catch (RuntimeException | Error e) {
                // The session answers its own failures; this is the last guard, so one broken task can never leave
                // "running" set and the session's later commands unanswered.
                LOG.errorf("Mail-access task failed: %s", e.toString());
            }
        }
    }
}
