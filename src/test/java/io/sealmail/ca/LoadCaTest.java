package io.sealmail.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Loading a user-supplied CA from PEM: what is accepted, and the exact message for each thing refused. */
class LoadCaTest {
    static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    static final CertificateAuthority CA = CertificateAuthority.create(CaSpec.defaults(), CLOCK);
    static final CertificateAuthority RSA_CA = CertificateAuthority.create(CaSpec.defaults().withKey(KeyAlgorithm.RSA_2048), CLOCK);
    static final IssuedCertificate LEAF = CA.issue(LeafSpec.of(List.of("mail.example.com"), List.of()));

    @TempDir
    static Path dir;

    @BeforeAll
    static void makeForeignMaterial() throws Exception {
        // Keys and certificates made by openssl, in the shapes users bring.
        Openssl.ok(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384", "-nodes", "-keyout", "p384.key",
                "-out", "p384.crt", "-subj", "/CN=P-384 CA", "-days", "3650",
                "-addext", "basicConstraints=critical,CA:true", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        Openssl.ok(dir, "req", "-x509", "-newkey", "ed25519", "-nodes", "-keyout", "ed.key", "-out", "ed.crt", "-subj", "/CN=Ed CA",
                "-days", "3650", "-addext", "basicConstraints=critical,CA:true");
        Openssl.ok(dir, "req", "-x509", "-newkey", "rsa:1024", "-nodes", "-keyout", "rsa1024.key", "-out", "rsa1024.crt",
                "-subj", "/CN=Small CA", "-days", "3650", "-addext", "basicConstraints=critical,CA:true");
        Openssl.ok(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "nosign.key",
                "-out", "nosign.crt", "-subj", "/CN=No Sign CA", "-days", "3650",
                "-addext", "basicConstraints=critical,CA:true", "-addext", "keyUsage=critical,digitalSignature");
        Openssl.ok(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "openssl.key",
                "-out", "openssl.crt", "-subj", "/O=Example/CN=OpenSSL CA", "-days", "3650",
                "-addext", "basicConstraints=critical,CA:true", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        Openssl.ok(dir, "pkey", "-in", "openssl.key", "-traditional", "-out", "openssl-traditional.key");
        Openssl.ok(dir, "pkey", "-in", "openssl.key", "-aes256", "-passout", "pass:secret", "-out", "encrypted-pkcs8.key");
        Openssl.ok(dir, "pkey", "-in", "openssl.key", "-traditional", "-aes256", "-passout", "pass:secret",
                "-out", "encrypted-traditional.key");
        Openssl.ok(dir, "genrsa", "-traditional", "-out", "rsa-traditional.key", "2048");
        Openssl.ok(dir, "req", "-x509", "-key", "rsa-traditional.key", "-out", "rsa-traditional.crt", "-subj", "/CN=RSA CA",
                "-days", "3650", "-addext", "basicConstraints=critical,CA:true", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
    }

    static String file(String name) throws Exception {
        return Openssl.read(dir.resolve(name));
    }

    @Test
    @DisplayName("a CA made by openssl with a PKCS#8 key loads and issues leaves it verifies")
    void opensslCaLoads() throws Exception {
        CertificateAuthority ca = CertificateAuthority.fromPem(file("openssl.crt"), file("openssl.key"), Clock.systemUTC());
        IssuedCertificate issued = ca.issue(LeafSpec.of(List.of("mail.example.com"), List.of()));
        issued.leaf().verify(ca.certificate().getPublicKey());
        assertThat(issued.leaf().getIssuerX500Principal().getName()).isEqualTo("CN=OpenSSL CA,O=Example");
    }

    @Test
    @DisplayName("traditional EC and RSA PRIVATE KEY files load too, and are written back as PKCS#8")
    void traditionalKeys() throws Exception {
        CertificateAuthority ec = CertificateAuthority.fromPem(file("openssl.crt"), file("openssl-traditional.key"), Clock.systemUTC());
        assertThat(file("openssl-traditional.key")).startsWith("-----BEGIN EC PRIVATE KEY-----");
        assertThat(ec.privateKeyPem()).startsWith("-----BEGIN PRIVATE KEY-----");
        CertificateAuthority rsa = CertificateAuthority.fromPem(file("rsa-traditional.crt"), file("rsa-traditional.key"),
                Clock.systemUTC());
        assertThat(file("rsa-traditional.key")).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        assertThat(rsa.keyAlgorithm()).isEqualTo(KeyAlgorithm.RSA_2048);
    }

    @Test
    @DisplayName("a bundle of intermediate then root puts the intermediate into tls.crt and the root into ca.crt")
    void intermediateBundle() throws Exception {
        // openssl makes an intermediate signed by our root (our root has pathLen 0, so this is for the test only:
        // a real intermediate would come from a root that allows one).
        Path d = dir.resolve("inter");
        java.nio.file.Files.createDirectories(d);
        CertificateAuthority root = CertificateAuthority.create(CaSpec.defaults().withSubject("CN=Root"), Clock.systemUTC());
        java.nio.file.Files.writeString(d.resolve("root.crt"), root.certificatePem());
        java.nio.file.Files.writeString(d.resolve("root.key"), root.privateKeyPem());
        java.nio.file.Files.writeString(d.resolve("ext.cnf"),
                "[v]\nbasicConstraints=critical,CA:true,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n"
                        + "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n");
        Openssl.ok(d, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "i.key",
                "-out", "i.csr", "-subj", "/CN=Intermediate");
        Openssl.ok(d, "x509", "-req", "-in", "i.csr", "-CA", "root.crt", "-CAkey", "root.key", "-CAcreateserial", "-days", "100",
                "-extfile", "ext.cnf", "-extensions", "v", "-out", "i.crt");
        String bundle = Openssl.read(d.resolve("i.crt")) + root.certificatePem();
        CertificateAuthority inter = CertificateAuthority.fromPem(bundle, Openssl.read(d.resolve("i.key")), Clock.systemUTC());
        IssuedCertificate issued = inter.issue(LeafSpec.of(List.of("mail.example.com"), List.of()));
        assertThat(issued.chain()).containsExactly(inter.certificate());
        assertThat(Pem.readCertificates(issued.tlsCrtPem())).containsExactly(issued.leaf(), inter.certificate());
        assertThat(Pem.readCertificates(issued.caCrtPem())).containsExactly(root.certificate());

        assertThatThrownBy(() -> CertificateAuthority.fromPem(root.certificatePem() + Openssl.read(d.resolve("i.crt")),
                root.privateKeyPem(), Clock.systemUTC()))
                .hasMessage("CA certificate: certificate 1 of the bundle is not signed by certificate 2; "
                        + "give the issuing CA first, then its issuers up to the root");
    }

    static Stream<Arguments> refusals() throws Exception {
        String crt = CA.certificatePem();
        String key = CA.privateKeyPem();
        CertificateAuthority future = CertificateAuthority.create(CaSpec.defaults(),
                Clock.fixed(NOW.plus(Duration.ofDays(10)), ZoneOffset.UTC));
        CertificateAuthority expired = CertificateAuthority.create(CaSpec.defaults().withValidity(Duration.ofDays(1)),
                Clock.fixed(NOW.minus(Duration.ofDays(10)), ZoneOffset.UTC));
        return Stream.of(
                Arguments.of("an empty certificate is garbage", "", key,
                        "CA certificate: empty input, expected -----BEGIN CERTIFICATE-----"),
                Arguments.of("text without PEM is garbage", "hello world\n", key,
                        "CA certificate: no PEM block found, expected -----BEGIN CERTIFICATE-----"),
                Arguments.of("a truncated certificate PEM is garbage", crt.substring(0, crt.length() - 30), key,
                        "CA certificate: malformed PEM (truncated?): -----END CERTIFICATE----- not found"),
                Arguments.of("a PEM certificate with broken contents is garbage",
                        "-----BEGIN CERTIFICATE-----\nMIIBkTCB+wIJAKHBfpegPjMCMA0=\n-----END CERTIFICATE-----\n", key,
                        "CA certificate: CERTIFICATE block 1 is not a valid X.509 certificate"),
                Arguments.of("a key in place of the certificate is the wrong PEM type", key, key,
                        "CA certificate: expected a PEM CERTIFICATE block, found PRIVATE KEY"),
                Arguments.of("an empty key is garbage", crt, "  \n", "CA key: empty input, expected -----BEGIN PRIVATE KEY-----"),
                Arguments.of("a truncated key PEM is garbage", crt, key.substring(0, 60),
                        "CA key: malformed PEM (truncated?): -----END PRIVATE KEY----- not found"),
                Arguments.of("a certificate in place of the key is the wrong PEM type", crt, crt,
                        "CA key: expected a PEM PRIVATE KEY block, found CERTIFICATE"),
                Arguments.of("a PRIVATE KEY block with broken contents is garbage", crt,
                        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
                        "CA key: the PRIVATE KEY block is not a valid private key"),
                Arguments.of("two keys in one file are refused", crt, key + key,
                        "CA key: expected exactly one PEM private key block, found 2 blocks (PRIVATE KEY, PRIVATE KEY)"),
                Arguments.of("an encrypted PKCS#8 key is refused", file("openssl.crt"), file("encrypted-pkcs8.key"),
                        "CA key: the private key is encrypted; provide it unencrypted as PKCS#8 (openssl pkcs8 -topk8 -nocrypt -in KEY)"),
                Arguments.of("an encrypted traditional key is refused", file("openssl.crt"), file("encrypted-traditional.key"),
                        "CA key: the private key is encrypted; provide it unencrypted as PKCS#8 (openssl pkcs8 -topk8 -nocrypt -in KEY)"),
                Arguments.of("a leaf certificate is not a CA", LEAF.tlsCrtPem(), LEAF.tlsKeyPem(),
                        "CA certificate is not a CA: it lacks BasicConstraints CA:true (subject CN=mail.example.com)"),
                Arguments.of("a CA certificate without keyCertSign is not a CA", file("nosign.crt"), file("nosign.key"),
                        "CA certificate is not a CA: its KeyUsage lacks keyCertSign (subject CN=No Sign CA)"),
                Arguments.of("another CA's key does not match", crt, CertificateAuthority.create(CaSpec.defaults(), CLOCK).privateKeyPem(),
                        "CA key does not match the CA certificate's public key (subject CN=Sealmail CA)"),
                Arguments.of("an RSA key does not match an ECDSA certificate", crt, RSA_CA.privateKeyPem(),
                        "CA key does not match the CA certificate's public key (subject CN=Sealmail CA)"),
                Arguments.of("an expired CA is refused with its end date", expired.certificatePem(), expired.privateKeyPem(),
                        "CA certificate expired on 2026-05-23T00:00:00Z (subject CN=Sealmail CA)"),
                Arguments.of("a CA that is not yet valid is refused with its start date", future.certificatePem(), future.privateKeyPem(),
                        "CA certificate is not valid until 2026-06-10T23:55:00Z (subject CN=Sealmail CA)"),
                Arguments.of("a P-384 CA has an unsupported key type", file("p384.crt"), file("p384.key"),
                        "CA certificate has an unsupported key type: EC on curve secp384r1 [NIST P-384] (1.3.132.0.34)"
                                + " (supported: ecdsa-p256, rsa-2048, rsa-3072, rsa-4096) (subject CN=P-384 CA)"),
                Arguments.of("an RSA 1024 CA has an unsupported key type", file("rsa1024.crt"), file("rsa1024.key"),
                        "CA certificate has an unsupported key type: RSA 1024 bits"
                                + " (supported: ecdsa-p256, rsa-2048, rsa-3072, rsa-4096) (subject CN=Small CA)"),
                Arguments.of("an Ed25519 key is an unsupported key type", file("ed.crt"), file("ed.key"),
                        "CA certificate has an unsupported key type: Ed25519 (supported: ecdsa-p256, rsa-2048, rsa-3072, rsa-4096)"
                                + " (subject CN=Ed CA)"),
                Arguments.of("an Ed25519 key beside a supported certificate is an unsupported key type", crt, file("ed.key"),
                        "CA key: unsupported key type: Ed25519 (supported: ecdsa-p256, rsa-2048, rsa-3072, rsa-4096)"))
;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void refuses(String sentence, String crt, String key, String message) {
        assertThatThrownBy(() -> CertificateAuthority.fromPem(crt, key, CLOCK))
                .isInstanceOf(CaException.class)
                .hasMessage(message);
    }
}
