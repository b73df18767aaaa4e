package io.sealmail.store;

/**
 * Tuning of {@link MaildirStore} and {@link DiskOutboundQueue}.
 *
 * @param quotaPerAccount octets per account across all folders; 0 = unlimited ({@code limits.quotaPerAccount})
 * @param queueCapacity   deliveries waiting for the disk at most; past it a delivery fails at once with
 *                        {@link StoreUnavailableException} (SMTP 451 4.3.0) instead of piling up in memory
 * @param ioThreads       files written and fsynced concurrently within one group commit
 * @param spoolMemoryPerMessage octets of a message being received kept in memory; larger ones spill to disk
 * @param spoolMemoryTotal      octets all messages being received may keep in memory together; past it, new
 *                              content spills to disk (so memory stays bounded whatever the number of sessions)
 * @param quotaMessagesPerAccount messages per account across all folders; 0 = unlimited
 *                              ({@code limits.quotaMessagesPerAccount}, RFC 9208 §5.2 MESSAGE)
 */
public record StoreOptions(long quotaPerAccount, int queueCapacity, int ioThreads, int spoolMemoryPerMessage,
                           long spoolMemoryTotal, long quotaMessagesPerAccount) {
    public static final StoreOptions DEFAULTS = new StoreOptions(0, 4096, 16, 128 * 1024, 64L * 1024 * 1024, 0);

    public StoreOptions {
        if (quotaPerAccount < 0 || queueCapacity < 1 || ioThreads < 1 || spoolMemoryPerMessage < 0 || spoolMemoryTotal < 0
                || quotaMessagesPerAccount < 0) {
            throw new IllegalArgumentException("quotas >= 0, queue capacity >= 1, I/O threads >= 1 and spool memory >= 0 required");
        }
    }

    public StoreOptions(long quotaPerAccount, int queueCapacity, int ioThreads) {
        this(quotaPerAccount, queueCapacity, ioThreads, DEFAULTS.spoolMemoryPerMessage, DEFAULTS.spoolMemoryTotal, 0);
    }

    public StoreOptions withSpoolMemory(int perMessage, long total) {
        return new StoreOptions(quotaPerAccount, queueCapacity, ioThreads, perMessage, total, quotaMessagesPerAccount);
    }

    public StoreOptions withQuota(long quota) {
        return new StoreOptions(quota, queueCapacity, ioThreads, spoolMemoryPerMessage, spoolMemoryTotal, quotaMessagesPerAccount);
    }

    /** Messages per account, 0 for no limit. */
    public StoreOptions withMessageQuota(long messages) {
        return new StoreOptions(quotaPerAccount, queueCapacity, ioThreads, spoolMemoryPerMessage, spoolMemoryTotal, messages);
    }

    public StoreOptions withQueueCapacity(int capacity) {
        return new StoreOptions(quotaPerAccount, capacity, ioThreads, spoolMemoryPerMessage, spoolMemoryTotal, quotaMessagesPerAccount);
    }
}
