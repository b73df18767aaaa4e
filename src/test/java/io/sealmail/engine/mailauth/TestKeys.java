package io.sealmail.engine.mailauth;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;

/** DKIM keys for tests, written as PKCS#8 PEM as an operator's Secret would hold them. */
final class TestKeys {
    private TestKeys() {
    }

    static String pem(KeyPair pair) {
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(pair.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    static KeyPair rsa(int bits) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(bits);
        return g.generateKeyPair();
    }

    static KeyPair ed25519() throws Exception {
        return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    }

    static DkimSigningKey key(String domain, String selector, DkimAlgorithm algorithm, KeyPair pair) throws Exception {
        return DkimSigningKey.fromPem(domain, selector, algorithm, pem(pair));
    }

    static DkimSigningKey rsaKey(String domain, String selector) throws Exception {
        return key(domain, selector, DkimAlgorithm.RSA_SHA256, rsa(2048));
    }

    static DkimSigningKey edKey(String domain, String selector) throws Exception {
        return key(domain, selector, DkimAlgorithm.ED25519_SHA256, ed25519());
    }

    static Path write(Path dir, String name, KeyPair pair) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, pem(pair));
        return p;
    }
}
