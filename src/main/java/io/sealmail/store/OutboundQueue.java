package io.sealmail.store;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Mail for recipients that are not local, kept durably on disk until a later release sends it on.
 * Nothing in it is dropped; {@link #list()} shows it.
 */
public interface OutboundQueue {

    /**
     * Queues the spooled message under {@code id} (its {@link QueueId}, the one its SMTP transaction replied with)
     * for the given remote recipients; completes once it is durable. The spool is only read; the caller closes it.
     */
    CompletableFuture<QueuedMessage> enqueue(String id, Spool message, String returnPath, List<String> recipients);

    /** Everything queued, oldest first. */
    List<QueuedMessage> list() throws IOException;
}
