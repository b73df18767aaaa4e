package io.sealmail.store;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Octets and messages used per account, across all its folders. Counted once per account from the file names'
 * {@code ,S=} (no file is opened), then kept up to date by every delivery, append, copy and expunge. Writers reserve
 * before writing, so concurrent deliveries cannot overshoot either limit together.
 */
final class QuotaLedger {
    /** What an account uses: octets (RFC 9208 STORAGE) and messages (MESSAGE). */
    record Usage(long octets, long messages) {
    }

    private final long limit;
    private final long messageLimit;
    private final Function<String, Usage> count;
    /** Per account: {octets, messages}. */
    private final ConcurrentHashMap<String, long[]> used = new ConcurrentHashMap<>();

    /**
     * @param limit        octets per account, 0 for unlimited
     * @param messageLimit messages per account, 0 for unlimited
     * @param count        measures an account on first use
     */
    QuotaLedger(long limit, long messageLimit, Function<String, Usage> count) {
        this.limit = Math.max(0, limit);
        this.messageLimit = Math.max(0, messageLimit);
        this.count = count;
    }

    long limit() {
        return limit;
    }

    long messageLimit() {
        return messageLimit;
    }

    Usage used(String account) {
        long[] cell = cell(account);
        synchronized (cell) {
            return new Usage(cell[0], cell[1]);
        }
    }

    /** Throws when {@code bytes} in {@code messages} more would go past either limit; takes nothing. */
    void check(String account, long bytes, long messages) {
        long[] cell = cell(account);
        synchronized (cell) {
            refuseBeyond(account, cell, bytes, messages);
        }
    }

    /** Takes {@code bytes} in {@code messages} from the account's allowance, or throws when that would go past a limit. */
    void reserve(String account, long bytes, long messages) {
        long[] cell = cell(account);
        synchronized (cell) {
            refuseBeyond(account, cell, bytes, messages);
            cell[0] += bytes;
            cell[1] += messages;
        }
    }

    /** Gives back octets and messages: a failed write, an expunge, a deleted folder. */
    void release(String account, long bytes, long messages) {
        long[] cell = cell(account);
        synchronized (cell) {
            cell[0] = Math.max(0, cell[0] - bytes);
            cell[1] = Math.max(0, cell[1] - messages);
        }
    }

    /** Forgets an account's figures, so the next use counts again from disk. */
    void forget(String account) {
        used.remove(key(account));
    }

    private void refuseBeyond(String account, long[] cell, long bytes, long messages) {
        if (limit > 0 && bytes > 0 && cell[0] + bytes > limit) {
            throw new QuotaExceededException(account, QuotaExceededException.Resource.STORAGE, cell[0], limit, bytes);
        }
        if (messageLimit > 0 && messages > 0 && cell[1] + messages > messageLimit) {
            throw new QuotaExceededException(account, QuotaExceededException.Resource.MESSAGE, cell[1], messageLimit, messages);
        }
    }

    private long[] cell(String account) {
        return used.computeIfAbsent(key(account), a -> {
            Usage u = count.apply(a);
            return new long[] {u.octets(), u.messages()};
        });
    }

    private static String key(String account) {
        return account.strip().toLowerCase(java.util.Locale.ROOT);
    }
}
