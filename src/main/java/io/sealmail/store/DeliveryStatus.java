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
 */
public record DeliveryStatus(String id, List<RecipientStatus> recipients, boolean dsnSent) {
    public DeliveryStatus {
        recipients = List.copyOf(recipients);
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
        return new DeliveryStatus(id, out, dsnSent);
    }

    public DeliveryStatus withDsnSent() {
        return new DeliveryStatus(id, recipients, true);
    }

    /** Every recipient that is not final made due now. */
    public DeliveryStatus dueNow() {
        return new DeliveryStatus(id, recipients.stream().map(RecipientStatus::dueNow).toList(), dsnSent);
    }

    /** The earliest next attempt among recipients not final, or Long.MAX_VALUE when all are. */
    public long nextAttemptMillis() {
        return recipients.stream().filter(r -> !r.isFinal()).mapToLong(RecipientStatus::nextAttemptMillis).min()
                .orElse(Long.MAX_VALUE);
    }
}
