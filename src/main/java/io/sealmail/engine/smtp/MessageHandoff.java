package io.sealmail.engine.smtp;

import io.sealmail.engine.EngineContext;
import io.sealmail.store.Spool;

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
        return message -> store(engine, message, message.content(), MessageAuthentication.INBOX);
    }

    /**
     * {@link #standard}, after {@link MessageAuthentication}: submitted mail is DKIM-signed before it is stored or
     * queued; port 25 mail is checked (SPF, DKIM, DMARC) and stored with its Authentication-Results, into Junk
     * for a DMARC quarantine, or refused.
     */
    static MessageHandoff authenticated(EngineContext engine) {
        MessageAuthentication auth = engine.mailAuth();
        if (auth == null) {
            return standard(engine);
        }
        return message -> auth.deliver(message.role(), message.account(), message.client(), message.helo(),
                message.returnPath(), message.content(), message.ourHeaderLength(),
                (content, folder) -> store(engine, message, content, folder));
    }

    /** {@code content} (the message, maybe signed or with our Authentication-Results) to where it goes. */
    private static CompletableFuture<Void> store(EngineContext engine, ReceivedMessage message, Spool content, String folder) {
        List<CompletableFuture<?>> parts = new ArrayList<>();
        try {
            if (!message.localAccounts().isEmpty()) {
                parts.add(MessageAuthentication.INBOX.equals(folder)
                        ? engine.store().deliver(content, message.returnPath(), message.localAccounts())
                        : engine.store().deliver(content, message.returnPath(), message.localAccounts(), folder));
            }
            if (!message.remoteRecipients().isEmpty()) {
                parts.add(engine.outbound().enqueue(message.queueId(), content, message.returnPath(),
                        message.remoteRecipients()));
            }
        } catch (RuntimeException e) {
            parts.add(CompletableFuture.failedFuture(e));
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new));
    }
}
