package io.sealmail.engine.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.OutputEncryptor;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.sealmail.ca.CertificateAuthority;
import io.sealmail.ca.IssuedCertificate;
import io.sealmail.ca.KeyAlgorithm;

/** Reading tls.crt/tls.key: the layouts people really have, and an exact message for each broken one. */
class CertificatePairTest {
    static CertificateAuthority ca;
    static IssuedCertificate ec;
    static IssuedCertificate rsa;

    @BeforeAll
    static void issue() {
        ca = TestPki.authority("CN=Pair Test CA");
        ec = TestPki.leaf(ca, KeyAlgorithm.ECDSA_P256);
        rsa = TestPki.leaf(ca, KeyAlgorithm.RSA_2048);
    }

    static CertificatePair parse(String crt, String key) {
        return CertificatePair.parse(crt.getBytes(StandardCharsets.US_ASCII), key.getBytes(StandardCharsets.US_ASCII),
                "tls.crt", "tls.key");
    }

    /** The key as `openssl pkey -traditional` writes it: "RSA PRIVATE KEY" (cert-manager's PKCS1) / "EC PRIVATE KEY". */
    static String traditional(IssuedCertificate cert) throws Exception {
        io.sealmail.testing.ExternalTool.require("openssl");
        Process p = new ProcessBuilder("openssl", "pkey", "-traditional").start();
        p.getOutputStream().write(cert.tlsKeyPem().getBytes(StandardCharsets.US_ASCII));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertThat(p.waitFor()).isZero();
        return out;
    }

    @Test
    void pkcs8AndTraditionalKeysOfBothTypesAreAccepted() throws Exception {
        assertThat(parse(ec.tlsCrtPem(), ec.tlsKeyPem()).leaf()).isEqualTo(ec.leaf());
        assertThat(parse(rsa.tlsCrtPem(), rsa.tlsKeyPem()).serialHex()).isEqualTo(rsa.leaf().getSerialNumber().toString(16));
        assertThat(traditional(rsa)).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        assertThat(parse(rsa.tlsCrtPem(), traditional(rsa)).leaf()).isEqualTo(rsa.leaf());
        assertThat(traditional(ec)).startsWith("-----BEGIN EC PRIVATE KEY-----");
        assertThat(parse(ec.tlsCrtPem(), traditional(ec)).leaf()).isEqualTo(ec.leaf());
    }

    @Test
    void aChainWithItsIssuerIsAcceptedInOrderOnly() {
        String ecAndRoot = ec.tlsCrtPem() + ca.certificatePem();
        assertThat(parse(ecAndRoot, ec.tlsKeyPem()).chain()).hasSize(2);
        assertThatThrownBy(() -> parse(ec.tlsCrtPem() + TestPki.authority("CN=Stranger").certificatePem(), ec.tlsKeyPem()))
                .isInstanceOf(TlsException.class)
                .hasMessage("tls.crt: certificate 2 (CN=Stranger) did not issue certificate 1 (CN=mail.example.test); "
                        + "the leaf must come first, then its issuers in order");
    }

    @Test
    void brokenInputsAreRefusedWithExactMessages() throws Exception {
        assertThatThrownBy(() -> parse("", ec.tlsKeyPem()))
                .hasMessage("tls.crt: no PEM CERTIFICATE block (file is empty)");
        assertThatThrownBy(() -> parse(ec.tlsKeyPem(), ec.tlsCrtPem()))
                .hasMessage("tls.crt: no PEM CERTIFICATE block");
        assertThatThrownBy(() -> parse(ec.tlsCrtPem() + ec.tlsKeyPem(), ec.tlsKeyPem()))
                .hasMessage("tls.crt: expected only CERTIFICATE blocks, found a private key (tls.crt and tls.key swapped?)");
        assertThatThrownBy(() -> parse(ec.tlsCrtPem(), ""))
                .hasMessage("tls.key: no PEM private key block (file is empty)");
        String crt = ec.tlsCrtPem();
        assertThatThrownBy(() -> parse(crt.substring(0, crt.length() / 2), ec.tlsKeyPem()))
                .isInstanceOf(TlsException.class).hasMessageStartingWith("tls.crt: unreadable certificate 1 (truncated");
        String key = ec.tlsKeyPem();
        assertThatThrownBy(() -> parse(crt, key.substring(0, key.length() - 30)))
                .isInstanceOf(TlsException.class).hasMessageStartingWith("tls.key: unreadable private key (truncated");
        assertThatThrownBy(() -> parse(ec.tlsCrtPem(), rsa.tlsKeyPem()))
                .hasMessage("tls.key does not match the certificate in tls.crt (leaf serial "
                        + ec.leaf().getSerialNumber().toString(16) + ")");
        assertThatThrownBy(() -> parse(ec.tlsCrtPem(), ec.tlsKeyPem() + rsa.tlsKeyPem()))
                .hasMessage("tls.key: more than one private key");

        OutputEncryptor encryptor = new JceOpenSSLPKCS8EncryptorBuilder(PKCSObjectIdentifiers.pbeWithSHAAnd3_KeyTripleDES_CBC)
                .setPassword("secret".toCharArray()).build();
        StringWriter encrypted = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(encrypted)) {
            writer.writeObject(new JcaPKCS8Generator(ec.privateKey(), encryptor));
        }
        assertThatThrownBy(() -> parse(ec.tlsCrtPem(), encrypted.toString()))
                .hasMessage("tls.key: the private key is encrypted; the engine needs an unencrypted key");
    }
}
