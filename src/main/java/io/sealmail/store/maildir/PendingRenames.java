package io.sealmail.store.maildir;

import java.util.Arrays;

/**
 * The UIDs of a folder whose file names may not yet carry their flags: a set kept as one sorted array, so a
 * {@code STORE 1:*} of 100,000 messages adds its UIDs in one merge, and a UID changed twice before its file was renamed
 * is renamed once. Bounded by the folder's size. Not thread-safe: the folder's lock guards it.
 */
final class PendingRenames {
    private long[] uids = new long[0];
    private int size;
    /** Where the next {@link #take} starts: UIDs before it were handed out already. */
    private int next;

    int size() {
        return size - next;
    }

    boolean isEmpty() {
        return next == size;
    }

    /** Adds the first {@code count} UIDs of {@code added} (any order; repeats and UIDs already here are kept once). */
    void add(long[] added, int count) {
        if (count == 0) {
            return;
        }
        long[] in = Arrays.copyOf(added, count);
        Arrays.sort(in);
        long[] out = new long[size() + count];
        int n = 0;
        int i = next;
        int j = 0;
        while (i < size || j < count) {
            long v = j == count || (i < size && uids[i] <= in[j]) ? uids[i++] : in[j++];
            if (n == 0 || out[n - 1] != v) {
                out[n++] = v;
            }
        }
        uids = out;
        size = n;
        next = 0;
    }

    /** Up to {@code max} UIDs, ascending, removed from the set. */
    long[] take(int max) {
        int n = Math.min(max, size());
        long[] out = Arrays.copyOfRange(uids, next, next + n);
        next += n;
        if (next == size) {
            clear();
        }
        return out;
    }

    void clear() {
        uids = new long[0];
        size = 0;
        next = 0;
    }
}
