package io.sealmail.engine.imap;

import org.jboss.logging.Logger;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;

/**
 * Runs one session's commands one after another on a shared pool, so slow work (disk) never blocks an event loop
 * and an idle session holds no thread. A command that waits for something asynchronous (a password hash on the
 * auth pool, a failed login's scheduled delay) {@linkplain #hold() holds} the session instead of its thread: the
 * thread goes back to the pool, later commands stay queued, and {@link Hold#resume} continues with the answer.
 * Tests pass {@code Runnable::run} to stay synchronous.
 */
public final class SessionExecutor {
    private static final Logger LOG = Logger.getLogger(SessionExecutor.class);
    private final Executor pool;
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    /** A drain is scheduled or active, or the session is held: new tasks only queue. */
    private boolean running;
    /** A thread is inside {@link #drain()} (or about to be). */
    private boolean draining;
    private boolean held;

    public SessionExecutor(Executor pool) {
        this.pool = pool;
    }

    /** Continues a held session. */
    public final class Hold {
        private boolean resumed;

        private Hold() {
        }

        /** Runs {@code next} before anything queued meanwhile, then the queue; may be called from any thread. */
        public void resume(Runnable next) {
            boolean start;
            synchronized (SessionExecutor.this) {
                if (resumed) {
                    throw new IllegalStateException("resumed twice");
                }
                resumed = true;
                queue.addFirst(next);
                held = false;
                start = !draining;
                draining = true;
            }
            if (start) {
                pool.execute(SessionExecutor.this::drain);
            }
        }
    }

    public void submit(Runnable task) {
        synchronized (this) {
            queue.add(task);
            if (running) {
                return;
            }
            running = true;
            draining = true;
        }
        pool.execute(this::drain);
    }

    /**
     * Called by the running task: once it returns, nothing more of this session runs until {@link Hold#resume}.
     * Call it before starting the asynchronous work whose completion resumes.
     */
    public synchronized Hold hold() {
        held = true;
        return new Hold();
    }

    /** True while a task holds the session (its input should stay paused). */
    public synchronized boolean held() {
        return held;
    }

    /** Commands waiting, the one running (or holding) included. */
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
                if (held) {
                    draining = false;
                    return;
                }
                next = queue.poll();
                if (next == null) {
                    running = false;
                    draining = false;
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
