package io.sealmail.cli;

import io.sealmail.config.Inbound;
import io.sealmail.engine.delivery.dns.DnsAnswer;
import io.sealmail.engine.delivery.dns.DnsLookup;
import io.sealmail.engine.mailauth.AuthResult;
import io.sealmail.engine.mailauth.DkimAlgorithm;
import io.sealmail.engine.mailauth.DkimResult;
import io.sealmail.engine.mailauth.DkimSigner;
import io.sealmail.engine.mailauth.DkimSigningKey;
import io.sealmail.engine.mailauth.DkimVerifier;
import io.sealmail.engine.mailauth.InboundChecks;
import io.sealmail.engine.mailauth.InboundVerdict;
import io.sealmail.engine.mailauth.MessageSource;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.NamedParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code sealmail bench mailauth}: the cost of DKIM signing and verifying a 10 KB message (rsa-2048, ed25519, both),
 * and of the whole inbound check (SPF + DKIM + DMARC), first with DNS answered from memory (the CPU cost), then,
 * with {@code --dns}, against a real DNS server on several threads (messages per second). The keys come from a
 * fixed seed, so {@code --print-zone} gives the records a local dnsmasq must serve (bench/mailauth.sh does this).
 */
@Command(name = "mailauth", mixinStandardHelpOptions = true,
        description = "DKIM sign/verify cost per 10 KB message and inbound SPF+DKIM+DMARC checks per second.")
public class BenchMailAuthCommand implements Callable<Integer> {
    static final String DOMAIN = "bench.test";
    static final String CLIENT = "192.0.2.10";

