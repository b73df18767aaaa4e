package io.sealmail.bench;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * An SMTP load generator: N concurrent sessions (TLS by STARTTLS or implicit, AUTH PLAIN) each sending messages
 * of a fixed size, one after another, as any submission client would. It records every message the server
 * acknowledged with 250 so that {@link MaildirCheck} can prove afterwards that each one arrived.
 * Written against the RFCs only, so it measures Sealmail and Postfix alike.
 *
 * <p>The clock starts once every session is established (TLS and AUTH done) and the optional warm-up messages
 * are acknowledged, so the rate is that of the established sessions; session set-up is reported on its own.
 */
public final class SmtpLoad {

    /** How the session gets to TLS. */
    public enum TlsMode { STARTTLS, IMPLICIT, NONE }

    /**
     * What to run. {@code users} is a pattern with %d for 1..userCount; session i uses user (i % userCount) + 1.
     * {@code signer}, when not null, turns each message into what is sent (a sender's DKIM signature on top, for
     * port-25 load with mail authentication checks); it runs on the session's thread, outside the latency.
     */
    public record Plan(String host, int port, TlsMode tls, SSLContext sslContext, String userPattern, int userCount,
                       String password, String recipient, int connections, int messages, int size, int warmup,
                       UnaryOperator<byte[]> signer) {
        public Plan(String host, int port, TlsMode tls, SSLContext sslContext, String userPattern, int userCount,
                    String password, String recipient, int connections, int messages, int size, int warmup) {
            this(host, port, tls, sslContext, userPattern, userCount, password, recipient, connections, messages, size,
                    warmup, null);
        }

        byte[] message(String id, String from, String to) {
            byte[] m = SmtpLoad.message(id, from, to, size);
            return signer == null ? m : signer.apply(m);
        }
    }

    /** The outcome: what was acknowledged, and how long each acknowledgement took. */
    public record Result(List<String> acknowledgedIds, List<Long> latenciesNanos, int failures,
                         List<String> errors, long elapsedNanos, long setupNanos, int warmupAcknowledged) {
        /** Messages acknowledged in the timed part (after set-up and warm-up). */
        public int measured() {
            return acknowledgedIds.size() - warmupAcknowledged;
        }

        public double messagesPerSecond() {
            return measured() / (elapsedNanos / 1e9);
        }

        public double percentileMillis(double p) {
            return SmtpLoad.percentileMillis(latenciesNanos, p);
        }
    }

    /** The p-th percentile (nearest rank) of durations in nanoseconds, in milliseconds; NaN when there are none. */
    static double percentileMillis(List<Long> nanos, double p) {
        if (nanos.isEmpty()) {
            return Double.NaN;
        }
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        int index = (int) Math.min(sorted.size() - 1, Math.ceil(p / 100.0 * sorted.size()) - 1);
        return sorted.get(Math.max(0, index)) / 1e6;
    }

    private SmtpLoad() {
    }

