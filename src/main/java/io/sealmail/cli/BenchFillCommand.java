package io.sealmail.cli;

import io.sealmail.bench.MaildirFill;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code sealmail bench fill}: the same generated messages into any Maildir, to give two servers equal mailboxes. */
@Command(name = "fill", mixinStandardHelpOptions = true,
        description = "Write N generated messages into a Maildir's new/ (same octets on every run), for benchmarks.")
public class BenchFillCommand implements Callable<Integer> {

    @Option(names = "--maildir", required = true, description = "The Maildir (its tmp/ new/ cur/ are created if missing).")
    Path maildir;

    @Option(names = "--account", defaultValue = "bench@bench.test", description = "Address in the To: header (default: ${DEFAULT-VALUE}).")
    String account;

    @Option(names = "--messages", defaultValue = "10000", description = "How many (default: ${DEFAULT-VALUE}).")
    int messages;

    @Option(names = "--size", defaultValue = "4096", description = "Approximate size of each, in octets (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--threads", description = "Give the messages Date, replies and References (for SORT and THREAD).")
    boolean threads;

    @Override
    public Integer call() throws Exception {
        if (messages < 1 || size < 200) {
            throw new UserError("--messages must be at least 1 and --size at least 200");
        }
        long octets = MaildirFill.fill(maildir, account, messages, size, threads);
        System.out.printf("wrote %d messages (%.1f MB) into %s/new%n", messages, octets / 1e6, maildir);
        return 0;
    }
}
