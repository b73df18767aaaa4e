package io.sealmail.store;

/**
 * Tuning of {@link MaildirStore} and {@link DiskOutboundQueue}.
 *
 * @param quotaPerAccount octets per account across all folders; 0 = unlimited ({@code limits.quotaPerAccount})
 * @param queueCapacity   deliveries waiting for the disk at most; past it a delivery fails at once with
 *                        {@link StoreUnavailableException} (SMTP 451 4.3.0) instead of piling up in memory
 * @param ioThreads       files written and fsynced concurrently within one group commit
 */
public record StoreOptions(long quotaPerAccount, int queueCapacity, int ioThreads) {
    public static final StoreOptions DEFAULTS = new StoreOptions(0, 4096, 16);

    public StoreOptions {
        if (quotaPerAccount < 0 || queueCapacity < 1 || ioThreads < 1) {
            throw new IllegalArgumentException("quota >= 0, queue capacity >= 1 and I/O threads >= 1 required");
        }
    }

    public StoreOptions withQuota(long quota) {
        return new StoreOptions(quota, queueCapacity, ioThreads);
    }

    public StoreOptions withQueueCapacity(int capacity) {
        return new StoreOptions(quotaPerAccount, capacity, ioThreads);
    }
}
