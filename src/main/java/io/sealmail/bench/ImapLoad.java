package io.sealmail.bench;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * IMAP figures over IMAPS, written against RFC 9051 only so it measures Sealmail and Dovecot alike:
 * SELECT + {@code FETCH 1:* (UID FLAGS RFC822.SIZE)} (what a client does to resynchronise a folder), full-body
 * FETCH of N messages (in one command and one message per command), and N connections held in IDLE.
 */
public final class ImapLoad {

    /**
     * Where and as whom; {@code serverPid}, when known, is the server process whose CPU time (with its children's)
     * each round also reports: a figure the machine's load does not change much, unlike the wall clock.
     */
    public record Server(String host, int port, SSLContext ssl, String user, String password, Long serverPid) {
        public Server(String host, int port, SSLContext ssl, String user, String password) {
            this(host, port, ssl, user, password, null);
        }

        /** The same server as another process (it was restarted); null: not measured. */
        public Server withServerPid(Long pid) {
            return new Server(host, port, ssl, user, password, pid);
        }

        /** CPU milliseconds the server has used so far, or -1 when its process is not known. */
        long cpuMillis() throws IOException {
            return serverPid == null ? -1 : ProcessCpu.millis(serverPid);
        }
    }

    /**
     * Timings of one scenario over several rounds; the first round is also reported alone (cold caches).
     * {@code cpuMillis}: the server's CPU time per round, empty when its process is not known.
     */
    public record Rounds(List<Long> nanos, long messages, long octets, List<Long> cpuMillis) {
        public double firstMillis() {
            return nanos.get(0) / 1e6;
        }

        /** Mean server CPU time of the rounds after the first (clock ticks are 10 ms: a mean, not a median); NaN if unknown. */
        public double warmCpuMillis() {
            if (cpuMillis.size() < 2) {
                return cpuMillis.isEmpty() ? Double.NaN : cpuMillis.get(0);
            }
            return cpuMillis.subList(1, cpuMillis.size()).stream().mapToLong(Long::longValue).average().orElse(Double.NaN);
        }

        /** Median of the rounds after the first (the first one alone when there is only one). */
        public double warmMedianMillis() {
            List<Long> warm = new ArrayList<>(nanos.size() > 1 ? nanos.subList(1, nanos.size()) : nanos);
            Collections.sort(warm);
            return warm.get(warm.size() / 2) / 1e6;
        }
    }

    private ImapLoad() {
    }

    /** SELECT then FETCH 1:* (UID FLAGS RFC822.SIZE), {@code rounds} times on one logged-in connection. */
    public static Rounds listing(Server server, String folder, int rounds) throws IOException {
        try (Session s = Session.login(server)) {
            List<Long> times = new ArrayList<>();
            List<Long> cpu = new ArrayList<>();
            long messages = 0;
            for (int r = 0; r < rounds; r++) {
                long c0 = server.cpuMillis();
                long t0 = System.nanoTime();
                s.command("SELECT " + quote(folder));
                messages = s.command("FETCH 1:* (UID FLAGS RFC822.SIZE)").fetches();
                times.add(System.nanoTime() - t0);
                addCpu(cpu, server, c0);
            }
            return new Rounds(times, messages, 0, cpu);
        }
    }

    /** What Thunderbird sends to fill its message list (the header workload). */
    public static final String HEADER_FETCH = "FETCH 1:* (UID RFC822.SIZE FLAGS BODY.PEEK[HEADER.FIELDS (From To Cc Subject Date "
            + "Message-ID References In-Reply-To Content-Type)])";
    /** What many mobile clients send. */
    public static final String ENVELOPE_FETCH = "FETCH 1:* (UID FLAGS ENVELOPE BODYSTRUCTURE INTERNALDATE)";

    /**
     * Octets the server sends for Thunderbird's header sync ({@link #HEADER_FETCH}), counted above TLS: as IMAP
     * text ({@code plain}) and as they crossed the connection ({@code wire}, smaller with COMPRESS=DEFLATE).
     */
    public record WireOctets(long fetches, long plain, long wire) {
    }

    public static WireOctets headerSyncOctets(Server server, String folder, boolean compress) throws IOException {
        try (Session s = Session.login(server)) {
            if (compress) {
                s.compress();
            }
            s.command("EXAMINE " + quote(folder));
            long plain0 = s.connection.received();
            long wire0 = s.connection.wireOctets();
            long fetches = s.command(HEADER_FETCH).fetches();
            return new WireOctets(fetches, s.connection.received() - plain0, s.connection.wireOctets() - wire0);
        }
    }

    /** One command, {@code rounds} times, on a session with the folder EXAMINEd (nothing changes). */
    public static Rounds command(Server server, String folder, String command, int rounds) throws IOException {
        return downloads(server, folder, rounds, s -> s.command(command).fetches());
    }

