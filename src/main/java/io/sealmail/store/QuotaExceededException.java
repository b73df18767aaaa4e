package io.sealmail.store;

/**
 * The account's quota ({@code limits.quotaPerAccount} octets or {@code limits.quotaMessagesPerAccount} messages)
 * would be exceeded by this message. SMTP: 552 5.2.2 (RFC 5321 §4.2.2 "exceeded storage allocation", RFC 3463
 * "mailbox full"), at RCPT when the mailbox is already full and after the data when this message does not fit; IMAP
 * APPEND/COPY: {@code NO [OVERQUOTA]} (RFC 9208 §4.3, RFC 5530).
 */
public class QuotaExceededException extends RuntimeException {
    /** The RFC 9208 resource that ran out. */
    public enum Resource {
        /** octets ({@code limits.quotaPerAccount}) */
        STORAGE("octets"),
        /** messages ({@code limits.quotaMessagesPerAccount}) */
        MESSAGE("messages");

        private final String unit;

        Resource(String unit) {
            this.unit = unit;
        }

        public String unit() {
            return unit;
        }
    }

    private final String account;
    private final Resource resource;
    private final long used;
    private final long limit;

    /** The storage (octets) quota. */
    public QuotaExceededException(String account, long used, long limit, long wanted) {
        this(account, Resource.STORAGE, used, limit, wanted);
    }

    public QuotaExceededException(String account, Resource resource, long used, long limit, long wanted) {
        super("quota exceeded for " + account + ": " + used + " of " + limit + " " + resource.unit() + " used, "
                + wanted + " more needed");
        this.account = account;
        this.resource = resource;
        this.used = used;
        this.limit = limit;
    }

    public String account() {
        return account;
    }

    public Resource resource() {
        return resource;
    }

    /** In the unit of {@link #resource()}. */
    public long used() {
        return used;
    }

    /** In the unit of {@link #resource()}. */
    public long limit() {
        return limit;
    }
}
