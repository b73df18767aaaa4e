package io.sealmail.cli;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import io.sealmail.ca.CaSpec;
import io.sealmail.ca.CertificateAuthority;
import io.sealmail.ca.IssuedCertificate;
import io.sealmail.ca.KeyAlgorithm;
import io.sealmail.ca.LeafSpec;
import io.sealmail.engine.tls.TlsException;
import io.sealmail.engine.tls.TlsProvider;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sealmail bench tls}: full TLS handshakes per second, OpenSSL and JDK providers side by side. */
@Command(name = "tls", mixinStandardHelpOptions = true,
        description = {"Full TLS handshakes per second against the engine's TLS context on loopback, for ECDSA P-256 "
                + "and RSA 2048 certificates, TLS 1.3 and 1.2, with the OpenSSL and the JDK provider side by side.",
                "Runs about (warm-up + seconds) x 8 cells; prints a table."})
public class TlsBenchCommand implements Callable<Integer> {
    @Option(names = "--seconds", defaultValue = "3", description = "Measured seconds per cell (1-60, default ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--warmup", defaultValue = "2", description = "Warm-up seconds per cell (0-30, default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--connections", defaultValue = "4",
            description = "Handshakes kept in flight (1-256, default ${DEFAULT-VALUE}).")
    int connections;

    @Override
    public Integer call() {
        try {
            return run();
        } catch (TlsException | io.sealmail.ca.CaException e) {
            System.err.println("sealmail bench tls: " + e.getMessage());
            return 1;
        } catch (Exception e) {
            System.err.println("sealmail bench tls: " + e);
            return 1;
        }
    }

    private int run() throws Exception {
        if (seconds < 1 || seconds > 60 || warmup < 0 || warmup > 30 || connections < 1 || connections > 256) {
            System.err.println("sealmail bench tls: --seconds must be 1-60, --warmup 0-30, --connections 1-256");
            return 2;
        }
        List<TlsProvider> providers = new ArrayList<>();
        for (TlsProvider p : TlsProvider.values()) {
            if (p.isAvailable()) {
                providers.add(p);
            } else {
                System.out.println("(" + p.id() + " provider unavailable here: skipped)");
            }
        }
        CertificateAuthority ca = CertificateAuthority.create(CaSpec.defaults().withSubject("CN=Sealmail Bench CA"),
                Clock.systemUTC());
        System.out.printf("Full TLS handshakes per second (new TCP connection each, no resumption), 127.0.0.1, "
                + "server: 1 event loop thread, client: netty-tcnative, %d in flight, %d s per cell after %d s warm-up; "
                + "%d CPUs, Java %s%n", connections, seconds, warmup, Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));
        StringBuilder header = new StringBuilder(String.format("%-11s %-8s", "key", "protocol"));
        for (TlsProvider p : providers) {
            header.append(String.format(" | %-7s %7s %6s %9s", p.id(), "hs/s", "ms", "cpu-us/hs"));
        }
        System.out.println("hs/s: handshakes per second (wall clock); ms: mean connect+handshake time seen by the client;");
        System.out.println("cpu-us/hs: server event-loop CPU microseconds per handshake (1e6/cpu-us = handshakes/s per core)");
        System.out.println(header);
        for (KeyAlgorithm key : List.of(KeyAlgorithm.ECDSA_P256, KeyAlgorithm.RSA_2048)) {
            IssuedCertificate cert = ca.issue(LeafSpec.of(List.of("bench.sealmail.test"), List.of()).withKey(key));
            for (String protocol : List.of("TLSv1.3", "TLSv1.2")) {
                StringBuilder row = new StringBuilder(String.format("%-11s %-8s", key.id(), protocol));
                for (TlsProvider provider : providers) {
                    HandshakeBenchmark.Result r = HandshakeBenchmark.run(cert, protocol, provider,
                            Duration.ofSeconds(warmup), Duration.ofSeconds(seconds), connections);
                    row.append(String.format(" | %-7s %7.0f %6.1f %9.0f", "", r.handshakesPerSecond(), r.meanMillis(),
                            r.serverCpuMicros()));
                    if (r.failures() > 0) {
                        row.append(String.format(" [%d failed]", r.failures()));
                    }
                }
                System.out.println(row);
            }
        }
        return 0;
    }
}