    public static Result run(Plan plan) throws InterruptedException {
        String runId = UUID.randomUUID().toString().substring(0, 8);
        AtomicInteger next = new AtomicInteger();
        AtomicInteger nextWarmup = new AtomicInteger();
        List<String> acknowledged = Collections.synchronizedList(new ArrayList<>());
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        List<String> errors = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger failures = new AtomicInteger();
        AtomicInteger warmupAcknowledged = new AtomicInteger();
        CountDownLatch ready = new CountDownLatch(plan.connections());
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(plan.connections());
        long setupStart = System.nanoTime();
        List<Future<?>> sessions = new ArrayList<>();
        for (int c = 0; c < plan.connections(); c++) {
            int session = c;
            sessions.add(pool.submit(() -> {
                String user = String.format(plan.userPattern(), (session % plan.userCount()) + 1);
                String rcpt = plan.recipient() != null ? plan.recipient() : user;
                boolean counted = false;
                try (SmtpClient client = SmtpClient.connect(plan, user)) {
                    int n;
                    while ((n = nextWarmup.getAndIncrement()) < plan.warmup()) {
                        String id = runId + "-w" + n;
                        if (client.send(user, rcpt, plan.message(id, user, rcpt))) {
                            acknowledged.add(id);
                            warmupAcknowledged.incrementAndGet();
                        }
                    }
                    ready.countDown();
                    counted = true;
                    go.await();
                    while ((n = next.getAndIncrement()) < plan.messages()) {
                        String id = runId + "-" + n;
                        byte[] message = plan.message(id, user, rcpt);
                        long t0 = System.nanoTime();
                        if (client.send(user, rcpt, message)) {
                            latencies.add(System.nanoTime() - t0);
                            acknowledged.add(id);
                        } else {
                            failures.incrementAndGet();
                        }
                    }
                } catch (IOException | RuntimeException | InterruptedException e) {
                    failures.incrementAndGet();
                    if (errors.size() < 20) {
                        errors.add("session " + session + ": " + e);
                    }
                } finally {
                    if (!counted) {
                        ready.countDown();
                    }
                }
                return null;
            }));
        }
        ready.await();
        long start = System.nanoTime();
        go.countDown();
        for (Future<?> f : sessions) {
            try {
                f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                errors.add(String.valueOf(e.getCause()));
            }
        }
        long elapsed = System.nanoTime() - start;
        pool.shutdownNow();
        return new Result(List.copyOf(acknowledged), List.copyOf(latencies), failures.get(), List.copyOf(errors),
                elapsed, start - setupStart, warmupAcknowledged.get());
    }

