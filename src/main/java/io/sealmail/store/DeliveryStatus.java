package io.sealmail.store;

import java.util.ArrayList;
import java.util.List;

/**
 * The delivery state of one outbound queue entry: one {@link RecipientStatus} per recipient, in the envelope's order.
 *
 * @param id        the queue id
 * @param recipients each recipient's state
 * @param dsnSent   true once the delivery status notification for its bounced recipients is durable (so a
 *                  restart does not send it twice)
 * @param delayNoticeSent true once the sender was told that the message is delayed (RFC 3464 action=delayed);
 *                  sent once per message
 */
public record DeliveryStatus(String id, List<RecipientStatus> recipients, boolean dsnSent, boolean delayNoticeSent) {
    public DeliveryStatus {
        recipients = List.copyOf(recipients);
    }

    public DeliveryStatus(String id, List<RecipientStatus> recipients, boolean dsnSent) {
        this(id, recipients, dsnSent, false);
    }

    /** The state of a message nothing was tried for. */
    public static DeliveryStatus initial(QueuedMessage message) {
        return new DeliveryStatus(message.id(), message.recipients().stream().map(RecipientStatus::queued).toList(), false);
    }

    public boolean allFinal() {
        return recipients.stream().allMatch(RecipientStatus::isFinal);
    }

    public boolean anyBounced() {
        return recipients.stream().anyMatch(r -> r.state() == RecipientStatus.State.BOUNCED);
    }

    /** The recipient's state replaced (matched by address). */
    public DeliveryStatus with(RecipientStatus updated) {
        List<RecipientStatus> out = new ArrayList<>(recipients.size());
        for (RecipientStatus r : recipients) {
            out.add(r.recipient().equals(updated.recipient()) ? updated : r);
        }
        return new DeliveryStatus(id, out, dsnSent, delayNoticeSent);
    }

    public DeliveryStatus withDsnSent() {
        return new DeliveryStatus(id, recipients, true, delayNoticeSent);
    }

    public DeliveryStatus withDelayNoticeSent() {
        return new DeliveryStatus(id, recipients, dsnSent, true);
    }

    /** Recipients still waiting after a temporary failure (deferred at least once). */
    public List<RecipientStatus> delayed() {
        return recipients.stream().filter(r -> r.state() == RecipientStatus.State.DEFERRED).toList();
    }

    /** Every recipient that is not final made due now. */
    public DeliveryStatus dueNow() {
        return new DeliveryStatus(id, recipients.stream().map(RecipientStatus::dueNow).toList(), dsnSent, delayNoticeSent);
    }

    /** The earliest next attempt among recipients not final, or Long.MAX_VALUE when all are. */
    public long nextAttemptMillis() {
        return recipients.stream().filter(r -> !r.isFinal()).mapToLong(RecipientStatus::nextAttemptMillis).min()
                .orElse(Long.MAX_VALUE);
    }
}
