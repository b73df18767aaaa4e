package io.sealmail.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What the CA produces, judged by code nobody here wrote: openssl, and the JDK's PKIX and TLS stacks. */
class CrossCheckTest {
    static final List<String> DNS = List.of("mail.example.com", "*.imap.example.com");
    static final List<String> IPS = List.of("192.0.2.10", "2001:db8::25");
    static final ExecutorService SERVER = Executors.newCachedThreadPool();

    @TempDir
    Path dir;

    @AfterAll
    static void stop() {
        SERVER.shutdownNow();
    }

    private IssuedCertificate writeLeaf(KeyAlgorithm caKey, KeyAlgorithm leafKey) throws Exception {
        CertificateAuthority ca = CertificateAuthority.create(CaSpec.defaults().withKey(caKey), Clock.systemUTC());
        IssuedCertificate issued = ca.issue(LeafSpec.of(DNS, IPS).withKey(leafKey));
        Files.writeString(dir.resolve("ca.crt"), issued.caCrtPem());
        Files.writeString(dir.resolve("tls.crt"), issued.tlsCrtPem());
        Files.writeString(dir.resolve("tls.key"), issued.tlsKeyPem());
        return issued;
    }

    @ParameterizedTest(name = "openssl verify accepts a {0} leaf from a CA of the same type, strictly, for TLS servers")
    @EnumSource(value = KeyAlgorithm.class, names = {"ECDSA_P256", "RSA_2048", "RSA_3072"})
    void opensslVerify(KeyAlgorithm key) throws Exception {
        writeLeaf(key, key);
        String out = Openssl.ok(dir, "verify", "-x509_strict", "-purpose", "sslserver", "-CAfile", "ca.crt", "tls.crt");
        assertThat(out.strip()).isEqualTo("tls.crt: OK");
    }

    @Test
    @DisplayName("openssl verify accepts an RSA leaf from an ECDSA CA and the key file matches the certificate")
    void opensslMixedAndKeyMatch() throws Exception {
        writeLeaf(KeyAlgorithm.ECDSA_P256, KeyAlgorithm.RSA_2048);
        Openssl.ok(dir, "verify", "-x509_strict", "-purpose", "sslserver", "-CAfile", "ca.crt", "tls.crt");
        String certKey = Openssl.ok(dir, "x509", "-in", "tls.crt", "-noout", "-pubkey");
        String fileKey = Openssl.ok(dir, "pkey", "-in", "tls.key", "-pubout");
        assertThat(certKey).isEqualTo(fileKey).contains("BEGIN PUBLIC KEY");
    }

    @Test
    @DisplayName("openssl verify refuses a leaf from another CA")
    void opensslRefusesOtherCa() throws Exception {
        writeLeaf(KeyAlgorithm.ECDSA_P256, KeyAlgorithm.ECDSA_P256);
        Files.writeString(dir.resolve("other.crt"), CertificateAuthority.create(CaSpec.defaults(), Clock.systemUTC()).certificatePem());
        Openssl.Result r = Openssl.run(dir, "verify", "-CAfile", "other.crt", "tls.crt");
        assertThat(r.exit()).isNotZero();
        assertThat(r.output()).contains("unable to get local issuer certificate").contains("verification failed");
    }

    @Test
    @DisplayName("openssl -checkhost and -checkip match the listed names and nothing else")
    void opensslCheckHostAndIp() throws Exception {
        writeLeaf(KeyAlgorithm.ECDSA_P256, KeyAlgorithm.ECDSA_P256);
        assertThat(checkhost("mail.example.com")).isEqualTo("Hostname mail.example.com does match certificate");
        assertThat(checkhost("MAIL.EXAMPLE.COM")).isEqualTo("Hostname MAIL.EXAMPLE.COM does match certificate");
        assertThat(checkhost("x.imap.example.com")).isEqualTo("Hostname x.imap.example.com does match certificate");
        assertThat(checkhost("imap.example.com")).isEqualTo("Hostname imap.example.com does NOT match certificate");
        assertThat(checkhost("a.b.imap.example.com")).isEqualTo("Hostname a.b.imap.example.com does NOT match certificate");
        assertThat(checkhost("smtp.example.com")).isEqualTo("Hostname smtp.example.com does NOT match certificate");
        assertThat(checkip("192.0.2.10")).isEqualTo("IP 192.0.2.10 does match certificate");
        assertThat(checkip("2001:db8:0:0:0:0:0:25")).isEqualTo("IP 2001:db8:0:0:0:0:0:25 does match certificate");
        assertThat(checkip("192.0.2.11")).isEqualTo("IP 192.0.2.11 does NOT match certificate");
    }

    private String checkhost(String name) throws Exception {
        return Openssl.ok(dir, "x509", "-in", "tls.crt", "-noout", "-checkhost", name).strip();
    }

    private String checkip(String ip) throws Exception {
        return Openssl.ok(dir, "x509", "-in", "tls.crt", "-noout", "-checkip", ip).strip();
    }