    @Spec
    CommandSpec spec;

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "5",
            description = "Measuring time per row in seconds, after a warm-up of up to 3 s (default: ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--dns", paramLabel = "HOST:PORT",
            description = "Also run the inbound checks against this DNS server (it must serve --print-zone's records).")
    String dns;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "4",
            description = "Threads for the --dns row (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--print-zone", description = "Print the records (as dnsmasq --txt-record options) and exit.")
    boolean printZone;

    private interface Work {
        void once() throws Exception;
    }

    @Override
    public Integer call() throws Exception {
        if (!(seconds > 0 && seconds <= 600)) {
            throw new UserError("--seconds must be more than 0 and at most 600, got " + seconds);
        }
        if (threads < 1 || threads > 256) {
            throw new UserError("--threads must be 1-256, got " + threads);
        }
        DkimSigningKey rsa = key(DkimAlgorithm.RSA_SHA256, "rsa1");
        DkimSigningKey ed = key(DkimAlgorithm.ED25519_SHA256, "ed1");
        Map<String, String> zone = new LinkedHashMap<>();
        zone.put(rsa.recordName(), rsa.recordText());
        zone.put(ed.recordName(), ed.recordText());
        zone.put(DOMAIN, "v=spf1 ip4:" + CLIENT + " -all");
        zone.put("_dmarc." + DOMAIN, "v=DMARC1; p=reject");
        PrintWriter out = spec.commandLine().getOut();
        if (printZone) {
            zone.forEach((name, value) -> out.println("--txt-record=" + name + "," + String.join(",", split255(value))));
            out.flush();
            return 0;
        }
        byte[] message = message();
        Clock clock = Clock.systemUTC();
        DkimSigner rsaSigner = new DkimSigner(List.of(rsa), clock);
        DkimSigner edSigner = new DkimSigner(List.of(ed), clock);
        DkimSigner dualSigner = new DkimSigner(List.of(rsa, ed), clock);
        out.printf("sealmail bench mailauth: %d-octet message, 1 thread, %.1f s per row after %.1f s warm-up (Java %s, %d CPUs)%n",
                message.length, seconds, warmup(), System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
        out.printf("%-52s %12s %10s %10s%n", "operation", "per second", "ms each", "CPU ms");
        out.flush();
        row(out, "DKIM sign rsa-sha256 (2048 bits)", () -> rsaSigner.sign(MessageSource.of(message)));
        row(out, "DKIM sign ed25519-sha256", () -> edSigner.sign(MessageSource.of(message)));
        row(out, "DKIM sign both (dual)", () -> dualSigner.sign(MessageSource.of(message)));
        DnsLookup memory = new MemoryDns(zone);
        byte[] rsaSigned = signed(rsaSigner, message);
        byte[] edSigned = signed(edSigner, message);
        byte[] dualSigned = signed(dualSigner, message);
        row(out, "DKIM verify rsa-sha256 (DNS from memory)", () -> expectPass(DkimVerifier.verify(MessageSource.of(rsaSigned), memory, clock, Duration.ofSeconds(20))));
        row(out, "DKIM verify ed25519-sha256 (DNS from memory)", () -> expectPass(DkimVerifier.verify(MessageSource.of(edSigned), memory, clock, Duration.ofSeconds(20))));
        InboundChecks memoryChecks = new InboundChecks("mx.bench.test", memory, Inbound.DEFAULTS, clock);
        InetAddress client = InetAddress.getByName(CLIENT);
        row(out, "inbound SPF+DKIM(dual)+DMARC (DNS from memory)", () -> expectDmarcPass(
                memoryChecks.check(client, "mta.bench.test", "bounce@" + DOMAIN, MessageSource.of(dualSigned))));
        if (dns != null) {
            InboundChecks real = new InboundChecks("mx.bench.test", new ServerDns(dns), Inbound.DEFAULTS, clock);
            expectDmarcPass(real.check(client, "mta.bench.test", "bounce@" + DOMAIN, MessageSource.of(dualSigned)));
            parallel(out, "inbound SPF+DKIM(dual)+DMARC, DNS " + dns, () -> expectDmarcPass(
                    real.check(client, "mta.bench.test", "bounce@" + DOMAIN, MessageSource.of(dualSigned))));
        }
        out.printf("load average now %.1f%n", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        out.flush();
        return 0;
    }

    private static List<String> split255(String value) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < value.length(); i += 255) {
            parts.add(value.substring(i, Math.min(value.length(), i + 255)));
        }
        return parts;
    }

    /** Keys from a fixed seed: the same records every run, so a DNS server can be set up once. */
    private static DkimSigningKey key(DkimAlgorithm algorithm, String selector) throws Exception {
        SecureRandom seeded = SecureRandom.getInstance("SHA1PRNG");
        seeded.setSeed(("sealmail bench " + selector).getBytes(StandardCharsets.UTF_8));
        KeyPair pair;
        if (algorithm == DkimAlgorithm.RSA_SHA256) {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048, seeded);
            pair = g.generateKeyPair();
        } else {
            KeyPairGenerator g = KeyPairGenerator.getInstance("Ed25519");
            g.initialize(NamedParameterSpec.ED25519, seeded);
            pair = g.generateKeyPair();
        }
        String pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(pair.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        return DkimSigningKey.fromPem(DOMAIN, selector, algorithm, pem);
    }

    /** A plain-text message of about 10 KB with a typical header. */
    static byte[] message() {
        StringBuilder m = new StringBuilder()
                .append("From: Bench <bench@").append(DOMAIN).append(">\r\n")
                .append("To: alice@example.test\r\nSubject: 10 KB benchmark message\r\n")
                .append("Date: Thu, 03 Dec 2026 12:00:00 +0000\r\nMessage-ID: <bench@").append(DOMAIN).append(">\r\n")
                .append("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n");
        String line = "The quick brown fox jumps over the lazy dog, again and again, line after line.  \r\n";
        while (m.length() + line.length() <= 10 * 1024) {
            m.append(line);
        }
        return m.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] signed(DkimSigner signer, byte[] message) throws IOException {
        byte[] header = signer.sign(MessageSource.of(message)).getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[header.length + message.length];
        System.arraycopy(header, 0, out, 0, header.length);
        System.arraycopy(message, 0, out, header.length, message.length);
        return out;
    }

    private static void expectPass(List<DkimResult> results) {
        if (results.isEmpty() || results.stream().anyMatch(r -> r.result() != AuthResult.PASS)) {
            throw new IllegalStateException("the benchmark's signature did not verify: " + results);
        }
    }

    private static void expectDmarcPass(InboundVerdict v) {
        if (v.dmarc().result() != AuthResult.PASS || v.spf().result() != AuthResult.PASS) {
            throw new IllegalStateException("the benchmark's message did not pass: " + v.authenticationResults());
        }
    }

    private double warmup() {
        return Math.min(3.0, seconds);
    }

    private void row(PrintWriter out, String label, Work work) throws Exception {
        ThreadMXBean threadBean = ManagementFactory.getThreadMXBean();
        long warmEnd = System.nanoTime() + (long) (warmup() * 1e9);
        while (System.nanoTime() < warmEnd) {
            work.once();
        }
        long count = 0;
        long cpuStart = threadBean.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        long now;
        do {
            work.once();
            count++;
            now = System.nanoTime();
        } while (now < end);
        long cpu = threadBean.getCurrentThreadCpuTime() - cpuStart;
        double elapsed = (now - start) / 1e9;
        out.printf("%-52s %12.1f %10.3f %10.3f%n", label, count / elapsed, elapsed * 1000 / count, cpu / 1e6 / count);
        out.flush();
    }

    /** Messages per second over {@link #threads} threads (wall clock; CPU ms is the process's per message). */
    private void parallel(PrintWriter out, String label, Work work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            runFor(pool, work, warmup());
            long cpuStart = processCpuNanos();
            long start = System.nanoTime();
            long count = runFor(pool, work, seconds);
            double elapsed = (System.nanoTime() - start) / 1e9;
            long cpu = processCpuNanos() - cpuStart;
            out.printf("%-52s %12.1f %10.3f %10.3f  (%d threads)%n", label, count / elapsed, elapsed * 1000 * threads / count,
                    cpu / 1e6 / count, threads);
            out.flush();
        } finally {
            pool.shutdownNow();
        }
    }

    private long runFor(ExecutorService pool, Work work, double secs) throws Exception {
        long end = System.nanoTime() + (long) (secs * 1e9);
        AtomicLong count = new AtomicLong();
        List<Future<?>> running = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            running.add(pool.submit(() -> {
                while (System.nanoTime() < end) {
                    work.once();
                    count.incrementAndGet();
                }
                return null;
            }));
        }
        for (Future<?> f : running) {
            f.get();
        }
        return count.get();
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** TXT records from memory: measures the checks' own cost. */
    private record MemoryDns(Map<String, String> zone) implements DnsLookup {
        @Override
        public DnsAnswer lookup(String name, int type) throws IOException {
            String value = type == Type.TXT ? zone.get(name) : null;
            if (value == null) {
                return new DnsAnswer(Rcode.NXDOMAIN, List.of(), false);
            }
            return new DnsAnswer(Rcode.NOERROR, List.of(new TXTRecord(Name.fromString(name + "."), DClass.IN, 300, split255(value))), false);
        }
    }

    /** One DNS server asked directly (the bench's dnsmasq), 2 s per question. */
    private static final class ServerDns implements DnsLookup {
        private final SimpleResolver resolver;

        ServerDns(String hostPort) {
            int colon = hostPort.lastIndexOf(':');
            if (colon < 0) {
                throw new UserError("--dns wants HOST:PORT, got " + hostPort);
            }
            resolver = new SimpleResolver(new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1))));
            resolver.setTimeout(Duration.ofSeconds(2));
        }

        @Override
        public DnsAnswer lookup(String name, int type) throws IOException {
            Message response = resolver.send(Message.newQuery(Record.newRecord(Name.fromString(name + "."), type, DClass.IN)));
            if (response.getRcode() != Rcode.NOERROR && response.getRcode() != Rcode.NXDOMAIN) {
                throw new IOException(Rcode.string(response.getRcode()) + " for " + name);
            }
            List<Record> records = new ArrayList<>();
            for (Record r : response.getSection(Section.ANSWER)) {
                if (r.getType() == type) {
                    records.add(r);
                }
            }
            return new DnsAnswer(response.getRcode(), records, false);
        }
    }
}
