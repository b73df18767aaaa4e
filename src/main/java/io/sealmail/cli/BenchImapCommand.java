package io.sealmail.cli;

import io.sealmail.bench.ImapLoad;
import io.sealmail.bench.ProcessMemory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code sealmail bench imap}: folder listing, body download and idle-connection memory against any IMAPS server. */
@Command(name = "imap", mixinStandardHelpOptions = true,
        description = {"IMAP figures over IMAPS: SELECT + FETCH 1:* (UID FLAGS RFC822.SIZE), full-body FETCH of N messages,",
                "and the server's resident memory per connection held in IDLE."})
public class BenchImapCommand implements Callable<Integer> {

    @Mixin
    MailboxServerOptions options;

    @Option(names = "--port", defaultValue = "10993", description = "Port, implicit TLS (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--folder", defaultValue = "INBOX", description = "Folder to list and read (default: ${DEFAULT-VALUE}).")
    String folder;

    @Option(names = "--tests", split = ",", defaultValue = "list,bodies",
            description = {"Which figures: list, bodies, idle; headers (Thunderbird's header-field FETCH 1:*), envelope",
                    "(FETCH 1:* of ENVELOPE BODYSTRUCTURE), search (UID SEARCH FROM / SUBJECT), store (STORE 1:* +/-FLAGS),",
                    "store-settled (STORE 1:* +FLAGS alone: until answered, and until the server's CPU stands still; needs",
                    "--server-pid), qresync (SELECT with QRESYNC after --changes flag changes by another session), sort (SORT (REVERSE DATE)",
                    "UTF-8 ALL), thread (THREAD REFERENCES UTF-8 ALL), refs (THREAD REFS UTF-8 ALL), compress (octets the server sends for the headers FETCH",
                    "without and with COMPRESS=DEFLATE) (default: ${DEFAULT-VALUE})."})
    List<String> tests;

    @Option(names = "--rounds", defaultValue = "10", description = "Rounds per figure; the first is reported alone as cold (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--bodies", defaultValue = "1000", description = "Messages to download in the bodies test (default: ${DEFAULT-VALUE}).")
    int bodies;

    @Option(names = "--changes", defaultValue = "100", description = "Messages another session changes before each QRESYNC (default: ${DEFAULT-VALUE}).")
    int changes;

    @Option(names = "--search-subject", defaultValue = "fill-000777",
            description = "Word for UID SEARCH SUBJECT (default: ${DEFAULT-VALUE}, one message of a 'sealmail bench fill' folder).")
    String searchSubject;

    @Option(names = "--idle-connections", defaultValue = "5000", description = "Connections held in IDLE (default: ${DEFAULT-VALUE}).")
    int idleConnections;

    @Option(names = "--idle-user", description = "Login for the idle connections (default: --user).")
    String idleUser;

    @Option(names = "--parallel", defaultValue = "8", description = "Connections being opened at once in the idle test (default: ${DEFAULT-VALUE}).")
    int parallel;

    @Option(names = "--hold", defaultValue = "0", description = "Seconds to keep the idle connections open after measuring (to inspect the server).")
    int hold;

    @Option(names = "--compress", description = "The idle connections turn on COMPRESS=DEFLATE after LOGIN (RFC 4978).")
    boolean compress;

    @Option(names = "--gc-before-sample",
            description = {"The server is a JVM: run 'jcmd PID GC.run' before the first sample, and report a second sample after",
                    "another GC besides the plain one, so garbage left by the logins does not count as held memory."})
    boolean gcBeforeSample;

    @Option(names = "--client-warm-up", defaultValue = "0",
            description = {"Run the tests this many rounds first, unreported, so that this client's own JIT is warm before the",
                    "reported rounds (with --server-pid-from-stdin: figures after a server restart that measure the",
                    "server's first use, not a new client JVM's) (default: ${DEFAULT-VALUE})."})
    int clientWarmUp;

    @Option(names = "--server-pid-from-stdin",
            description = {"After the client warm-up, print a line 'ready' and wait for a line on standard input: the server's",
                    "process ID to measure from then on (a server restarted meanwhile), or an empty line to keep --server-pid."})
    boolean serverPidFromStdin;

