package io.sealmail.engine.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.sealmail.ca.CertificateAuthority;
import io.sealmail.ca.IssuedCertificate;
import io.sealmail.ca.KeyAlgorithm;
import io.sealmail.testing.LogCapture;

/**
 * Hot reload under open connections: a kubelet-style {@code ..data} symlink swap, a plain rewrite, and bad pairs
 * that must be refused while the old certificate keeps serving, then heal.
 */
class ReloadingServerTlsTest {
    /** The promise: new handshakes use the new certificate within this time. */
    static final Duration PROMISE = Duration.ofSeconds(5);

    static CertificateAuthority ca;
    static IssuedCertificate first;
    static IssuedCertificate second;

    @TempDir
    Path dir;

    @BeforeAll
    static void issue() {
        ca = TestPki.authority("CN=Reload Test CA");
        first = TestPki.leaf(ca, KeyAlgorithm.ECDSA_P256);
        second = TestPki.leaf(ca, KeyAlgorithm.RSA_2048); // another key type too: the new context must not care
    }

    BigInteger servedSerial(int port) throws Exception {
        try (JdkTlsClient client = JdkTlsClient.connect(port, TestPki.HOST, ca.certificate())) {
            return client.serverSerial();
        }
    }

    @ParameterizedTest
    @EnumSource(TlsProvider.class)
    void kubeletSymlinkSwapReachesNewHandshakesWhileOpenConnectionsStayUp(TlsProvider provider) throws Exception {
        KubeletVolume volume = new KubeletVolume(dir);
        volume.write(first);
        TlsCounters counters = new TlsCounters();
        try (ReloadingServerTls tls = new ReloadingServerTls(volume.certFile(), volume.keyFile(), provider,
                ReloadingServerTls.DEFAULT_POLL_INTERVAL, counters);
             TlsTestServer server = new TlsTestServer(tls);
             JdkTlsClient open = JdkTlsClient.connect(server.port(), TestPki.HOST, ca.certificate())) {
            assertThat(open.serverSerial()).isEqualTo(first.leaf().getSerialNumber());
            assertThat(open.exchange("before")).isEqualTo("echo before");

            volume.write(second);
            await().atMost(PROMISE).pollInterval(Duration.ofMillis(100))
                    .until(() -> servedSerial(server.port()).equals(second.leaf().getSerialNumber()));

            // The connection opened before the swap still works, on its original session.
            assertThat(open.exchange("after")).isEqualTo("echo after");
            assertThat(open.serverSerial()).isEqualTo(first.leaf().getSerialNumber());
            assertThat(counters.reloads()).isEqualTo(1);
            assertThat(counters.reloadFailures()).isZero();
            assertThat(tls.certificate().getSerialNumber()).isEqualTo(second.leaf().getSerialNumber());
        }
    }

    @ParameterizedTest
    @EnumSource(TlsProvider.class)
    void plainRewriteInPlaceIsPickedUp(TlsProvider provider) throws Exception {
        TestPki.write(dir, first);
        TlsCounters counters = new TlsCounters();
        try (ReloadingServerTls tls = new ReloadingServerTls(dir.resolve("tls.crt"), dir.resolve("tls.key"),
                provider, ReloadingServerTls.DEFAULT_POLL_INTERVAL, counters);
             TlsTestServer server = new TlsTestServer(tls);
             JdkTlsClient open = JdkTlsClient.connect(server.port(), TestPki.HOST, ca.certificate())) {
            assertThat(open.exchange("before")).isEqualTo("echo before");

            // Overwrite the same inodes, as `cp` or `sealmail ca issue --out` into the same directory would.
            TestPki.write(dir, second);
            await().atMost(PROMISE).pollInterval(Duration.ofMillis(100))
                    .until(() -> servedSerial(server.port()).equals(second.leaf().getSerialNumber()));

            assertThat(open.exchange("after")).isEqualTo("echo after");
            assertThat(counters.reloads()).isEqualTo(1);
        }
    }

