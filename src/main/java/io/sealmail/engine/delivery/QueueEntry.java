package io.sealmail.engine.delivery;

import io.sealmail.store.DeliveryStatus;
import io.sealmail.store.QueuedMessage;

import java.util.HashSet;
import java.util.Set;

/** A queue entry as the runner tracks it in memory; guarded by the runner's lock except {@link #outgoing}. */
final class QueueEntry {
    final QueuedMessage message;
    volatile DeliveryStatus status;
    /** Recipients handed to a destination run and not yet recorded. */
    final Set<String> inFlight = new HashSet<>();
    /** A run is finishing it (DSN, removal). */
    boolean finishing;
    /** A delay notice for it is being sent. */
    boolean noticing;
    /** Not before this (epoch millis): a failed finish waits. */
    long finishAfter;
    private volatile OutgoingMessage outgoing;

    QueueEntry(QueuedMessage message, DeliveryStatus status) {
        this.message = message;
        this.status = status;
    }

    String id() {
        return message.id();
    }

    /** The scanned message, read once (by whichever delivery thread needs it first). */
    OutgoingMessage outgoing(java.nio.file.Path file) throws java.io.IOException {
        OutgoingMessage o = outgoing;
        if (o == null) {
            o = OutgoingMessage.scan(message.id(), message.returnPath(), file);
            outgoing = o;
        }
        return o;
    }
}
