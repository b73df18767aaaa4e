package io.sealmail.ca;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DkimKeyTest {

    @ParameterizedTest(name = "a {0} key survives its PEM form and its record verifies its signatures")
    @EnumSource(DkimKey.Algorithm.class)
    void aKeyRoundTripsAndItsPublishedRecordVerifiesWhatItSigns(DkimKey.Algorithm algorithm) throws Exception {
        DkimKey key = DkimKey.generate(algorithm);
        DkimKey back = DkimKey.fromPem(key.privateKeyPem());
        assertThat(back.algorithm()).isEqualTo(algorithm);
        assertThat(back.recordValue()).isEqualTo(key.recordValue());
        assertThat(key.recordValue()).startsWith("v=DKIM1; k=" + algorithm.keyType() + "; p=");

        byte[] data = "header hash input".getBytes(StandardCharsets.US_ASCII);
        String jca = algorithm == DkimKey.Algorithm.RSA_SHA256 ? "SHA256withRSA" : "Ed25519";
        Signature signer = Signature.getInstance(jca);
        signer.initSign(key.privateKey());
        signer.update(data);
        byte[] signature = signer.sign();

        Signature verifier = Signature.getInstance(jca);
        verifier.initVerify(publicKeyFromRecord(key.recordValue(), algorithm));
        verifier.update(data);
        assertThat(verifier.verify(signature)).isTrue();
    }

    @Test
    void anEd25519RecordCarriesTheRaw32OctetKeyAsRfc8463Says() {
        String p = DkimKey.generate(DkimKey.Algorithm.ED25519_SHA256).recordValue().replaceFirst(".*p=", "");
        assertThat(Base64.getDecoder().decode(p)).hasSize(32);
    }

    @Test
    void anRsaRecordIsCutInto255OctetStringsThatJoinBack() {
        String value = DkimKey.generate(DkimKey.Algorithm.RSA_SHA256).recordValue();
        assertThat(value.length()).isGreaterThan(255);
        var strings = DkimKey.txtStrings(value);
        assertThat(strings).hasSize((value.length() + 254) / 255).allSatisfy(s -> assertThat(s.length()).isLessThanOrEqualTo(255));
        assertThat(String.join("", strings)).isEqualTo(value);
        assertThat(DkimKey.txtStrings("short")).containsExactly("short");
        assertThat(DkimKey.txtStrings("x".repeat(255))).hasSize(1);
        assertThat(DkimKey.txtStrings("x".repeat(256))).containsExactly("x".repeat(255), "x");
    }

    @Test
    void unusableKeysAreRefusedWithAReason() throws Exception {
        assertThatThrownBy(() -> DkimKey.fromPem("not a key")).isInstanceOf(CaException.class)
                .hasMessageContaining("PRIVATE KEY");
        assertThatThrownBy(() -> DkimKey.fromPem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"))
                .isInstanceOf(CaException.class).hasMessageContaining("neither RSA nor Ed25519");
        String p256 = Pem.privateKey(KeyAlgorithm.ECDSA_P256.generate().getPrivate());
        assertThatThrownBy(() -> DkimKey.fromPem(p256)).isInstanceOf(CaException.class)
                .hasMessageContaining("neither RSA nor Ed25519");
        java.security.KeyPairGenerator small = java.security.KeyPairGenerator.getInstance("RSA");
        small.initialize(512);
        String weak = Pem.privateKey(small.generateKeyPair().getPrivate());
        assertThatThrownBy(() -> DkimKey.fromPem(weak)).isInstanceOf(CaException.class).hasMessageContaining("512 bits");
        assertThatThrownBy(() -> DkimKey.Algorithm.parse("rsa-sha1")).isInstanceOf(CaException.class)
                .hasMessageContaining("rsa-sha256, ed25519-sha256");
    }

    private static PublicKey publicKeyFromRecord(String record, DkimKey.Algorithm algorithm) throws Exception {
        byte[] p = Base64.getDecoder().decode(record.replaceFirst(".*p=", ""));
        if (algorithm == DkimKey.Algorithm.RSA_SHA256) {
            return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(p));
        }
        // Wrap the raw key in the SubjectPublicKeyInfo of RFC 8410 (id-Ed25519, 1.3.101.112) for the JDK.
        byte[] prefix = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
        byte[] spki = new byte[prefix.length + p.length];
        System.arraycopy(prefix, 0, spki, 0, prefix.length);
        System.arraycopy(p, 0, spki, prefix.length, p.length);
        return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
    }
}
