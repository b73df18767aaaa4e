package io.sealmail.engine.delivery;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Sessions whose destination run ran out of work, kept open a short while for the next message to the same
 * destination (Postfix's connection cache, {@code smtp_connection_cache_time_limit = 2s}): a trickle of messages
 * pays one TCP and TLS handshake, not one per message. Callers hold the runner's lock; closing (QUIT) happens on
 * the delivery pool, never on the scheduler.
 */
final class IdleSessions {
    /** Postfix's default: long enough for the next message of a burst, short enough to hold no remote's slot. */
    static final Duration IDLE_TIME = Duration.ofSeconds(2);

    private record Idle(RemoteSession session, ScheduledFuture<?> expiry) {
    }

    private final Map<String, Deque<Idle>> byDestination = new HashMap<>();
    private final Deque<String> order = new ArrayDeque<>();
    private final ScheduledExecutorService timer;
    private final Executor closer;
    private final Consumer<RemoteSession> close;
    private final Object lock;
    private int size;
    private Duration idleTime = IDLE_TIME;

    /**
     * @param lock   the runner's lock, which every caller holds (expiry takes it too)
     * @param close  says QUIT and forgets the connection; run on {@code closer}
     */
    IdleSessions(Object lock, ScheduledExecutorService timer, Executor closer, Consumer<RemoteSession> close) {
        this.lock = lock;
        this.timer = timer;
        this.closer = closer;
        this.close = close;
    }

    /** Tests only: a time that no slow machine outlasts, or a short one to see expiry. */
    void idleTime(Duration time) {
        idleTime = time;
    }

    int size() {
        return size;
    }

    boolean has(String destination) {
        Deque<Idle> d = byDestination.get(destination);
        return d != null && !d.isEmpty();
    }

    /** Keeps a usable session for {@link #IDLE_TIME}; the newest is taken first. */
    void park(String destination, RemoteSession session) {
        ScheduledFuture<?> expiry = timer.schedule(() -> expire(destination, session), idleTime.toMillis(),
                TimeUnit.MILLISECONDS);
        byDestination.computeIfAbsent(destination, k -> new ArrayDeque<>()).push(new Idle(session, expiry));
        order.addLast(destination);
        size++;
    }

    /** A parked session for the destination, or null. */
    RemoteSession take(String destination) {
        Deque<Idle> d = byDestination.get(destination);
        Idle idle = d == null ? null : d.poll();
        if (idle == null) {
            return null;
        }
        forget(destination, d);
        idle.expiry().cancel(false);
        return idle.session();
    }

    /** Closes the session parked longest (of any destination) to make room for a new connection; false if none. */
    boolean evictOldest() {
        String destination = order.peekFirst();
        Deque<Idle> d = destination == null ? null : byDestination.get(destination);
        if (d == null || d.isEmpty()) {
            return false;
        }
        Idle oldest = d.pollLast();
        forget(destination, d);
        oldest.expiry().cancel(false);
        closer.execute(() -> close.accept(oldest.session()));
        return true;
    }

    /** Every parked session, for shutdown (the caller closes them). */
    java.util.List<RemoteSession> drain() {
        java.util.List<RemoteSession> all = new java.util.ArrayList<>();
        byDestination.values().forEach(d -> d.forEach(i -> {
            i.expiry().cancel(false);
            all.add(i.session());
        }));
        byDestination.clear();
        order.clear();
        size = 0;
        return all;
    }

    private void expire(String destination, RemoteSession session) {
        synchronized (lock) {
            Deque<Idle> d = byDestination.get(destination);
            if (d == null || !d.removeIf(i -> i.session() == session)) {
                return; // taken meanwhile
            }
            forget(destination, d);
        }
        closer.execute(() -> close.accept(session));
    }

    private void forget(String destination, Deque<Idle> d) {
        size--;
        order.removeFirstOccurrence(destination);
        if (d.isEmpty()) {
            byDestination.remove(destination);
        }
    }
}
