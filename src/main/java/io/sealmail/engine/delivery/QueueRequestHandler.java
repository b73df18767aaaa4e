package io.sealmail.engine.delivery;

import io.sealmail.store.QueueId;
import io.sealmail.store.QueueRequests;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Path;

/** Acts on {@code sealmail queue retry|delete} requests ({@link QueueRequests}); runs on the scheduler every second. */
final class QueueRequestHandler {
    private static final Logger LOG = Logger.getLogger(QueueRequestHandler.class);

    private final OutboundDelivery runner;
    private final Path queueRoot;

    QueueRequestHandler(OutboundDelivery runner, Path queueRoot) {
        this.runner = runner;
        this.queueRoot = queueRoot;
    }

    void poll() {
        try {
            for (QueueRequests.Request r : QueueRequests.pending(queueRoot)) {
                String answer = act(r.text());
                LOG.infof("queue request '%s': %s", r.text(), answer);
                QueueRequests.answer(queueRoot, r, answer);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warnf("queue requests: %s", e.toString());
        }
    }

    String act(String text) {
        String[] w = text.trim().split("\\s+");
        try {
            if (w.length == 2 && w[0].equals("retry") && w[1].equals("--all")) {
                return runner.retry(null) + " messages scheduled for delivery now";
            }
            if (w.length == 2 && w[0].equals("retry") && QueueId.isValid(w[1])) {
                return runner.retry(w[1]) == 0 ? "no queued message " + w[1] : "message " + w[1] + " scheduled for delivery now";
            }
            if ((w.length == 2 || w.length == 3 && w[2].equals("bounce")) && w[0].equals("delete") && QueueId.isValid(w[1])) {
                return runner.delete(w[1], w.length == 3);
            }
        } catch (IOException e) {
            return "failed: " + e.getMessage();
        }
        return "not understood: " + text;
    }
}
