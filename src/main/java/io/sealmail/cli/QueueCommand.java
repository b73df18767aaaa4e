package io.sealmail.cli;

import io.sealmail.store.DeliveryStatus;
import io.sealmail.store.DiskOutboundQueue;
import io.sealmail.store.QueueId;
import io.sealmail.store.QueueLock;
import io.sealmail.store.QueueRequests;
import io.sealmail.store.QueuedMessage;
import io.sealmail.store.RecipientStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code sealmail queue list|retry|delete}: the outbound queue (mail for other domains, kept until delivered or
 * bounced). Safe against a running engine: {@code list} only reads (entries and state files are replaced by atomic
 * renames); {@code retry} and {@code delete} ask the running engine through a request file it picks up within a
 * second ({@link QueueRequests}), and only when no engine holds {@code queue/engine.lock} change the files
 * themselves (holding that lock).
 */
@Command(name = "queue", mixinStandardHelpOptions = true,
        description = "Inspect and manage the outbound queue (mail for other domains, kept until delivered or bounced).",
        subcommands = {QueueCommand.List.class, QueueCommand.Retry.class, QueueCommand.Delete.class})
public class QueueCommand {
    /** How long retry/delete wait for a running engine's answer. */
    static final Duration ANSWER_WAIT = Duration.ofSeconds(15);

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List queued messages, oldest first, with each recipient's state, attempts, next attempt, "
                    + "last reply and the transport-security policy and TLS used.")
    static class List implements Callable<Integer> {
        @Option(names = "--data-dir", required = true, paramLabel = "DIR", description = "The engine's dataDir.")
        Path dataDir;

        @Override
        public Integer call() throws Exception {
            if (!Files.isDirectory(dataDir)) {
                System.err.println("sealmail queue list: " + dataDir + ": no such directory");
                return 2;
            }
            // Read only: opening the queue for writing would run crash recovery under a running engine's feet.
            java.util.List<QueuedMessage> entries = DiskOutboundQueue.read(dataDir);
            Instant now = Instant.now();
            System.out.printf("%-30s %8s %10s  %s -> %s%n", "ID", "AGE", "SIZE", "SENDER", "RECIPIENTS");
            for (QueuedMessage m : entries) {
                System.out.printf("%-30s %8s %10d  <%s> -> %s%n", m.id(), age(Duration.between(m.queuedAt(), now)),
                        m.size(), m.returnPath(), String.join(", ", m.recipients()));
                DeliveryStatus status = DiskOutboundQueue.readStatus(dataDir, m);
                for (RecipientStatus r : status.recipients()) {
                    System.out.printf("    %-30s %-9s attempts=%d next=%s policy=%s tls=%s%n", r.recipient(),
                            r.state().label(), r.attempts(), next(r, now), r.policy() == null ? "-" : r.policy(),
                            r.tls() == null ? "-" : r.tls().replace(' ', '/'));
                    if (r.lastReply() != null) {
                        System.out.printf("        last reply%s: %s%n", r.remote() == null ? "" : " from " + r.remote(), r.lastReply());
                    }
                }
            }
            System.out.println(entries.size() + (entries.size() == 1 ? " message" : " messages") + " queued");
            return 0;
        }

        private static String next(RecipientStatus r, Instant now) {
            if (r.isFinal()) {
                return "-";
            }
            Duration d = Duration.between(now, Instant.ofEpochMilli(r.nextAttemptMillis()));
            return d.isNegative() || d.isZero() ? "now" : "in " + age(d);
        }
    }

    @Command(name = "retry", mixinStandardHelpOptions = true,
            description = "Make a queued message (or all) due for delivery now, whatever its retry schedule says.")
    static class Retry implements Callable<Integer> {
        @Option(names = "--data-dir", required = true, paramLabel = "DIR", description = "The engine's dataDir.")
        Path dataDir;

        @Option(names = "--all", description = "Every queued message.")
        boolean all;

        @Parameters(arity = "0..1", paramLabel = "ID", description = "The queue id (from 'queue list').")
        String id;

        @Override
        public Integer call() throws Exception {
            if (all == (id != null)) {
                System.err.println("sealmail queue retry: give either an ID or --all");
                return 2;
            }
            if (id != null && !QueueId.isValid(id)) {
                System.err.println("sealmail queue retry: '" + id + "' is not a queue id (16 hexadecimal digits)");
                return 2;
            }
            return run(dataDir, "queue retry", all ? "retry --all" : "retry " + id, queue -> {
                int n = 0;
                for (QueuedMessage m : queue.list()) {
                    if (all || m.id().equals(id)) {
                        queue.saveStatus(queue.status(m).dueNow()).join();
                        n++;
                    }
                }
                return n == 0 ? "no queued message " + id : n + (n == 1 ? " message" : " messages")
                        + " due now; the engine sends " + (n == 1 ? "it" : "them") + " when it starts";
            });
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Remove a queued message. With --bounce its sender gets a delivery status notification "
                    + "for every recipient not yet delivered; without, it is dropped silently.")
    static class Delete implements Callable<Integer> {
        @Option(names = "--data-dir", required = true, paramLabel = "DIR", description = "The engine's dataDir.")
        Path dataDir;

        @Option(names = "--bounce", description = "Notify the sender (RFC 3464 bounce) instead of dropping silently.")
        boolean bounce;

        @Parameters(paramLabel = "ID", description = "The queue id (from 'queue list').")
        String id;

        @Override
        public Integer call() throws Exception {
            if (!QueueId.isValid(id)) {
                System.err.println("sealmail queue delete: '" + id + "' is not a queue id (16 hexadecimal digits)");
                return 2;
            }
            return run(dataDir, "queue delete", "delete " + id + (bounce ? " bounce" : ""), queue -> {
                Optional<QueuedMessage> m = queue.list().stream().filter(q -> q.id().equals(id)).findFirst();
                if (m.isEmpty()) {
                    return "no queued message " + id;
                }
                if (!bounce) {
                    queue.remove(id);
                    return "message " + id + " deleted without notification";
                }
                // Recorded as bounced; the engine sends the notification and removes the entry when it starts.
                DeliveryStatus s = queue.status(m.get());
                for (RecipientStatus r : s.recipients()) {
                    if (!r.isFinal()) {
                        s = s.with(new RecipientStatus(r.recipient(), RecipientStatus.State.BOUNCED, r.attempts(), 0,
                                System.currentTimeMillis(), "550 5.0.0 deleted from the queue by the administrator"
                                + (r.lastReply() == null ? "" : "; last reply: " + r.lastReply()), r.remote(), r.policy(), r.tls()));
                    }
                }
                queue.saveStatus(s).join();
                return "message " + id + " marked bounced; the engine notifies the sender and removes it when it starts";
            });
        }
    }

    interface OfflineAction {
        String apply(DiskOutboundQueue queue) throws IOException;
    }

    /**
     * Asks the running engine (request file), or, when no engine holds the queue, does it here holding the lock.
     */
    static int run(Path dataDir, String command, String request, OfflineAction offline) throws Exception {
        if (!Files.isDirectory(dataDir)) {
            System.err.println("sealmail " + command + ": " + dataDir + ": no such directory");
            return 2;
        }
        String answer;
        try (DiskOutboundQueue queue = new DiskOutboundQueue(dataDir)) {
            answer = offline.apply(queue);
        } catch (QueueLock.Held running) {
            Optional<String> reply = QueueRequests.submit(dataDir.resolve("queue"), request, ANSWER_WAIT);
            if (reply.isEmpty()) {
                System.err.println("sealmail " + command + ": the running engine did not answer within "
                        + ANSWER_WAIT.toSeconds() + " s (is its outbound mode 'hold'? then it does not read requests)");
                return 1;
            }
            answer = reply.get();
        }
        System.out.println(answer);
        return answer.startsWith("no queued message") || answer.startsWith("failed") || answer.startsWith("not understood")
                || answer.contains("try again") ? 1 : 0;
    }

    static String age(Duration d) {
        if (d.toDays() > 0) {
            return d.toDays() + "d";
        }
        if (d.toHours() > 0) {
            return d.toHours() + "h";
        }
        if (d.toMinutes() > 0) {
            return d.toMinutes() + "m";
        }
        return Math.max(0, d.toSeconds()) + "s";
    }
}
