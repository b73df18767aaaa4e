package io.sealmail.cli;

import io.sealmail.bench.ImapLoad;
import io.sealmail.bench.Pop3Load;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** {@code sealmail bench pop3}: UIDL + RETR of N messages against any POP3S server. */
@Command(name = "pop3", mixinStandardHelpOptions = true,
        description = "POP3 figures over POP3S: UIDL of the maildrop, then RETR 1..N, on a fresh session each round.")
public class BenchPop3Command implements Callable<Integer> {

    @Mixin
    MailboxServerOptions options;

    @Option(names = "--port", defaultValue = "10995", description = "Port, implicit TLS (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--messages", defaultValue = "1000", description = "Messages to RETR (default: ${DEFAULT-VALUE}).")
    int messages;

    @Option(names = "--rounds", defaultValue = "10", description = "Rounds; the first is reported alone as cold (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Override
    public Integer call() throws Exception {
        if (rounds < 1 || messages < 1) {
            throw new UserError("--rounds and --messages must be at least 1");
        }
        ImapLoad.Server server = options.server(port);
        System.out.printf("sealmail bench pop3: %s:%d user=%s rounds=%d%n", options.host, port, options.user, rounds);
        ImapLoad.Rounds r = Pop3Load.uidlAndRetr(server, messages, rounds);
        System.out.printf("UIDL (%d messages) + RETR 1..%d, %.1f MB: first %.1f ms, then median %.1f ms%s%n",
                r.messages(), messages, r.octets() / 1e6, r.firstMillis(), r.warmMedianMillis(), MailboxServerOptions.cpu(r));
        return 0;
    }
}
