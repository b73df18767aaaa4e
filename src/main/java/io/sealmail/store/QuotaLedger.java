package io.sealmail.store;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToLongFunction;

/**
 * Octets used per account, across all its folders. Counted once per account from the file names' {@code ,S=}
 * (no file is opened), then kept up to date by every delivery, append, copy and expunge. Writers reserve before
 * writing, so concurrent deliveries cannot overshoot the limit together.
 */
final class QuotaLedger {
    private final long limit;
    private final ToLongFunction<String> count;
    private final ConcurrentHashMap<String, long[]> used = new ConcurrentHashMap<>();

    /** @param limit octets per account, 0 for unlimited; @param count measures an account on first use */
    QuotaLedger(long limit, ToLongFunction<String> count) {
        this.limit = Math.max(0, limit);
        this.count = count;
    }

    long limit() {
        return limit;
    }

    long used(String account) {
        long[] cell = cell(account);
        synchronized (cell) {
            return cell[0];
        }
    }

    /** Takes {@code bytes} from the account's allowance, or throws when that would go past the limit. */
    void reserve(String account, long bytes) {
        long[] cell = cell(account);
        synchronized (cell) {
            if (limit > 0 && bytes > 0 && cell[0] + bytes > limit) {
                throw new QuotaExceededException(account, cell[0], limit, bytes);
            }
            cell[0] += bytes;
        }
    }

    /** Gives back octets: a failed write, an expunge, a deleted folder. */
    void release(String account, long bytes) {
        long[] cell = cell(account);
        synchronized (cell) {
            cell[0] = Math.max(0, cell[0] - bytes);
        }
    }

    /** Forgets an account's figure, so the next use counts again from disk. */
    void forget(String account) {
        used.remove(account.strip().toLowerCase(java.util.Locale.ROOT));
    }

    private long[] cell(String account) {
        return used.computeIfAbsent(account.strip().toLowerCase(java.util.Locale.ROOT), a -> new long[] {count.applyAsLong(a)});
    }
}
