package io.sealmail.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.sealmail.ca.CaSpec;
import io.sealmail.ca.CertificateAuthority;
import io.sealmail.ca.IssuedCertificate;
import io.sealmail.ca.LeafSpec;
import io.sealmail.engine.tls.TlsProvider;

/** The benchmark's machinery works (real handshakes, none failing); its figures are never asserted. */
class HandshakeBenchmarkTest {
    @Test
    void completesHandshakesWithBothProviders() throws Exception {
        CertificateAuthority ca = CertificateAuthority.create(CaSpec.defaults(), Clock.systemUTC());
        IssuedCertificate cert = ca.issue(LeafSpec.of(List.of("bench.sealmail.test"), List.of()));
        // Two of the eight cells keep the default suite short; TlsHandshakeTest covers every provider/protocol pair.
        for (TlsProvider provider : TlsProvider.values()) {
            for (String protocol : List.of(provider == TlsProvider.OPENSSL ? "TLSv1.3" : "TLSv1.2")) {
                HandshakeBenchmark.Result r = HandshakeBenchmark.run(cert, protocol, provider, Duration.ZERO,
                        Duration.ofMillis(300), 2);
                // Every connection in flight finishes its handshake before the run ends, however slow the machine.
                assertThat(r.completed()).as(provider + " " + protocol).isGreaterThanOrEqualTo(2);
                assertThat(r.failures()).as(provider + " " + protocol).isZero();
            }
        }
    }
}
