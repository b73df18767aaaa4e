package io.sealmail.store;

/**
 * The account's quota ({@code limits.quotaPerAccount}) would be exceeded by this message. SMTP: 552 5.2.2
 * (RFC 5321 §4.2.2 "exceeded storage allocation", RFC 3463 "mailbox full"), at RCPT when the mailbox is already
 * full and after the data when this message does not fit; IMAP APPEND/COPY: {@code NO [OVERQUOTA]} (RFC 9208
 * §4.3, RFC 5530).
 */
public class QuotaExceededException extends RuntimeException {
    private final String account;
    private final long used;
    private final long limit;

    public QuotaExceededException(String account, long used, long limit, long wanted) {
        super("quota exceeded for " + account + ": " + used + " of " + limit + " octets used, message needs " + wanted);
        this.account = account;
        this.used = used;
        this.limit = limit;
    }

    public String account() {
        return account;
    }

    public long used() {
        return used;
    }

    public long limit() {
        return limit;
    }
}
