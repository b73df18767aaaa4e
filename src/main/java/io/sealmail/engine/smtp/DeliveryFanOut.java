package io.sealmail.engine.smtp;

import io.sealmail.config.Role;
import io.sealmail.engine.MailMetrics;
import io.sealmail.store.QuotaExceededException;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Where a received message goes, and the replies that say so (RFC 5321 §4.1.1.4: the 250 is the hand-over of
 * responsibility, given only once every part is durable; any failure gives 451 so the client keeps the message).
 * SMTP hands it over once, to the local accounts' INBOXes and the outbound queue, and gets one reply. LMTP
 * (RFC 2033 §4.2) delivers to each account in turn (the same store and quota as SMTP) and replies once per
 * accepted RCPT, in RCPT order: one full mailbox does not refuse the others; two addresses of one account (an
 * alias) share its one delivery and its outcome.
 */
final class DeliveryFanOut {
    private static final Logger LOG = Logger.getLogger(DeliveryFanOut.class);

    /**
     * What the hand-off came to.
     *
     * @param failures for SMTP the one hand-off's failure under the key "", for LMTP each account's; empty when it succeeded
     */
    record Outcome(ReceivedMessage message, List<SmtpTransaction.Recipient> recipients, long startedNanos,
                   Map<String, Optional<Throwable>> failures) {
    }

    private final MessageHandoff handoff;
    private final Role role;
    private final MailMetrics metrics;

    DeliveryFanOut(MessageHandoff handoff, Role role, MailMetrics metrics) {
        this.handoff = handoff;
        this.role = role;
        this.metrics = metrics;
    }

    /**
     * Starts the hand-off of {@code message} (it runs off the calling event loop); the future never fails, its
     * outcome carries the failures.
     *
     * @param recipients the accepted RCPTs, in order (LMTP replies to each)
     */
    CompletableFuture<Outcome> start(ReceivedMessage message, List<SmtpTransaction.Recipient> recipients) {
        long started = System.nanoTime();
        Map<String, Optional<Throwable>> failures = new ConcurrentHashMap<>();
        if (role != Role.LMTP) {
            return handOver(message).handle((v, failure) -> {
                failures.put("", Optional.ofNullable(failure));
                return new Outcome(message, recipients, started, failures);
            });
        }
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (String account : message.localAccounts()) {
            ReceivedMessage one = new ReceivedMessage(message.queueId(), message.content(), message.returnPath(),
                    List.of(account), List.of(), role, message.client(), message.helo(), message.account(), message.tls(),
                    message.ourHeaderLength());
            chain = chain.thenCompose(v -> handOver(one).handle((ok, failure) -> {
                failures.put(account, Optional.ofNullable(failure));
                return null;
            }));
        }
        return chain.handle((v, t) -> new Outcome(message, recipients, started, failures));
    }

    private CompletableFuture<Void> handOver(ReceivedMessage message) {
        try {
            return handoff.deliver(message);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The replies to send, in order (one for SMTP, one per accepted RCPT for LMTP); logs and counts the outcome. */
    List<SmtpReply> replies(Outcome outcome) {
        ReceivedMessage message = outcome.message();
        String id = message.queueId();
        long elapsed = System.nanoTime() - outcome.startedNanos();
        if (role != Role.LMTP) {
            Optional<Throwable> failure = outcome.failures().getOrDefault("", Optional.of(new IllegalStateException("not delivered")));
            if (failure.isPresent()) {
                return List.of(failed(message, failure.get()));
            }
            LOG.infof("SMTP %s accepted %s from <%s> for %d local and %d remote recipients in %d ms",
                    role.id(), id, message.returnPath(), message.localAccounts().size(), message.remoteRecipients().size(),
                    TimeUnit.NANOSECONDS.toMillis(elapsed));
            metrics.messageAccepted(role, Duration.ofNanos(elapsed));
            return List.of(SmtpReplies.OK.withText("Ok: queued as " + id));
        }
        List<SmtpReply> replies = new ArrayList<>();
        int accepted = 0;
        for (SmtpTransaction.Recipient r : outcome.recipients()) {
            Optional<Throwable> failure = outcome.failures().getOrDefault(r.account(), Optional.of(new IllegalStateException("not delivered")));
            replies.add(failure.isEmpty()
                    ? SmtpReply.of(250, "2.1.5", "Ok: " + r.address() + " delivered as " + id)
                    : failed(message, failure.get()));
            accepted += failure.isEmpty() ? 1 : 0;
        }
        if (accepted > 0) {
            metrics.messageAccepted(role, Duration.ofNanos(elapsed));
        }
        LOG.infof("LMTP accepted %s from <%s> for %d of %d recipients in %d ms", id, message.returnPath(), accepted,
                outcome.recipients().size(), TimeUnit.NANOSECONDS.toMillis(elapsed));
        return replies;
    }

    /** The reply to a failed hand-off: the refusing step's own (550/451), 552 for a quota, else 451. */
    private SmtpReply failed(ReceivedMessage message, Throwable failure) {
        String id = message.queueId();
        SmtpReply refused = refusal(failure);
        if (refused != null) {
            // A hand-off step refused it (DMARC under enforce): its own reply, nothing was stored.
            LOG.infof("SMTP %s refused %s from %s: %s", role.id(), id, message.client().getHostAddress(), refused);
            metrics.messageRejected(role, "mail_authentication");
            return refused;
        }
        String quota = quotaMessage(failure);
        if (quota != null) {
            // This message does not fit into a recipient's remaining quota: a permanent refusal.
            LOG.infof("SMTP %s refused %s: %s", role.id(), id, quota);
            metrics.messageRejected(role, "mailbox_full");
            return SmtpReplies.MAILBOX_FULL.withText("Mailbox full: the message does not fit into a recipient's quota");
        }
        LOG.errorf("SMTP delivery of %s failed: %s", id, failure.toString());
        metrics.messageRejected(role, "store_failure");
        return SmtpReplies.LOCAL_ERROR;
    }

    /** The reply of a hand-off step that refused the message (DMARC under enforce), or null. */
    private static SmtpReply refusal(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof MessageRefusedException r) {
                return r.reply();
            }
        }
        return null;
    }

    /** The quota refusal behind a failed delivery, or null when it failed for another reason. */
    private static String quotaMessage(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof QuotaExceededException q) {
                return q.getMessage();
            }
        }
        return null;
    }
}
