package io.sealmail.bench;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bad-login flood against an IMAPS server, and what it does to a legitimate user. Each attacker is one thread with
 * one connection at a time from its own local address, sending wrong passwords ({@code LOGIN}) as fast as the
 * server answers, reconnecting whenever the server closes. Meanwhile the user, from another address, connects, logs
 * in and SELECTs a folder, again and again; the time from sending LOGIN to the tagged OK of SELECT is the figure.
 */
public final class LoginFloodLoad {
    /**
     * @param host      the name the certificate must carry
     * @param address   where the server listens
     * @param user      the legitimate login; attackers try the same account with wrong passwords
     */
    public record Target(String host, InetSocketAddress address, SSLContext ssl, String user, String password,
                         String folder) {
    }

    /** Latencies of the user's LOGIN+SELECT, and what the attackers achieved meanwhile. */
    public record Figures(List<Long> nanos, long attempts, long refusals, long closes, long errors) {
        public double percentileMillis(double p) {
            List<Long> sorted = new ArrayList<>(nanos);
            Collections.sort(sorted);
            int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
            return sorted.get(Math.max(0, Math.min(i, sorted.size() - 1))) / 1e6;
        }
    }

    private LoginFloodLoad() {
    }

    /**
     * @param attackers   attacking connections, each from its own address: {@code firstAttacker}, then the next ones
     * @param userFrom    the user's local address
     * @param warmupMillis how long the flood runs before the user starts measuring
     * @param samples     LOGIN+SELECT measurements, each on a fresh connection
     */
    public static Figures run(Target target, int attackers, InetAddress firstAttacker, InetAddress userFrom,
                              long warmupMillis, int samples) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong attempts = new AtomicLong();
        AtomicLong refusals = new AtomicLong();
        AtomicLong closes = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < attackers; i++) {
            InetAddress from = offset(firstAttacker, i);
            Thread t = new Thread(() -> attack(target, from, stop, attempts, refusals, closes, errors), "attacker-" + i);
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
        try {
            Thread.sleep(warmupMillis);   // a load generator's ramp-up, not a test waiting for a condition
            List<Long> nanos = new ArrayList<>();
            for (int i = 0; i < samples; i++) {
                nanos.add(loginAndSelect(target, userFrom));
            }
            return new Figures(nanos, attempts.get(), refusals.get(), closes.get(), errors.get());
        } finally {
            stop.set(true);
            for (Thread t : threads) {
                t.join(5_000);
            }
        }
    }

    static long loginAndSelect(Target target, InetAddress from) throws IOException {
        try (BenchConnection c = BenchConnection.open(target.host(), target.address(), from, target.ssl())) {
            String greeting = c.line();
            if (!greeting.startsWith("* OK")) {
                throw new IOException("unexpected greeting: " + greeting);
            }
            long start = System.nanoTime();
            c.send("a LOGIN " + ImapLoad.quote(target.user()) + " " + ImapLoad.quote(target.password()));
            expectOk(c, "a ");
            c.send("b SELECT " + ImapLoad.quote(target.folder()));
            expectOk(c, "b ");
            long took = System.nanoTime() - start;
            c.send("c LOGOUT");
            return took;
        }
    }

    private static void expectOk(BenchConnection c, String tag) throws IOException {
        String line;
        do {
            line = c.line();
        } while (!line.startsWith(tag));
        if (!line.startsWith(tag + "OK")) {
            throw new IOException("the legitimate user was refused: " + line);
        }
    }

    private static void attack(Target target, InetAddress from, AtomicBoolean stop, AtomicLong attempts,
                               AtomicLong refusals, AtomicLong closes, AtomicLong errors) {
        int n = 0;
        while (!stop.get()) {
            try (BenchConnection c = BenchConnection.open(target.host(), target.address(), from, target.ssl())) {
                c.line();
                while (!stop.get()) {
                    String tag = "x" + (++n);
                    c.send(tag + " LOGIN " + ImapLoad.quote(target.user()) + " \"wrong-" + n + "\"");
                    attempts.incrementAndGet();
                    String line;
                    do {
                        line = c.line();
                    } while (!line.startsWith(tag + " "));
                    if (line.startsWith(tag + " OK")) {
                        throw new IllegalStateException("a wrong password was accepted: " + line);
                    }
                    refusals.incrementAndGet();
                }
            } catch (IOException e) {
                // The server closed the connection (too many failures, or a limit): reconnect, as an attacker does.
                if (e.getMessage() != null && e.getMessage().startsWith("connection closed")) {
                    closes.incrementAndGet();
                } else {
                    errors.incrementAndGet();
                    pauseAfterError();
                }
            }
        }
    }

    /** A refused connection is retried after a pause, so the generator does not spin and skew the machine. */
    private static void pauseAfterError() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The address {@code n} after {@code first} (IPv4). */
    static InetAddress offset(InetAddress first, int n) throws UnknownHostException {
        byte[] b = first.getAddress();
        long v = ((b[0] & 0xffL) << 24 | (b[1] & 0xffL) << 16 | (b[2] & 0xffL) << 8 | (b[3] & 0xffL)) + n;
        return InetAddress.getByAddress(new byte[] {(byte) (v >> 24), (byte) (v >> 16), (byte) (v >> 8), (byte) v});
    }
}
