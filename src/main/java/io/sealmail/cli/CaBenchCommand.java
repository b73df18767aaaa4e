package io.sealmail.cli;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;

import io.sealmail.ca.CaSpec;
import io.sealmail.ca.CertificateAuthority;
import io.sealmail.ca.IssuedCertificate;
import io.sealmail.ca.KeyAlgorithm;
import io.sealmail.ca.LeafSpec;
import io.sealmail.ca.RenewalPolicy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sealmail bench ca}: leaves issued per second, one thread, each with a fresh key and written out as PEM
 * (what the operator does per Secret), plus the cost of the renewal decision the operator makes on every
 * reconcile. Each row runs for a fixed time after a warm-up, so the JIT has compiled the hot paths.
 */
@Command(name = "ca", mixinStandardHelpOptions = true,
        description = "Leaves issued per second (ECDSA P-256 and RSA 2048) and renewal decisions per second, one thread.")
public class CaBenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "5",
            description = "Measuring time per row in seconds, after a warm-up of up to 3 s (default: ${DEFAULT-VALUE}).")
    double seconds;

    private interface Work {
        void once();
    }

    @Override
    public Integer call() {
        if (!(seconds > 0 && seconds <= 600)) {
            throw new UserError("--seconds must be more than 0 and at most 600, got " + seconds);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf("sealmail bench ca: 1 thread, %.1f s per row after %.1f s warm-up (Java %s, %d CPUs)%n", seconds,
                warmup(), System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
        out.printf("%-40s %12s %10s %10s%n", "operation", "per second", "ms each", "CPU ms");
        out.flush();
        double ecdsaMs = 0;
        for (KeyAlgorithm key : List.of(KeyAlgorithm.ECDSA_P256, KeyAlgorithm.RSA_2048)) {
            CertificateAuthority ca = CertificateAuthority.create(CaSpec.defaults().withKey(key), Clock.systemUTC());
            LeafSpec leaf = LeafSpec.of(List.of("mail.example.com", "*.mail.example.com"), List.of("192.0.2.25")).withKey(key);
            double ms = row(out, "issue " + key.id() + " leaf (" + key.id() + " CA)", () -> {
                IssuedCertificate issued = ca.issue(leaf);
                if (issued.tlsCrtPem().isEmpty() || issued.tlsKeyPem().isEmpty()) {
                    throw new IllegalStateException();
                }
            });
            if (key == KeyAlgorithm.ECDSA_P256) {
                ecdsaMs = ms;
            }
        }
        CertificateAuthority ca = CertificateAuthority.create(CaSpec.defaults(), Clock.systemUTC());
        LeafSpec wanted = LeafSpec.of(List.of("mail.example.com"), List.of("192.0.2.25"));
        byte[] tlsCrt = ca.issue(wanted).tlsCrtPem().getBytes(StandardCharsets.US_ASCII);
        RenewalPolicy policy = new RenewalPolicy(Clock.systemUTC());
        row(out, "renewal decision (ecdsa-p256 leaf)", () -> {
            if (policy.decide(tlsCrt, wanted, ca.certificate()).reissue()) {
                throw new IllegalStateException("a fresh leaf must not need reissuing");
            }
        });
        out.printf("goal: an ecdsa-p256 leaf in under 2 ms (wall clock): %s, %.3f ms; load average now %.1f%n",
                ecdsaMs < 2 ? "met" : "not met", ecdsaMs, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        out.flush();
        return 0;
    }

    private double warmup() {
        return Math.min(3.0, seconds);
    }

    /**
     * Runs one row; returns wall-clock ms per operation. CPU time of this thread is shown beside it: on a shared
     * machine the wall clock includes time spent waiting for a core, CPU time does not.
     */
    private double row(PrintWriter out, String label, Work work) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long warmEnd = System.nanoTime() + (long) (warmup() * 1e9);
        while (System.nanoTime() < warmEnd) {
            work.once();
        }
        long count = 0;
        long cpuStart = threads.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        long now;
        do {
            work.once();
            count++;
            now = System.nanoTime();
        } while (now < end);
        long cpu = threads.getCurrentThreadCpuTime() - cpuStart;
        double elapsed = (now - start) / 1e9;
        double ms = elapsed * 1000 / count;
        out.printf("%-40s %12.1f %10.3f %10.3f%n", label, count / elapsed, ms, cpu / 1e6 / count);
        out.flush();
        return ms;
    }
}
