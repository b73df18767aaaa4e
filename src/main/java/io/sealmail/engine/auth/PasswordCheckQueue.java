package io.sealmail.engine.auth;

import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The queue of the password-hashing pool. A check for a client address that has not failed recently runs before
 * any check for one that has (a flood's wrong passwords), in arrival order within each lane; and checks of failing
 * addresses may fill only {@code suspectCapacity} of the {@code capacity} places. So a flood never leaves a
 * bystander's login that needs a real Argon2id check (a cache miss: the first login of the hour) queued behind the
 * flood's hashes, nor refused as busy because the flood filled the queue. Attackers wait their turn, or are told
 * to come back later (BUSY), as before.
 */
public final class PasswordCheckQueue extends PriorityBlockingQueue<Runnable> {

    /** One password check; {@code suspect} when its client address has failed within the throttle window. */
    public record Check(boolean suspect, Runnable work) implements Runnable {
        @Override
        public void run() {
            work.run();
        }
    }

    /** An entry in the queue: clean before suspect, then first come first served. */
    private record Entry(boolean suspect, long sequence, Runnable task) implements Runnable, Comparable<Entry> {
        @Override
        public void run() {
            task.run();
        }

        @Override
        public int compareTo(Entry o) {
            return suspect != o.suspect ? (suspect ? 1 : -1) : Long.compare(sequence, o.sequence);
        }
    }

    private final int capacity;
    private final int suspectCapacity;
    private final AtomicLong sequence = new AtomicLong();

    /**
     * @param capacity        checks waiting at most
     * @param suspectCapacity of those, checks for failing addresses at most (less than {@code capacity})
     */
    public PasswordCheckQueue(int capacity, int suspectCapacity) {
        if (capacity < 1 || suspectCapacity < 1 || suspectCapacity >= capacity) {
            throw new IllegalArgumentException("need 0 < suspectCapacity < capacity");
        }
        this.capacity = capacity;
        this.suspectCapacity = suspectCapacity;
    }

    /** Queues the check, or returns false when its lane is full (the pool then rejects it: BUSY). */
    @Override
    public synchronized boolean offer(Runnable task) {
        boolean suspect = task instanceof Check c && c.suspect();
        // Counted while holding this object's lock, so concurrent offers cannot overshoot (takes only shrink it).
        if (size() >= capacity || (suspect && suspects() >= suspectCapacity)) {
            return false;
        }
        return super.offer(new Entry(suspect, sequence.incrementAndGet(), task));
    }

    /** Suspect checks waiting (at most {@code capacity}, so counting them costs nothing next to one hash). */
    int suspects() {
        int n = 0;
        for (Object e : toArray()) {
            n += ((Entry) e).suspect() ? 1 : 0;
        }
        return n;
    }

    @Override
    public int remainingCapacity() {
        return Math.max(0, capacity - size());
    }
}
