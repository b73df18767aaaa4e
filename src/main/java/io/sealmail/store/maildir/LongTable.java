package io.sealmail.store.maildir;

import java.util.Arrays;

/**
 * A map from long keys (UIDs) to long values without an object per entry: two arrays, open addressing with
 * linear probing, at most half full, so about 32 octets per entry where a {@code HashMap<Long, long[]>} takes
 * about 100 and a cache miss per lookup. What a folder of 100,000 messages holds per message matters.
 * {@link Long#MIN_VALUE} cannot be a key. Not thread-safe.
 *
 * <p>A table restored in bulk ({@link #restoreSorted}: a folder's snapshot, 100,000 messages at the first SELECT after
 * a start) keeps the given arrays, keys in ascending order, and answers by binary search: the first SELECT makes
 * nothing per message, in a JVM that has compiled none of it yet. It stays sorted through what a folder's common
 * changes do to it, a new value for a key it has (a flag change: the values are copied once, at the first) and a key
 * above all others (a new message's UID: appended); only another key or a removal (an expunge) hashes it. So a
 * restored folder's first STORE of 100,000 messages does not build three 262,144-slot tables (4 MB each, which the
 * collector handles as humongous objects) in the middle of the command.
 */
final class LongTable {
    private static final long FREE = Long.MIN_VALUE;

    private long[] keys;
    private long[] values;
    private int size;
    /** Keys in ascending order and their values, the first {@code size} of each; null once the table is hashed. */
    private long[] sortedKeys;
    private long[] sortedValues;
    /** Whether the sorted arrays are this table's own (those given to {@link #restoreSorted} are shared). */
    private boolean sortedKeysOwned;
    private boolean sortedValuesOwned;

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

    /**
     * Replaces the content with {@code keys} (ascending, no duplicates) and their {@code values}. The arrays are kept,
     * not copied: the caller must not change them.
     */
    void restoreSorted(long[] keys, long[] values) {
        if (keys.length != values.length) {
            throw new IllegalArgumentException(keys.length + " keys, " + values.length + " values");
        }
        this.keys = null;
        this.values = null;
        this.size = keys.length;
        this.sortedKeys = keys;
        this.sortedValues = values;
        this.sortedKeysOwned = false;
        this.sortedValuesOwned = false;
    }

    /** The position of {@code key} among the sorted keys, or a negative number as {@link Arrays#binarySearch}. */
    private int sortedIndex(long key) {
        return Arrays.binarySearch(sortedKeys, 0, size, key);
    }

    /** A key above all others, appended to the sorted form (the arrays given to {@link #restoreSorted} are copied). */
    private void appendSorted(long key, long value) {
        if (!sortedKeysOwned || size == sortedKeys.length) {
            sortedKeys = Arrays.copyOf(sortedKeys, Math.max(16, size + (size >> 1)));
            sortedKeysOwned = true;
        }
        if (!sortedValuesOwned || sortedValues.length < sortedKeys.length) {
            sortedValues = Arrays.copyOf(sortedValues, sortedKeys.length);
            sortedValuesOwned = true;
        }
        sortedKeys[size] = key;
        sortedValues[size] = value;
        size++;
    }

    /** Brings a sorted table into the hashed form, before a change the sorted form cannot take. */
    private void hashed() {
        if (sortedKeys == null) {
            return;
        }
        long[] k = sortedKeys;
        long[] v = sortedValues;
        int n = size;
        sortedKeys = null;
        sortedValues = null;
        allocate(Math.max(16, Integer.highestOneBit(Math.max(1, n) * 2 + 1) << 1));
        for (int i = 0; i < n; i++) {
            put(k[i], v[i], 0);
        }
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

    /** Still in the sorted form (for tests: the changes a folder mostly makes keep it so). */
    boolean isSorted() {
        return sortedKeys != null;
    }

    boolean containsKey(long key) {
        if (sortedKeys != null) {
            return sortedIndex(key) >= 0;
        }
        return keys[find(key)] == key;
    }

    /** The value of {@code key}, or {@code missing}. */
    long get(long key, long missing) {
        if (sortedKeys != null) {
            int at = sortedIndex(key);
            return at >= 0 ? sortedValues[at] : missing;
        }
        int i = find(key);
        return keys[i] == key ? values[i] : missing;
    }

    /** Sets the value of {@code key}; returns the one it replaces, or {@code missing}. */
    long put(long key, long value, long missing) {
        if (key == FREE) {
            throw new IllegalArgumentException("key " + key);
        }
        if (sortedKeys != null) {
            // Kept sorted for a key it has (its value is replaced) and for one above all others (appended).
            int at = sortedIndex(key);
            if (at >= 0) {
                if (!sortedValuesOwned) {
                    sortedValues = Arrays.copyOf(sortedValues, sortedValues.length);
                    sortedValuesOwned = true;
                }
                long previous = sortedValues[at];
                sortedValues[at] = value;
                return previous;
            }
            if (size == 0 || key > sortedKeys[size - 1]) {
                appendSorted(key, value);
                return missing;
            }
        }
        hashed();
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
        hashed();
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
        sortedKeys = null;
        sortedValues = null;
        allocate(16);
    }

    interface Visitor {
        void visit(long key, long value);
    }

    void forEach(Visitor visitor) {
        if (sortedKeys != null) {
            for (int i = 0; i < size; i++) {
                visitor.visit(sortedKeys[i], sortedValues[i]);
            }
            return;
        }
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
