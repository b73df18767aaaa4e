package io.sealmail.engine.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.net.ssl.SSLHandshakeException;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.sealmail.ca.CertificateAuthority;
import io.sealmail.ca.IssuedCertificate;
import io.sealmail.ca.KeyAlgorithm;

/**
 * Real handshakes against a Netty server holding a certificate from our CA, with the JDK's client (PKIX + HTTPS
 * hostname verification) and with {@code openssl s_client}, for both TLS providers.
 */
class TlsHandshakeTest {
    static CertificateAuthority ca;
    static CertificateAuthority otherCa;
    static IssuedCertificate ecdsaLeaf;
    static IssuedCertificate rsaLeaf;

    @TempDir
    static Path dir;

    @BeforeAll
    static void issue() throws Exception {
        ca = TestPki.authority("CN=Handshake Test CA");
        otherCa = TestPki.authority("CN=Some Other CA");
        ecdsaLeaf = TestPki.leaf(ca, KeyAlgorithm.ECDSA_P256);
        rsaLeaf = TestPki.leaf(ca, KeyAlgorithm.RSA_2048);
        TestPki.write(dir, ecdsaLeaf);
    }

    /** Records what the server side saw. */
    static final class Recorder implements TlsListener {
        final List<TlsSessionInfo> sessions = new CopyOnWriteArrayList<>();

        @Override
        public void handshakeSucceeded(TlsSessionInfo session) {
            sessions.add(session);
        }
    }