    @Test
    @DisplayName("openssl -text shows the critical CA extensions and the leaf's SAN, usages and key identifiers")
    void opensslText() throws Exception {
        IssuedCertificate issued = writeLeaf(KeyAlgorithm.ECDSA_P256, KeyAlgorithm.RSA_2048);
        String ca = Openssl.ok(dir, "x509", "-in", "ca.crt", "-noout", "-text").replaceAll("\\s+", " ");
        assertThat(ca).contains("X509v3 Basic Constraints: critical CA:TRUE, pathlen:0")
                .contains("X509v3 Key Usage: critical Certificate Sign, CRL Sign")
                .contains("X509v3 Subject Key Identifier:")
                .contains("X509v3 Authority Key Identifier:")
                .contains("Public-Key: (256 bit)")
                .contains("Signature Algorithm: ecdsa-with-SHA256")
                .contains("Issuer: CN = Sealmail CA")
                .contains("Subject: CN = Sealmail CA");
        String leaf = Openssl.ok(dir, "x509", "-in", "tls.crt", "-noout", "-text").replaceAll("\\s+", " ");
        assertThat(leaf).contains("X509v3 Basic Constraints: critical CA:FALSE")
                .contains("X509v3 Key Usage: critical Digital Signature, Key Encipherment")
                .contains("X509v3 Extended Key Usage: TLS Web Server Authentication")
                .contains("X509v3 Subject Alternative Name: DNS:mail.example.com, DNS:*.imap.example.com, "
                        + "IP Address:192.0.2.10, IP Address:2001:DB8:0:0:0:0:0:25")
                .contains("Public-Key: (2048 bit)")
                .contains("Subject: CN = mail.example.com");
        String caSki = Openssl.ok(dir, "x509", "-in", "ca.crt", "-noout", "-ext", "subjectKeyIdentifier").lines().skip(1)
                .findFirst().orElseThrow().strip();
        assertThat(leaf).contains("X509v3 Authority Key Identifier: " + caSki);
        String serial = Openssl.ok(dir, "x509", "-in", "tls.crt", "-noout", "-serial").strip();
        assertThat(serial).isEqualTo("serial=" + issued.leaf().getSerialNumber().toString(16).toUpperCase(java.util.Locale.ROOT)
                .replaceFirst("^(.(..)*)$", "0$1"));
    }

    @Test
    @DisplayName("a JDK TLS client trusting only ca.crt connects for a listed name and refuses an unlisted one")
    void jdkHandshakeWithHostnameVerification() throws Exception {
        IssuedCertificate issued = writeLeaf(KeyAlgorithm.ECDSA_P256, KeyAlgorithm.ECDSA_P256);
        SSLContext server = serverContext(issued);
        SSLContext client = clientTrusting(issued.root());
        try (SSLServerSocket listener = (SSLServerSocket) server.getServerSocketFactory().createServerSocket(0, 50,
                InetAddress.getLoopbackAddress())) {
            Future<?> serving = SERVER.submit(() -> {
                for (int i = 0; i < 4; i++) {
                    try (Socket s = listener.accept()) {
                        s.getOutputStream().write('!');
                        s.getOutputStream().flush();
                        s.getInputStream().read();
                    } catch (Exception ignored) {
                        // the refused handshakes end here
                    }
                }
                return null;
            });
            assertThat(connect(client, listener.getLocalPort(), "mail.example.com")).isEqualTo('!');
            assertThat(connect(client, listener.getLocalPort(), "pop.imap.example.com")).isEqualTo('!');
            assertThatThrownBy(() -> connect(client, listener.getLocalPort(), "smtp.example.com"))
                    .isInstanceOf(SSLHandshakeException.class).hasMessageContaining("No subject alternative DNS name matching");
            SSLContext stranger = clientTrusting(CertificateAuthority.create(CaSpec.defaults(), Clock.systemUTC()).certificate());
            assertThatThrownBy(() -> connect(stranger, listener.getLocalPort(), "mail.example.com"))
                    .isInstanceOf(SSLHandshakeException.class).hasMessageContaining("PKIX path");
            serving.get(30, TimeUnit.SECONDS);
        }
    }

    private static int connect(SSLContext client, int port, String host) throws Exception {
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
            plain.setSoTimeout(5000);
            // The host name goes to SNI and the identity check only; nothing resolves it.
            try (SSLSocket tls = (SSLSocket) client.getSocketFactory().createSocket(plain, host, port, false)) {
                SSLParameters params = tls.getSSLParameters();
                params.setEndpointIdentificationAlgorithm("HTTPS");
                tls.setSSLParameters(params);
                tls.startHandshake();
                InputStream in = tls.getInputStream();
                int b = in.read();
                OutputStream out = tls.getOutputStream();
                out.write('.');
                out.flush();
                return b;
            }
        }
    }

    private static SSLContext serverContext(IssuedCertificate issued) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("leaf", issued.privateKey(), new char[0], new Certificate[] {issued.leaf()});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
        kmf.init(ks, new char[0]);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }

    private static SSLContext clientTrusting(X509Certificate root) throws Exception {
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        ts.setCertificateEntry("ca", root);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(ts);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