    /**
     * A SORT or THREAD's timings and its answer: the SHA-256 (first 16 hex digits) and length of the untagged
     * {@code * SORT}/{@code * THREAD} line of the last round, so two servers' answers can be compared in the output.
     */
    public record Listed(Rounds rounds, String answerSha256, long answerOctets) {
    }

    /** As {@link #command}, keeping the last round's answer digest ({@link Listed}). */
    public static Listed listed(Server server, String folder, String command, int rounds) throws IOException {
        Reply[] last = new Reply[1];
        Rounds r = downloads(server, folder, rounds, s -> {
            last[0] = s.command(command);
            return last[0].fetches();
        });
        return new Listed(r, last[0].answerSha256(), last[0].answerOctets());
    }

    /**
     * {@code STORE 1:* +FLAGS.SILENT (\Seen)} then {@code -FLAGS.SILENT (\Seen)}, timed together, on a SELECTed
     * folder; the folder ends as it began.
     */
    public static Rounds storeFlags(Server server, String folder, int rounds) throws IOException {
        try (Session s = Session.login(server)) {
            s.command("SELECT " + quote(folder));
            List<Long> times = new ArrayList<>();
            List<Long> cpu = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                long c0 = server.cpuMillis();
                long t0 = System.nanoTime();
                s.command("STORE 1:* +FLAGS.SILENT (\\Seen)");
                s.command("STORE 1:* -FLAGS.SILENT (\\Seen)");
                times.add(System.nanoTime() - t0);
                addCpu(cpu, server, c0);
            }
            return new Rounds(times, 0, 0, cpu);
        }
    }

    /**
     * {@code STORE 1:* +FLAGS.SILENT (\Seen)} alone (what "mark all as read" sends), timed twice: until it is answered,
     * and until the server has done all the work it caused, which a server may finish after the answer (Sealmail
     * renames the Maildir files after it; Dovecot before). The second is the last moment the server's CPU time was
     * seen to grow, polled every {@link #POLL_MILLIS} ms until it stood still for {@link #QUIET_MILLIS} ms (so about
     * {@link #POLL_MILLIS} ms coarse; the server must be otherwise idle), and the CPU figure covers it. Each round
     * then takes the flag off again, untimed, and waits for quiet as well. Without the server's process only the
     * answer is timed.
     */
    public static Settled storeSettled(Server server, String folder, int rounds) throws IOException {
        try (Session s = Session.login(server)) {
            s.command("SELECT " + quote(folder));
            List<Long> answered = new ArrayList<>();
            List<Long> settled = new ArrayList<>();
            List<Long> cpu = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                quiet(server, System.nanoTime(), server.cpuMillis());
                long c0 = server.cpuMillis();
                long t0 = System.nanoTime();
                s.command("STORE 1:* +FLAGS.SILENT (\\Seen)");
                answered.add(System.nanoTime() - t0);
                long[] last = quiet(server, t0, c0);
                settled.add(Math.max(last[0], answered.get(r)));
                cpu.add(last[1] - c0);
                s.command("STORE 1:* -FLAGS.SILENT (\\Seen)");
            }
            quiet(server, System.nanoTime(), server.cpuMillis());
            return new Settled(new Rounds(answered, 0, 0, List.of()), new Rounds(settled, 0, 0, cpu));
        }
    }

    static final long POLL_MILLIS = 20;
    static final long QUIET_MILLIS = 300;
    /** A server that never stands still (other load on it) ends the wait here, with what was seen by then. */
    static final long MAX_WAIT_MILLIS = 30_000;

    /** Both figures of {@link #storeSettled}: until answered, and until the server's work was done (with its CPU time). */
    public record Settled(Rounds answered, Rounds settled) {
    }

    /**
     * Waits until the server's CPU time stood still for {@link #QUIET_MILLIS} ms, at most {@link #MAX_WAIT_MILLIS};
     * returns when it last grew (nanos since {@code t0}) and its CPU time then.
     */
    private static long[] quiet(Server server, long t0, long cpu0) throws IOException {
        if (server.serverPid() == null) {
            return new long[]{0, cpu0}; // not known (a client's warm-up): the answer is all that can be timed
        }
        long last = cpu0;
        long lastChange = System.nanoTime();
        long giveUp = lastChange + MAX_WAIT_MILLIS * 1_000_000;
        while (System.nanoTime() - lastChange < QUIET_MILLIS * 1_000_000 && System.nanoTime() < giveUp) {
            try {
                Thread.sleep(POLL_MILLIS); // the benchmark client's own thread
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            long now = server.cpuMillis();
            if (now > last) {
                last = now;
                lastChange = System.nanoTime();
            }
        }
        return new long[]{lastChange - t0, last};
    }

    /**
     * A QRESYNC resynchronisation (RFC 7162) after {@code changes} flag changes made by another session: untimed,
     * the other session clears \Flagged on messages 1..changes, this client learns UIDVALIDITY and HIGHESTMODSEQ, and
     * the other session sets \Flagged on them; timed, this client sends
     * {@code SELECT folder (QRESYNC (uidvalidity modseq))}, whose FETCH responses are counted.
     */
    public static Rounds qresync(Server server, String folder, int changes, int rounds) throws IOException {
        try (Session client = Session.login(server); Session other = Session.login(server)) {
            client.command("ENABLE QRESYNC");
            other.command("SELECT " + quote(folder));
            List<Long> times = new ArrayList<>();
            List<Long> cpu = new ArrayList<>();
            long messages = 0;
            for (int r = 0; r < rounds; r++) {
                // Untimed: clear the flag first, so that the change below is a change whatever an earlier run left.
                other.command("STORE 1:" + changes + " -FLAGS.SILENT (\\Flagged)");
                Reply status = client.command("STATUS " + quote(folder) + " (UIDVALIDITY HIGHESTMODSEQ)");
                long validity = status.number("UIDVALIDITY");
                long modseq = status.number("HIGHESTMODSEQ");
                other.command("STORE 1:" + changes + " +FLAGS.SILENT (\\Flagged)");
                long c0 = server.cpuMillis();
                long t0 = System.nanoTime();
                messages = client.command("SELECT " + quote(folder) + " (QRESYNC (" + validity + " " + modseq + "))").fetches();
                times.add(System.nanoTime() - t0);
                addCpu(cpu, server, c0);
                client.command("UNSELECT");
            }
            return new Rounds(times, messages, 0, cpu);
        }
    }

    /** {@code FETCH 1:n (BODY.PEEK[])} in one command, {@code rounds} times. */
    public static Rounds bodiesInOneCommand(Server server, String folder, int count, int rounds) throws IOException {
        return downloads(server, folder, rounds, s -> s.command("FETCH 1:" + count + " (BODY.PEEK[])").fetches());
    }

    /** {@code FETCH i (BODY.PEEK[])} for i in 1..n, one command per message (as clients that download one by one). */
    public static Rounds bodiesOneByOne(Server server, String folder, int count, int rounds) throws IOException {
        return downloads(server, folder, rounds, s -> {
            long messages = 0;
            for (int i = 1; i <= count; i++) {
                messages += s.command("FETCH " + i + " (BODY.PEEK[])").fetches();
            }
            return messages;
        });
    }

    private interface Download {
        long run(Session s) throws IOException;
    }

    /** Times one download per round on a session with the folder EXAMINEd (read-only: nothing changes). */
    private static Rounds downloads(Server server, String folder, int rounds, Download download) throws IOException {
        try (Session s = Session.login(server)) {
            s.command("EXAMINE " + quote(folder));
            List<Long> times = new ArrayList<>();
            List<Long> cpu = new ArrayList<>();
            long messages = 0;
            long octets = 0;
            for (int r = 0; r < rounds; r++) {
                long before = s.connection.received();
                long c0 = server.cpuMillis();
                long t0 = System.nanoTime();
                messages = download.run(s);
                times.add(System.nanoTime() - t0);
                addCpu(cpu, server, c0);
                octets = s.connection.received() - before;
            }
            return new Rounds(times, messages, octets, cpu);
        }
    }

    /** Adds the server's CPU time since {@code before} to {@code cpu}, when the server's process is known. */
    static void addCpu(List<Long> cpu, Server server, long before) throws IOException {
        if (before >= 0) {
            cpu.add(server.cpuMillis() - before);
        }
    }

    /** Connections logged in, INBOX selected, in IDLE: close them all to end the test. */
    public static final class IdleSessions implements AutoCloseable {
        private final List<Session> sessions = Collections.synchronizedList(new ArrayList<>());
        private final List<String> errors = Collections.synchronizedList(new ArrayList<>());
        private final AtomicInteger failures = new AtomicInteger();

        public int open() {
            return sessions.size();
        }

        public int failures() {
            return failures.get();
        }

        public List<String> errors() {
            return errors;
        }

        @Override
        public void close() {
            for (Session s : sessions) {
                try {
                    s.connection.send("DONE");
                    s.connection.send("Z LOGOUT");
                } catch (IOException ignored) {
                    // the server may have gone; the socket is closed below
                }
                s.connection.close();
            }
        }
    }

    /** Opens {@code count} sessions in IDLE, {@code parallel} at a time; failures are counted, not thrown. */
    public static IdleSessions idle(Server server, int count, int parallel, boolean compress) throws InterruptedException {
        IdleSessions idle = new IdleSessions();
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(parallel);
        List<Future<?>> workers = new ArrayList<>();
        for (int w = 0; w < parallel; w++) {
            workers.add(pool.submit(() -> {
                while (next.getAndIncrement() < count) {
                    Session s = null;
                    try {
                        s = Session.login(server);
                        if (compress) {
                            s.compress();
                        }
                        s.command("SELECT INBOX");
                        s.connection.send("I IDLE");
                        String line;
                        while (!(line = s.connection.line()).startsWith("+")) {
                            if (line.startsWith("I ")) {
                                throw new IOException("IDLE refused: " + line);
                            }
                        }
                        idle.sessions.add(s);
                    } catch (IOException | RuntimeException e) {
                        if (s != null) {
                            s.connection.close();
                        }
                        idle.failures.incrementAndGet();
                        if (idle.errors.size() < 10) {
                            idle.errors.add(e.toString());
                        }
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : workers) {
            try {
                f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                idle.errors.add(String.valueOf(e.getCause()));
            }
        }
        pool.shutdownNow();
        return idle;
    }

    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** A logged-in IMAP session that sends one command at a time and reads to its tagged reply. */
    static final class Session implements AutoCloseable {
        final BenchConnection connection;
        private int tag;

        private Session(BenchConnection connection) {
            this.connection = connection;
        }

        static Session login(Server server) throws IOException {
            BenchConnection c = BenchConnection.open(server.host(), server.port(), server.ssl());
            Session s = new Session(c);
            try {
                String greeting = c.line();
                if (!greeting.startsWith("* OK")) {
                    throw new IOException("unexpected greeting: " + greeting);
                }
                s.command("LOGIN " + quote(server.user()) + " " + quote(server.password()));
                return s;
            } catch (IOException | RuntimeException e) {
                c.close();
                throw e;
            }
        }

        /** RFC 4978: COMPRESS DEFLATE, then everything after the tagged OK is deflated both ways. */
        void compress() throws IOException {
            command("COMPRESS DEFLATE");
            connection.compress();
        }

        /** The tagged reply must be OK; untagged FETCH responses are counted and their literals skipped. */
        Reply command(String command) throws IOException {
            String t = "b" + (++tag);
            connection.send(t + " " + command);
            long fetches = 0;
            List<String> status = new ArrayList<>();
            String answer = null;
            while (true) {
                String line = connection.line();
                if (line.startsWith(t + " ")) {
                    if (!line.startsWith(t + " OK")) {
                        throw new IOException(command.split(" ")[0] + " failed: " + line);
                    }
                    return new Reply(fetches, status, answer);
                }
                if (line.startsWith("* ") && line.contains(" FETCH (")) {
                    fetches++;
                } else if (line.startsWith("* SORT") || line.startsWith("* THREAD")) {
                    fetches += numbers(line); // the messages a SORT or THREAD answer lists
                    answer = line;
                } else if (line.startsWith("* STATUS ")) {
                    status.add(line);
                }
                // A line ending in {n} announces a literal; the response goes on after it.
                while (line.endsWith("}")) {
                    int open = line.lastIndexOf('{');
                    if (open < 0) {
                        break;
                    }
                    connection.skip(Long.parseLong(line.substring(open + 1, line.length() - 1).replace("+", "")));
                    line = connection.line();
                }
            }
        }

        @Override
        public void close() {
            try {
                connection.send("z LOGOUT");
            } catch (IOException ignored) {
                // closing anyway
            }
            connection.close();
        }
    }

    /** How many numbers a line holds (message numbers in a SORT or THREAD response). */
    static long numbers(String line) {
        long n = 0;
        boolean inNumber = false;
        for (int i = 0; i < line.length(); i++) {
            boolean digit = Character.isDigit(line.charAt(i));
            if (digit && !inNumber) {
                n++;
            }
            inNumber = digit;
        }
        return n;
    }

    /** @param status untagged STATUS lines */
    record Reply(long fetches, List<String> status, String answer) {
        /** The first 16 hex digits of the SHA-256 of the SORT or THREAD line (UTF-8), or "-" without one. */
        String answerSha256() {
            if (answer == null) {
                return "-";
            }
            try {
                byte[] d = java.security.MessageDigest.getInstance("SHA-256")
                        .digest(answer.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                return java.util.HexFormat.of().formatHex(d, 0, 8);
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        long answerOctets() {
            return answer == null ? 0 : answer.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        }

        /** A number from a STATUS response ({@code UIDVALIDITY 123}). */
        long number(String item) throws IOException {
            for (String line : status) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile(item + " (\\d+)").matcher(line);
                if (m.find()) {
                    return Long.parseLong(m.group(1));
                }
            }
            throw new IOException("no " + item + " in the STATUS response");
        }
    }
}
