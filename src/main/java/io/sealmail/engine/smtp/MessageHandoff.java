package io.sealmail.engine.smtp;

import io.sealmail.engine.EngineContext;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The one place where a received message leaves the SMTP session: the session replies 250 only when the returned
 * future succeeds, 451 (or 552 for a quota) when it fails (RFC 5321 §4.1.1.4: the 250 is the hand-over of
 * responsibility). Steps that look at or change a message on its way in (signing, authentication checks) wrap
 * {@link #standard}'s hand-off here.
 */
@FunctionalInterface
public interface MessageHandoff {

    /** Makes the message durable wherever it goes; must not block the calling event loop. */
    CompletableFuture<Void> deliver(ReceivedMessage message);

    /** Local accounts' INBOXes through the store, other domains through the outbound queue; both durable. */
    static MessageHandoff standard(EngineContext engine) {
        return message -> {
            List<CompletableFuture<?>> parts = new ArrayList<>();
            try {
                if (!message.localAccounts().isEmpty()) {
                    parts.add(engine.store().deliver(message.content(), message.returnPath(), message.localAccounts()));
                }
                if (!message.remoteRecipients().isEmpty()) {
                    parts.add(engine.outbound().enqueue(message.queueId(), message.content(), message.returnPath(),
                            message.remoteRecipients()));
                }
            } catch (RuntimeException e) {
                parts.add(CompletableFuture.failedFuture(e));
            }
            return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new));
        };
    }
}