    /** Where the new server PID is read from and the figures go (tests replace them). */
    InputStream in = System.in;
    PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        if (rounds < 1 || bodies < 1 || idleConnections < 1 || parallel < 1 || clientWarmUp < 0) {
            throw new UserError("--rounds, --bodies, --idle-connections and --parallel must be at least 1, --client-warm-up at least 0");
        }
        if ((clientWarmUp > 0 || serverPidFromStdin) && tests.stream().anyMatch(t -> t.trim().equalsIgnoreCase("idle"))) {
            throw new UserError("--client-warm-up and --server-pid-from-stdin are for the timed tests, not idle");
        }
        ImapLoad.Server server = options.server(port);
        out.printf("sealmail bench imap: %s:%d user=%s folder=%s rounds=%d%n", options.host, port, options.user, folder, rounds);
        if (clientWarmUp > 0) {
            // The client's JIT compiles its response loop here; nothing is reported, the server's figures come after.
            run(server, clientWarmUp, new PrintStream(PrintStream.nullOutputStream(), false, StandardCharsets.UTF_8));
        }
        if (serverPidFromStdin) {
            out.println("ready");
            out.flush();
            server = server.withServerPid(serverPid(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine(),
                    server.serverPid()));
        }
        run(server, rounds, out);
        return 0;
    }

    /** The line the script sends once the server has restarted: its PID, or empty for the one given before. */
    static Long serverPid(String line, Long before) {
        if (line == null) {
            throw new UserError("--server-pid-from-stdin: standard input ended before the server's PID");
        }
        if (line.isBlank()) {
            return before;
        }
        try {
            long pid = Long.parseLong(line.trim());
            if (pid > 0) {
                return pid;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UserError("--server-pid-from-stdin: '" + line.trim() + "' is not a process ID");
    }

    /** Each test {@code times} rounds, figures to {@code to}. */
    private void run(ImapLoad.Server server, int times, PrintStream to) throws Exception {
        for (String test : tests) {
            switch (test.trim().toLowerCase(Locale.ROOT)) {
                case "list" -> {
                    ImapLoad.Rounds r = ImapLoad.listing(server, folder, times);
                    to.printf("SELECT + FETCH 1:* (UID FLAGS RFC822.SIZE), %d messages: first %.1f ms, then median %.1f ms%s%n",
                            r.messages(), r.firstMillis(), r.warmMedianMillis(), MailboxServerOptions.cpu(r));
                }
                case "bodies" -> {
                    ImapLoad.Rounds one = ImapLoad.bodiesInOneCommand(server, folder, bodies, times);
                    to.printf("FETCH 1:%d (BODY.PEEK[]), %d messages, %.1f MB: first %.1f ms, then median %.1f ms%s%n",
                            bodies, one.messages(), one.octets() / 1e6, one.firstMillis(), one.warmMedianMillis(), MailboxServerOptions.cpu(one));
                    ImapLoad.Rounds each = ImapLoad.bodiesOneByOne(server, folder, bodies, times);
                    to.printf("FETCH n (BODY.PEEK[]) for n = 1..%d, one command each: first %.1f ms, then median %.1f ms%s%n",
                            bodies, each.firstMillis(), each.warmMedianMillis(), MailboxServerOptions.cpu(each));
                }
                case "idle" -> idle(server);
                case "headers" -> print(to, "FETCH 1:* (UID RFC822.SIZE FLAGS BODY.PEEK[HEADER.FIELDS (9 fields)])",
                        ImapLoad.command(server, folder, ImapLoad.HEADER_FETCH, times));
                case "envelope" -> print(to, "FETCH 1:* (UID FLAGS ENVELOPE BODYSTRUCTURE INTERNALDATE)",
                        ImapLoad.command(server, folder, ImapLoad.ENVELOPE_FETCH, times));
                case "search" -> {
                    print(to, "UID SEARCH FROM nobody-matches", ImapLoad.command(server, folder, "UID SEARCH FROM nobody-matches", times));
                    print(to, "UID SEARCH SUBJECT " + searchSubject,
                            ImapLoad.command(server, folder, "UID SEARCH SUBJECT " + searchSubject, times));
                }
                case "store" -> print(to, "STORE 1:* +FLAGS.SILENT (\\Seen) and -FLAGS.SILENT (\\Seen)", ImapLoad.storeFlags(server, folder, times));
                case "store-settled" -> {
                    ImapLoad.Settled r = ImapLoad.storeSettled(server, folder, times);
                    print(to, "STORE 1:* +FLAGS.SILENT (\\Seen) alone, answered", r.answered());
                    if (server.serverPid() != null) {
                        print(to, "STORE 1:* +FLAGS.SILENT (\\Seen) alone, server's work done", r.settled());
                    }
                }
                case "qresync" -> print(to, "SELECT (QRESYNC) after " + changes + " flag changes by another session",
                        ImapLoad.qresync(server, folder, changes, times));
                case "compress" -> {
                    ImapLoad.WireOctets plain = ImapLoad.headerSyncOctets(server, folder, false);
                    ImapLoad.WireOctets deflated = ImapLoad.headerSyncOctets(server, folder, true);
                    to.printf("header FETCH 1:* octets from the server, %d messages: %d without COMPRESS, %d with"
                                    + " COMPRESS=DEFLATE (%.1f%%)%n",
                            deflated.fetches(), plain.wire(), deflated.wire(), 100.0 * deflated.wire() / plain.wire());
                }
                case "sort" -> printListed(to, SORT, ImapLoad.listed(server, folder, SORT, times));
                case "thread" -> printListed(to, THREAD, ImapLoad.listed(server, folder, THREAD, times));
                case "refs" -> printListed(to, REFS, ImapLoad.listed(server, folder, REFS, times));
                default -> throw new UserError("--tests: unknown test '" + test
                        + "' (list, bodies, idle, headers, envelope, search, store, store-settled, qresync, sort, thread, refs, compress)");
            }
        }
    }

    /** The SORT and THREAD workloads (what webmail sends to list a folder newest first, or by thread). */
    static final String SORT = "SORT (REVERSE DATE) UTF-8 ALL";
    static final String THREAD = "THREAD REFERENCES UTF-8 ALL";
    static final String REFS = "THREAD REFS UTF-8 ALL";

    /** The answer's digest lets the output show that both servers answered the same octets. */
    private static void printListed(PrintStream out, String what, ImapLoad.Listed listed) {
        ImapLoad.Rounds r = listed.rounds();
        out.printf("%s: %d messages listed: first %.1f ms, then median %.1f ms%s; answer %d octets, sha256 %s%n",
                what, r.messages(), r.firstMillis(), r.warmMedianMillis(), MailboxServerOptions.cpu(r),
                listed.answerOctets(), listed.answerSha256());
    }

    private static void print(PrintStream out, String what, ImapLoad.Rounds r) {
        out.printf("%s: %d FETCH responses: first %.1f ms, then median %.1f ms%s%n",
                what, r.messages(), r.firstMillis(), r.warmMedianMillis(), MailboxServerOptions.cpu(r));
    }

    private void report(String what, ProcessMemory.Sample before, ProcessMemory.Sample after, int connections) {
        out.printf("%s: RSS %d -> %d KiB (%.1f KiB per connection), PSS %d -> %d KiB (%.1f KiB per connection), %d -> %d processes%n",
                what, before.rssKib(), after.rssKib(), (after.rssKib() - before.rssKib()) / (double) connections,
                before.pssKib(), after.pssKib(), (after.pssKib() - before.pssKib()) / (double) connections,
                before.processes(), after.processes());
    }

    private ProcessMemory.Sample sample() throws Exception {
        if (gcBeforeSample) {
            Process jcmd = new ProcessBuilder("jcmd", Long.toString(options.serverPid), "GC.run").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (jcmd.waitFor() != 0) {
                throw new UserError("jcmd " + options.serverPid + " GC.run failed: is the server a JVM of this user?");
            }
            Thread.sleep(1000);
        }
        return ProcessMemory.of(options.serverPid);
    }

    private void idle(ImapLoad.Server server) throws Exception {
        ImapLoad.Server idleServer = idleUser == null ? server
                : new ImapLoad.Server(server.host(), server.port(), server.ssl(), idleUser, server.password());
        ProcessMemory.Sample before = options.serverPid == null ? null : sample();
        long t0 = System.nanoTime();
        try (ImapLoad.IdleSessions sessions = ImapLoad.idle(idleServer, idleConnections, parallel, compress)) {
            double seconds = (System.nanoTime() - t0) / 1e9;
            out.printf("IDLE: %d connections open (LOGIN, %sSELECT INBOX, IDLE) in %.1f s, %d failed%n",
                    sessions.open(), compress ? "COMPRESS DEFLATE, " : "", seconds, sessions.failures());
            sessions.errors().forEach(e -> out.println("  error: " + e));
            if (before != null && sessions.open() > 0) {
                Thread.sleep(3000); // let the server finish what the last logins started
                report("server memory", before, ProcessMemory.of(options.serverPid), sessions.open());
                if (gcBeforeSample) {
                    report("server memory after a GC", before, sample(), sessions.open());
                }
            }
            Thread.sleep(hold * 1000L);
        }
    }
}
