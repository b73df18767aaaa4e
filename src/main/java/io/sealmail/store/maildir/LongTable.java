package io.sealmail.store.maildir;

import java.util.Arrays;

/**
 * A map from long keys (UIDs) to long values without an object per entry: two arrays, open addressing with
 * linear probing, at most half full, so about 32 octets per entry where a {@code HashMap<Long, long[]>} takes
 * about 100 and a cache miss per lookup. What a folder of 100,000 messages holds per message matters.
 * {@link Long#MIN_VALUE} cannot be a key. Not thread-safe.
 */
final class LongTable {
    private static final long FREE = Long.MIN_VALUE;

    private long[] keys;
    private long[] values;
    private int size;

    LongTable() {
        allocate(16);
    }

    /** A table for about {@code expected} entries without growing on the way (a folder restored from its snapshot). */
    LongTable(int expected) {
        allocate(Math.max(16, Integer.highestOneBit(Math.max(1, expected) * 2 + 1) << 1));
    }

    private void allocate(int capacity) {
        keys = new long[capacity];
        values = new long[capacity];
        Arrays.fill(keys, FREE);
        size = 0;
    }

    private int slot(long key) {
        return (int) ((key * 0x9E3779B97F4A7C15L) >>> (64 - Integer.numberOfTrailingZeros(keys.length)));
    }

    private int find(long key) {
        int mask = keys.length - 1;
        for (int i = slot(key); ; i = (i + 1) & mask) {
            if (keys[i] == key || keys[i] == FREE) {
                return i;
            }
        }
    }

    int size() {
        return size;
    }

    boolean containsKey(long key) {
        return keys[find(key)] == key;
    }

    /** The value of {@code key}, or {@code missing}. */
    long get(long key, long missing) {
        int i = find(key);
        return keys[i] == key ? values[i] : missing;
    }

    /** Sets the value of {@code key}; returns the one it replaces, or {@code missing}. */
    long put(long key, long value, long missing) {
        if (key == FREE) {
            throw new IllegalArgumentException("key " + key);
        }
        int i = find(key);
        if (keys[i] == key) {
            long previous = values[i];
            values[i] = value;
            return previous;
        }
        keys[i] = key;
        values[i] = value;
        if (++size * 2 > keys.length) {
            grow();
        }
        return missing;
    }

    /** Removes {@code key}; returns its value, or {@code missing}. */
    long remove(long key, long missing) {
        int i = find(key);
        if (keys[i] != key) {
            return missing;
        }
        long previous = values[i];
        // Backward-shift deletion: move later entries of the probe run into the hole, so no tombstones pile up.
        int mask = keys.length - 1;
        int hole = i;
        for (int j = (i + 1) & mask; keys[j] != FREE; j = (j + 1) & mask) {
            int home = slot(keys[j]);
            if (((j - home) & mask) >= ((j - hole) & mask)) {
                keys[hole] = keys[j];
                values[hole] = values[j];
                hole = j;
            }
        }
        keys[hole] = FREE;
        size--;
        return previous;
    }

    void clear() {
        allocate(16);
    }

    interface Visitor {
        void visit(long key, long value);
    }

    void forEach(Visitor visitor) {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != FREE) {
                visitor.visit(keys[i], values[i]);
            }
        }
    }

    private void grow() {
        long[] oldKeys = keys;
        long[] oldValues = values;
        allocate(oldKeys.length * 2);
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != FREE) {
                put(oldKeys[i], oldValues[i], 0);
            }
        }
    }
}