    @ParameterizedTest
    @EnumSource(TlsProvider.class)
    void listedNameSucceedsWithEcdsaAndRsa(TlsProvider provider) throws Exception {
        for (IssuedCertificate leaf : List.of(ecdsaLeaf, rsaLeaf)) {
            Recorder recorder = new Recorder();
            try (TlsTestServer server = new TlsTestServer(TestPki.serverTls(leaf, provider, recorder));
                 JdkTlsClient client = JdkTlsClient.connect(server.port(), TestPki.HOST, ca.certificate())) {
                assertThat(client.exchange("hello")).isEqualTo("echo hello");
                assertThat(client.serverSerial()).isEqualTo(leaf.leaf().getSerialNumber());
                assertThat(client.protocol()).isEqualTo("TLSv1.3");
                await().atMost(Duration.ofSeconds(5)).until(() -> recorder.sessions.size() == 1);
                // The server's view, as the SMTP Received header will print it.
                TlsSessionInfo info = recorder.sessions.get(0);
                assertThat(info.toString()).isEqualTo("TLSv1.3 " + client.cipherSuite());
                assertThat(info.cipherSuite()).isIn(TlsPolicy.CIPHER_SUITES);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TlsProvider.class)
    void ipAddressInTheCertificateIsVerified(TlsProvider provider) throws Exception {
        try (TlsTestServer server = new TlsTestServer(TestPki.serverTls(ecdsaLeaf, provider, null));
             JdkTlsClient client = JdkTlsClient.connect(server.port(), "127.0.0.1", ca.certificate())) {
            assertThat(client.exchange("ip")).isEqualTo("echo ip");
        }
    }

    @ParameterizedTest
    @EnumSource(TlsProvider.class)
    void unlistedNameFails(TlsProvider provider) throws Exception {
        try (TlsTestServer server = new TlsTestServer(TestPki.serverTls(ecdsaLeaf, provider, null))) {
            assertThatThrownBy(() -> JdkTlsClient.connect(server.port(), "other.example.test", ca.certificate()))
                    .isInstanceOf(SSLHandshakeException.class)
                    .hasMessageContaining("No subject alternative DNS name matching other.example.test");
        }
    }

    @ParameterizedTest
    @EnumSource(TlsProvider.class)
    void expiredLeafFails(TlsProvider provider) throws Exception {
        CertificateAuthority pastCa = TestPki.pastAuthority();
        IssuedCertificate expired = TestPki.expiredLeaf(pastCa);
        assertThat(expired.leaf().getNotAfter()).isInThePast();
        assertThat(pastCa.certificate().getNotAfter()).isInTheFuture();
        try (TlsTestServer server = new TlsTestServer(TestPki.serverTls(expired, provider, null))) {
            assertThatThrownBy(() -> JdkTlsClient.connect(server.port(), TestPki.HOST, pastCa.certificate()))
                    .isInstanceOf(SSLHandshakeException.class)
                    .hasMessageContaining("validity check failed");
        }
    }

    @ParameterizedTest
    @EnumSource(TlsProvider.class)
    void leafFromAnotherCaFails(TlsProvider provider) throws Exception {
        IssuedCertificate foreign = TestPki.leaf(otherCa, KeyAlgorithm.ECDSA_P256);
        try (TlsTestServer server = new TlsTestServer(TestPki.serverTls(foreign, provider, null))) {
            assertThatThrownBy(() -> JdkTlsClient.connect(server.port(), TestPki.HOST, ca.certificate()))
                    .isInstanceOf(SSLHandshakeException.class)
                    .hasMessageContaining("PKIX path building failed");
        }
    }

    @ParameterizedTest
    @EnumSource(TlsProvider.class)
    void tls12AndTls13AreAccepted(TlsProvider provider) throws Exception {
        try (TlsTestServer server = new TlsTestServer(TestPki.serverTls(ecdsaLeaf, provider, null))) {
            for (String protocol : List.of("TLSv1.2", "TLSv1.3")) {
                try (JdkTlsClient client = JdkTlsClient.connect(server.port(), TestPki.HOST, ca.certificate(),
                        List.of(protocol), List.of())) {
                    assertThat(client.protocol()).isEqualTo(protocol);
                    assertThat(client.cipherSuite()).isIn(TlsPolicy.CIPHER_SUITES);
                    assertThat(client.exchange(protocol)).isEqualTo("echo " + protocol);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TlsProvider.class)
    void serverCipherOrderWins(TlsProvider provider) throws Exception {
        // The client prefers ChaCha20; the server's list puts AES-128-GCM first, and the server's order wins.
        try (TlsTestServer server = new TlsTestServer(TestPki.serverTls(ecdsaLeaf, provider, null));
             JdkTlsClient client = JdkTlsClient.connect(server.port(), TestPki.HOST, ca.certificate(),
                     List.of("TLSv1.2"), List.of("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
                             "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"))) {
            assertThat(client.cipherSuite()).isEqualTo("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
        }
    }

    @ParameterizedTest
    @EnumSource(TlsProvider.class)
    void tls11AndTls10AreRefusedByTheServer(TlsProvider provider) throws Exception {
        TlsCounters counters = new TlsCounters();
        try (TlsTestServer server = new TlsTestServer(TestPki.serverTls(ecdsaLeaf, provider, counters))) {
            for (String version : List.of("-tls1_1", "-tls1")) {
                // SECLEVEL=0 lets OpenSSL 3's client offer the old protocol at all; the server must say no.
                OpenSslClient.Result result = OpenSslClient.sClient(server.port(), version,
                        "-cipher", "DEFAULT@SECLEVEL=0", "-servername", TestPki.HOST);
                assertThat(result.exitCode()).as(result.output()).isNotZero();
                // The alert comes from the server: the client did send its ClientHello.
                assertThat(result.output()).as(result.output()).contains("alert protocol version");
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> counters.handshakeFailures() == 2);
            assertThat(counters.handshakes()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(TlsProvider.class)
    void weakTls12SuitesAreRefused(TlsProvider provider) throws Exception {
        try (TlsTestServer server = new TlsTestServer(TestPki.serverTls(rsaLeaf, provider, null))) {
            // CBC-SHA1, 3DES, static RSA key exchange, RC4, NULL: none may be negotiated.
            OpenSslClient.Result result = OpenSslClient.sClient(server.port(), "-tls1_2", "-cipher",
                    "ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA:AES128-SHA:AES128-GCM-SHA256:DES-CBC3-SHA:RC4-SHA:"
                            + "NULL-SHA256:@SECLEVEL=0", "-servername", TestPki.HOST);
            assertThat(result.exitCode()).as(result.output()).isNotZero();
            assertThat(result.output()).contains("handshake failure");
        }
    }

    @ParameterizedTest
    @EnumSource(TlsProvider.class)
    void opensslVerifiesChainAndHostname(TlsProvider provider) throws Exception {
        try (TlsTestServer server = new TlsTestServer(TestPki.serverTls(ecdsaLeaf, provider, null))) {
            String caFile = dir.resolve("ca.crt").toString();
            OpenSslClient.Result ok = OpenSslClient.sClient(server.port(), "-CAfile", caFile, "-verify_return_error",
                    "-verify_hostname", TestPki.HOST, "-servername", TestPki.HOST);
            assertThat(ok.exitCode()).as(ok.output()).isZero();
            assertThat(ok.output()).contains("Verify return code: 0 (ok)").contains("TLSv1.3");

            OpenSslClient.Result wrongName = OpenSslClient.sClient(server.port(), "-CAfile", caFile,
                    "-verify_return_error", "-verify_hostname", "other.example.test");
            assertThat(wrongName.exitCode()).isNotZero();
            assertThat(wrongName.output()).contains("hostname mismatch");

            OpenSslClient.Result tls12 = OpenSslClient.sClient(server.port(), "-tls1_2", "-CAfile", caFile,
                    "-verify_return_error", "-verify_hostname", TestPki.HOST);
            assertThat(tls12.exitCode()).as(tls12.output()).isZero();
            assertThat(tls12.output()).contains("Protocol  : TLSv1.2").contains("ECDHE-ECDSA-AES128-GCM-SHA256");
        }
    }

    @Test
    void policyEnablesOnlyModernSuitesAndProtocols() {
        for (TlsProvider provider : TlsProvider.values()) {
            ServerTls tls = TestPki.serverTls(ecdsaLeaf, provider, null);
            assertThat(tls.current().cipherSuites()).isNotEmpty().allSatisfy(suite -> {
                assertThat(suite).isIn(TlsPolicy.CIPHER_SUITES);
                assertThat(suite).doesNotContain("CBC", "RC4", "3DES", "NULL", "EXPORT", "anon", "_SHA\0");
            });
            javax.net.ssl.SSLEngine engine = tls.current().newEngine(io.netty.buffer.ByteBufAllocator.DEFAULT);
            // netty-tcnative always lists the "SSLv2Hello" pseudo-protocol; BoringSSL cannot parse SSLv2 hellos at all.
            assertThat(engine.getEnabledProtocols()).filteredOn(p -> !p.equals("SSLv2Hello"))
                    .containsExactlyInAnyOrder("TLSv1.2", "TLSv1.3");
        }
    }

    @Test
    void providerCanBeForcedAndUnknownNamesAreRejected() {
        assertThat(TlsProvider.select("jdk")).isEqualTo(TlsProvider.JDK);
        assertThat(TlsProvider.select("openssl")).isEqualTo(TlsProvider.OPENSSL);
        assertThat(TlsProvider.select("auto")).isEqualTo(TlsProvider.OPENSSL); // netty-tcnative is in the build
        assertThatThrownBy(() -> TlsProvider.select("gnutls")).isInstanceOf(TlsException.class)
                .hasMessage("unknown TLS provider 'gnutls': use openssl, jdk or auto");
    }
}
