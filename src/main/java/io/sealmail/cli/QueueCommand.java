package io.sealmail.cli;

import io.sealmail.store.DiskOutboundQueue;
import io.sealmail.store.QueuedMessage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code sealmail queue list}: what waits in the outbound queue (mail submitted for other domains). */
@Command(name = "queue", mixinStandardHelpOptions = true,
        description = "Inspect the outbound queue (mail for other domains, kept until it is sent on).",
        subcommands = QueueCommand.List.class)
public class QueueCommand {

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List queued messages, oldest first.")
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
            }
            System.out.println(entries.size() + (entries.size() == 1 ? " message" : " messages") + " queued");
            return 0;
        }

        private static String age(Duration d) {
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
}