    /** A plain text message of about {@code size} octets, with the id in a header for {@link MaildirCheck}. */
    static byte[] message(String id, String from, String to, int size) {
        byte[] header = ("From: <" + from + ">\r\n"
                + "To: <" + to + ">\r\n"
                + "Subject: sealmail bench " + id + "\r\n"
                + "Message-ID: <" + id + "@bench.sealmail>\r\n"
                + MaildirCheck.ID_HEADER + ": " + id + "\r\n"
                + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        // Whole body lines up to the size, as before: the filler is encoded once, not per message.
        int lines = Math.max(0, (size - header.length + BODY_LINE.length - 1) / BODY_LINE.length);
        byte[] m = new byte[header.length + lines * BODY_LINE.length];
        System.arraycopy(header, 0, m, 0, header.length);
        System.arraycopy(filler(lines * BODY_LINE.length), 0, m, header.length, lines * BODY_LINE.length);
        return m;
    }

    private static final byte[] BODY_LINE =
            "The quick brown fox jumps over the lazy dog while the mail keeps flowing 0123456789.\r\n"
                    .getBytes(StandardCharsets.US_ASCII);
    private static volatile byte[] filler = new byte[0];

    /** At least 1 MiB of body lines (grown on demand for larger messages), shared by every message. */
    private static byte[] filler(int octets) {
        byte[] f = filler;
        if (f.length < octets) {
            int lines = (Math.max(octets, 1 << 20) + BODY_LINE.length - 1) / BODY_LINE.length;
            f = new byte[lines * BODY_LINE.length];
            for (int i = 0; i < lines; i++) {
                System.arraycopy(BODY_LINE, 0, f, i * BODY_LINE.length, BODY_LINE.length);
            }
            filler = f;
        }
        return f;
    }

    /** One SMTP session, synchronous, minimal: enough to submit messages and read multi-line replies. */
    static final class SmtpClient implements AutoCloseable {
        private static final byte[] END_OF_DATA = ".\r\n".getBytes(StandardCharsets.US_ASCII);

        private Socket socket;
        private InputStream in;
        private OutputStream out;
        private boolean pipelining;

        static SmtpClient connect(Plan plan, String user) throws IOException {
            SmtpClient c = new SmtpClient();
            Socket raw = new Socket();
            raw.setTcpNoDelay(true);
            raw.connect(new InetSocketAddress(plan.host(), plan.port()), 10_000);
            raw.setSoTimeout(60_000);
            c.use(plan.tls() == TlsMode.IMPLICIT ? c.wrap(plan, raw) : raw);
            c.expect(220);
            String ehlo = c.command("EHLO bench.sealmail", 250);
            if (plan.tls() == TlsMode.STARTTLS) {
                c.command("STARTTLS", 220);
                c.use(c.wrap(plan, c.socket));
                ehlo = c.command("EHLO bench.sealmail", 250); // RFC 3207 §4.2: only what is offered after TLS counts
            }
            // RFC 2920: the client may pipeline only when the EHLO reply names PIPELINING.
            c.pipelining = ehlo.lines().anyMatch(l -> l.length() > 4 && l.substring(4).strip().equalsIgnoreCase("PIPELINING"));
            if (plan.password() != null) {
                String token = Base64.getEncoder().encodeToString(
                        ("\0" + user + "\0" + plan.password()).getBytes(StandardCharsets.UTF_8));
                c.command("AUTH PLAIN " + token, 235);
            }
            return c;
        }

        private Socket wrap(Plan plan, Socket raw) throws IOException {
            SSLSocketFactory factory = plan.sslContext().getSocketFactory();
            SSLSocket tls = (SSLSocket) factory.createSocket(raw, plan.host(), plan.port(), true);
            SSLParameters params = tls.getSSLParameters();
            params.setEndpointIdentificationAlgorithm("HTTPS");
            tls.setSSLParameters(params);
            tls.startHandshake();
            return tls;
        }

        private void use(Socket s) throws IOException {
            socket = s;
            in = new BufferedInputStream(s.getInputStream(), 8192);
            // Buffered so that a message and its final dot leave in one write (one TLS record where it fits),
            // as any client with a buffered stream sends them; flush() marks where the client waits for a reply.
            out = new BufferedOutputStream(s.getOutputStream(), 32 * 1024);
        }

        boolean send(String from, String to, byte[] body) throws IOException {
            if (!command("MAIL FROM:<" + from + ">", -1).startsWith("250")
                    | !command("RCPT TO:<" + to + ">", -1).startsWith("250")) {
                command("RSET", 250);
                return false;
            }
            command("DATA", 354);
            return content(body);
        }

        /**
         * As {@link #send}, but with MAIL, RCPT and DATA in one write when the server offers PIPELINING (RFC 2920
         * §3.1: DATA may end a group; the client then reads the three replies in order), as an MTA's client does.
         */
        boolean sendPipelined(String from, String to, byte[] body) throws IOException {
            if (!pipelining) {
                return send(from, to, body);
            }
            out.write(("MAIL FROM:<" + from + ">\r\nRCPT TO:<" + to + ">\r\nDATA\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            boolean mail = reply().startsWith("250");
            boolean rcpt = reply().startsWith("250");
            String data = reply();
            if (data.startsWith("354")) {
                // §3.1: a server that still answers 354 gets the content; its verdict is then the reply after it.
                return content(body) && mail && rcpt;
            }
            if (mail) {
                command("RSET", 250);
            }
            return false;
        }

        private boolean content(byte[] body) throws IOException {
            out.write(body);
            out.write(END_OF_DATA);
            out.flush();
            return reply().startsWith("250");
        }

        String command(String line, int expected) throws IOException {
            out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return expected < 0 ? reply() : expect(expected);
        }

        String expect(int code) throws IOException {
            String r = reply();
            if (!r.startsWith(Integer.toString(code))) {
                throw new IOException("expected " + code + ", got: " + r.strip());
            }
            return r;
        }

        /** Reads a whole reply (RFC 5321 §4.2.1: continuation lines have '-' after the code). */
        String reply() throws IOException {
            StringBuilder all = new StringBuilder();
            while (true) {
                StringBuilder line = new StringBuilder();
                int b;
                while ((b = in.read()) != -1 && b != '\n') {
                    line.append((char) b);
                }
                if (b == -1) {
                    throw new IOException("connection closed; reply so far: " + all + line);
                }
                all.append(line).append('\n');
                if (line.length() < 4 || line.charAt(3) != '-') {
                    return all.toString();
                }
            }
        }

        @Override
        public void close() {
            try {
                command("QUIT", -1);
            } catch (IOException ignored) {
                // the server may already have closed; nothing to recover
            }
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
