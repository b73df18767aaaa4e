package io.sealmail.cli;

import io.sealmail.store.DiskOutboundQueue;
import io.sealmail.store.QueuedMessage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code sealmail queue list --data-dir DIR}: one line per queued message, oldest first, like Postfix's
 * {@code mailq}: id, age, sender, recipients, size. Only reads; safe while the engine runs.
 */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = "List queued messages, oldest first: id, age, sender, recipients, size in octets.")
public class QueueListCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data-dir", required = true, paramLabel = "DIR", description = "The engine's dataDir.")
    Path dataDir;

    @Override
    public Integer call() throws Exception {
        if (!Files.isDirectory(dataDir)) {
            throw new UserError(dataDir + ": no such directory (the engine's dataDir)");
        }
        List<QueuedMessage> queued = DiskOutboundQueue.read(dataDir);
        PrintWriter out = spec.commandLine().getOut();
        if (queued.isEmpty()) {
            out.println("queue is empty");
            out.flush();
            return 0;
        }
        out.printf("%-28s %8s %10s  %-30s %s%n", "ID", "AGE", "SIZE", "SENDER", "RECIPIENTS");
        Instant now = Instant.now();
        long total = 0;
        for (QueuedMessage m : queued) {
            out.printf("%-28s %8s %10d  %-30s %s%n", m.id(), age(Duration.between(m.queuedAt(), now)), m.size(),
                    "<" + m.returnPath() + ">", String.join(", ", m.recipients()));
            total += m.size();
        }
        out.printf("-- %d message%s, %d octets%n", queued.size(), queued.size() == 1 ? "" : "s", total);
        out.flush();
        return 0;
    }

    static String age(Duration d) {
        long s = Math.max(0, d.getSeconds());
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return (s / 60) + "m";
        }
        if (s < 86400) {
            return (s / 3600) + "h" + ((s % 3600) / 60) + "m";
        }
        return (s / 86400) + "d" + ((s % 86400) / 3600) + "h";
    }
}