    @Test
    void mismatchedPairIsRefusedWithOneErrorAndHealsWhenTheKeyArrives() throws Exception {
        TestPki.write(dir, first);
        TlsCounters counters = new TlsCounters();
        try (LogCapture log = new LogCapture(ReloadingServerTls.class);
             ReloadingServerTls tls = new ReloadingServerTls(dir.resolve("tls.crt"), dir.resolve("tls.key"),
                     TlsProvider.select(), ReloadingServerTls.DEFAULT_POLL_INTERVAL, counters);
             TlsTestServer server = new TlsTestServer(tls);
             JdkTlsClient open = JdkTlsClient.connect(server.port(), TestPki.HOST, ca.certificate())) {
            // The certificate is rewritten before the key: for a while the pair does not match.
            Files.writeString(dir.resolve("tls.crt"), second.tlsCrtPem(), StandardCharsets.US_ASCII);
            await().atMost(PROMISE).until(() -> counters.reloadFailures() == 1);

            // Several checks later (each what a poll does): still the old certificate, still exactly one error, the
            // old connection works.
            for (int i = 0; i < 3; i++) {
                assertThat(tls.reloadIfChanged()).isFalse();
            }
            assertThat(servedSerial(server.port())).isEqualTo(first.leaf().getSerialNumber());
            assertThat(open.exchange("still here")).isEqualTo("echo still here");
            assertThat(counters.reloadFailures()).isEqualTo(1);
            assertThat(counters.reloads()).isZero();
            assertThat(log.errors()).singleElement().asString()
                    .contains("still serving serial " + first.leaf().getSerialNumber().toString(16))
                    .contains("tls.key does not match the certificate in");

            // The key follows: the pair is consistent again and is picked up without any other nudge.
            Files.writeString(dir.resolve("tls.key"), second.tlsKeyPem(), StandardCharsets.US_ASCII);
            await().atMost(PROMISE).pollInterval(Duration.ofMillis(100))
                    .until(() -> servedSerial(server.port()).equals(second.leaf().getSerialNumber()));
            assertThat(counters.reloads()).isEqualTo(1);
            assertThat(open.exchange("after")).isEqualTo("echo after");
        }
    }

    @Test
    void halfWrittenAndGarbageFilesAreRefusedUntilComplete() throws Exception {
        TestPki.write(dir, first);
        TlsCounters counters = new TlsCounters();
        Path crt = dir.resolve("tls.crt");
        Path key = dir.resolve("tls.key");
        // No poller: each check is explicit, so every intermediate state is observed.
        try (ReloadingServerTls tls = new ReloadingServerTls(crt, key, TlsProvider.JDK, Duration.ZERO, counters)) {
            assertThat(tls.reloadIfChanged()).isFalse(); // nothing changed

            String pem = second.tlsCrtPem();
            Files.writeString(key, second.tlsKeyPem(), StandardCharsets.US_ASCII);
            Files.writeString(crt, pem.substring(0, pem.length() / 2), StandardCharsets.US_ASCII);
            assertThat(tls.reloadIfChanged()).isFalse();
            assertThat(tls.reloadIfChanged()).isFalse(); // same bad state: not retried, not logged again
            assertThat(counters.reloadFailures()).isEqualTo(1);
            assertThat(tls.certificate()).isEqualTo(first.leaf());

            Files.writeString(crt, "garbage\n", StandardCharsets.US_ASCII);
            assertThat(tls.reloadIfChanged()).isFalse();
            Files.delete(crt);
            assertThat(tls.reloadIfChanged()).isFalse();
            assertThat(counters.reloadFailures()).isEqualTo(3);
            assertThat(tls.certificate()).isEqualTo(first.leaf());

            Files.writeString(crt, pem, StandardCharsets.US_ASCII);
            assertThat(tls.reloadIfChanged()).isTrue();
            assertThat(tls.certificate()).isEqualTo(second.leaf());
            assertThat(counters.reloads()).isEqualTo(1);

            // Touching the files without changing their bytes is not a reload.
            Files.setLastModifiedTime(crt, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis()
                    + 10_000));
            assertThat(tls.reloadIfChanged()).isFalse();
            assertThat(counters.reloads()).isEqualTo(1);
        }
    }

    @Test
    void startingWithoutAUsablePairFailsWithAClearMessage() throws Exception {
        Path crt = dir.resolve("tls.crt");
        Path key = dir.resolve("tls.key");
        assertThatThrownBy(() -> new ReloadingServerTls(crt, key, TlsProvider.JDK, Duration.ZERO, null))
                .isInstanceOf(TlsException.class).hasMessage("file not found: " + crt);

        Files.writeString(crt, first.tlsCrtPem(), StandardCharsets.US_ASCII);
        Files.writeString(key, second.tlsKeyPem(), StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> new ReloadingServerTls(crt, key, TlsProvider.JDK, Duration.ZERO, null))
                .isInstanceOf(TlsException.class)
                .hasMessageStartingWith(key + " does not match the certificate in " + crt + " (leaf serial ");
    }
}
