package io.sealmail.engine.mailauth;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;

/** DKIM keys for tests, written as PKCS#8 PEM as an operator's Secret would hold them. */
public final class TestKeys {
    private TestKeys() {
    }

    public static String pem(KeyPair pair) {
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(pair.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    public static KeyPair rsa(int bits) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(bits);
        return g.generateKeyPair();
    }

    public static KeyPair ed25519() throws Exception {
        return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    }

    public static DkimSigningKey key(String domain, String selector, DkimAlgorithm algorithm, KeyPair pair) throws Exception {
        return DkimSigningKey.fromPem(domain, selector, algorithm, pem(pair));
    }

    public static DkimSigningKey rsaKey(String domain, String selector) throws Exception {
        return key(domain, selector, DkimAlgorithm.RSA_SHA256, rsa(2048));
    }

    public static DkimSigningKey edKey(String domain, String selector) throws Exception {
        return key(domain, selector, DkimAlgorithm.ED25519_SHA256, ed25519());
    }

    public static Path write(Path dir, String name, KeyPair pair) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, pem(pair));
        return p;
    }
}
