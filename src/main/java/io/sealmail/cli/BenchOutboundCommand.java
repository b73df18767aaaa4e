package io.sealmail.cli;

import io.sealmail.bench.OutboundLoad;
import io.sealmail.bench.SmtpLoad;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/** {@code sealmail bench outbound}: submit N messages, time them until they are in a sink's Maildir. */
@Command(name = "outbound", mixinStandardHelpOptions = true,
        description = "Submit messages over STARTTLS + AUTH to a server that sends them on to a sink; report "
                + "end-to-end delivery latency (submission start to the file in the sink's Maildir) and throughput. "
                + "bench/compare-outbound.sh runs it against Sealmail and Postfix.")
public class BenchOutboundCommand implements Callable<Integer> {
    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Submission server (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "10587", description = "Submission port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--cafile", required = true, description = "CA certificate (PEM) of the submission server.")
    Path caFile;

    @Option(names = "--user", required = true, description = "Login and sender.")
    String user;

    @Option(names = "--password", required = true, description = "Password for AUTH PLAIN.")
    String password;

    @Option(names = "--to", required = true, description = "Recipient at the sink's domain.")
    String to;

    @Option(names = "--sink-maildir", required = true, description = "The sink's Maildir (or a tree of them).")
    Path sink;

    @Option(names = "--connections", defaultValue = "4", description = "Concurrent submission sessions (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--messages", defaultValue = "1000", description = "Messages (default: ${DEFAULT-VALUE}).")
    int messages;

    @Option(names = "--messages-per-session", defaultValue = "0",
            description = "Messages a session sends before it quits and a new one connects; 0: one session per "
                    + "connection for the whole run (default: ${DEFAULT-VALUE}).")
    int messagesPerSession;

    @Option(names = "--size", defaultValue = "10240", description = "Message size in octets (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--label", defaultValue = "", description = "Printed in front of the result line.")
    String label;

    @Option(names = "--rounds-from-stdin",
            description = "Stay up and run one round per line read from standard input, \"LABEL|HOST|PORT|MESSAGES|"
                    + "MESSAGES_PER_SESSION\", each result followed by a line END: one warmed-up generator for a "
                    + "whole comparison instead of a new JVM per round.")
    boolean roundsFromStdin;

    @Override
    public Integer call() throws Exception {
        if (!roundsFromStdin) {
            return round(label, host, port, messages, messagesPerSession);
        }
        java.io.BufferedReader in = new java.io.BufferedReader(
                new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.UTF_8));
        int failed = 0;
        for (String line; (line = in.readLine()) != null; ) {
            String[] f = line.split("\\|", -1);
            try {
                if (f.length != 5) {
                    throw new NumberFormatException("five fields");
                }
                failed |= round(f[0], f[1], Integer.parseInt(f[2]), Integer.parseInt(f[3]), Integer.parseInt(f[4]));
            } catch (NumberFormatException e) {
                System.out.println("  error: expected LABEL|HOST|PORT|MESSAGES|MESSAGES_PER_SESSION, got " + line);
                failed = 1;
            }
            System.out.println("END");
            System.out.flush();
        }
        return failed;
    }

    /** One round against {@code server}; the options give everything else. */
    private int round(String roundLabel, String server, int serverPort, int count, int perSession) throws Exception {
        SmtpLoad.Plan plan = new SmtpLoad.Plan(server, serverPort, SmtpLoad.TlsMode.STARTTLS, BenchSmtpCommand.trusting(caFile),
                user.replace("%", "%%"), 1, password, to, connections, count, size, 0);
        OutboundLoad.Result r = OutboundLoad.run(plan, perSession, sink, Duration.ofMinutes(5));
        System.out.printf("%s%d submitted, %d in the sink (%d duplicated) in %.2f s: %.1f msg/s end to end; "
                        + "delivery latency p50 %.1f ms, p90 %.1f ms, p99 %.1f ms (submission alone: %.2f s, p50 %.1f ms; "
                        + "generator CPU meanwhile %.2f ms per message)%n",
                roundLabel.isEmpty() ? "" : roundLabel + ": ", r.submitted(), r.arrived(), r.duplicated(), r.elapsedNanos() / 1e9,
                r.messagesPerSecond(), r.percentileMillis(50), r.percentileMillis(90), r.percentileMillis(99),
                r.submittedNanos() / 1e9, r.submitPercentileMillis(50),
                r.submitCpuNanos() < 0 ? Double.NaN : r.submitCpuNanos() / 1e6 / Math.max(1, r.submitted()));
        r.errors().stream().limit(5).forEach(e -> System.out.println("  error: " + e));
        return r.arrived() == r.submitted() && r.errors().isEmpty() ? 0 : 1;
    }
}
