package io.sealmail.store;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Durable local delivery. A message is first written to a {@link Spool} while it streams in (never held whole in
 * memory), then delivered to one or more accounts' INBOX. The returned future completes only once every copy is
 * on disk durably (file and directory fsynced, possibly batched with other deliveries: group commit); only then may
 * the protocol acknowledge it.
 */
public interface MailStore extends AutoCloseable {

    /** A new spool file on the same filesystem as the mailboxes. */
    Spool createSpool() throws IOException;

    /**
     * Delivers the spooled message to each account's INBOX, with a {@code Return-Path: <returnPath>} header
     * prepended to each copy (RFC 5321 §4.4). The spool is only read: the caller closes it once every future
     * it started (local delivery, outbound queue) has completed.
     */
    CompletableFuture<Void> deliver(Spool message, String returnPath, List<String> accounts);

    /**
     * As {@link #deliver(Spool, String, List)}, into {@code folder} of each account (created if missing), e.g.
     * "Junk" for mail a DMARC quarantine policy sends there. A store without folders delivers to INBOX.
     */
    default CompletableFuture<Void> deliver(Spool message, String returnPath, List<String> accounts, String folder) {
        return deliver(message, returnPath, accounts);
    }

    /**
     * Throws {@link QuotaExceededException} when a message of {@code size} octets would not fit into the account's
     * quota now, so SMTP can refuse at RCPT (with the SIZE parameter) or before DATA; delivery checks again.
     */
    default void checkQuota(String account, long size) {
    }

    @Override
    void close();
}
