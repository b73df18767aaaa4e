package io.sealmail.ca;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The key types Sealmail issues and accepts, for both the CA and its leaves. */
public enum KeyAlgorithm {
    ECDSA_P256("ecdsa-p256", "SHA256withECDSA"),
    RSA_2048("rsa-2048", "SHA256withRSA"),
    RSA_3072("rsa-3072", "SHA256withRSA"),
    RSA_4096("rsa-4096", "SHA256withRSA");

    /** One generator of randomness for all keys and serials; SecureRandom is thread-safe. */
    static final SecureRandom RANDOM = new SecureRandom();

    private final String id;
    private final String signatureAlgorithm;

    KeyAlgorithm(String id, String signatureAlgorithm) {
        this.id = id;
        this.signatureAlgorithm = signatureAlgorithm;
    }

    /** The name used on the command line and in manifests, e.g. {@code ecdsa-p256}. */
    public String id() {
        return id;
    }

    /** The JCA signature algorithm a key of this type signs certificates with. */
    public String signatureAlgorithm() {
        return signatureAlgorithm;
    }

    public boolean isRsa() {
        return this != ECDSA_P256;
    }

    /** Every valid id, comma separated, for error messages. */
    public static String ids() {
        return Arrays.stream(values()).map(KeyAlgorithm::id).collect(Collectors.joining(", "));
    }

    public static KeyAlgorithm parse(String id) {
        if (id != null) {
            String wanted = id.trim().toLowerCase(Locale.ROOT);
            for (KeyAlgorithm k : values()) {
                if (k.id.equals(wanted)) {
                    return k;
                }
            }
        }
        throw new CaException("unknown key algorithm \"" + id + "\" (valid: " + ids() + ")");
    }

    /** The algorithm of an existing key; anything else (P-384, DSA, RSA 1024, Ed25519...) is refused. */
    public static KeyAlgorithm of(PublicKey key) {
        if (key instanceof RSAPublicKey rsa) {
            int bits = rsa.getModulus().bitLength();
            switch (bits) {
                case 2048: return RSA_2048;
                case 3072: return RSA_3072;
                case 4096: return RSA_4096;
                default: throw new CaException("unsupported key type: RSA " + bits + " bits (supported: " + ids() + ")");
            }
        }
        if (key instanceof ECPublicKey ec) {
            if (isP256(ec.getParams())) {
                return ECDSA_P256;
            }
            throw new CaException("unsupported key type: EC on curve " + curveName(ec.getParams())
                    + " (supported: " + ids() + ")");
        }
        throw new CaException("unsupported key type: " + describe(key) + " (supported: " + ids() + ")");
    }

    /** A key's type for messages: "Ed25519" rather than the JCA family "EdDSA" where the key says so. */
    static String describe(java.security.Key key) {
        if (key == null) {
            return "none";
        }
        if (key instanceof java.security.interfaces.EdECKey ed) {
            return ed.getParams().getName();
        }
        if (key instanceof java.security.interfaces.XECKey x
                && x.getParams() instanceof java.security.spec.NamedParameterSpec named) {
            return named.getName();
        }
        return key.getAlgorithm();
    }

    public KeyPair generate() {
        try {
            KeyPairGenerator generator;
            if (this == ECDSA_P256) {
                KeyPair bc = P256_GENERATOR.get().generateKeyPair();
                // Hand out the JDK's own key classes, so keys compare, serialise and plug into JSSE as any other.
                KeyFactory jdk = KeyFactory.getInstance("EC");
                return new KeyPair(jdk.generatePublic(new X509EncodedKeySpec(bc.getPublic().getEncoded())),
                        jdk.generatePrivate(new PKCS8EncodedKeySpec(bc.getPrivate().getEncoded())));
            } else {
                generator = KeyPairGenerator.getInstance("RSA");
                generator.initialize(Integer.parseInt(id.substring("rsa-".length())), RANDOM);
            }
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot generate " + id + " keys", e);
        }
    }

    /**
     * One initialised generator per thread: initialising builds the curve and its precomputed multiples of the
     * generator point, which costs more than making a key with them (a generator is not thread-safe).
     */
    private static final ThreadLocal<KeyPairGenerator> P256_GENERATOR = ThreadLocal.withInitial(() -> {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", BouncyCastle.PROVIDER);
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return generator;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Bouncy Castle cannot generate P-256 keys", e);
        }
    });

    // P-256 (secp256r1, prime256v1): compare the curve itself, since providers name it differently.
    private static final ECParameterSpec P256 = p256();

    private static ECParameterSpec p256() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return ((ECPublicKey) generator.generateKeyPair().getPublic()).getParams();
        } catch (GeneralSecurityException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static boolean isP256(ECParameterSpec p) {
        return p != null && p.getCurve().equals(P256.getCurve()) && p.getGenerator().equals(P256.getGenerator())
                && p.getOrder().equals(P256.getOrder()) && p.getCofactor() == P256.getCofactor();
    }

    private static String curveName(ECParameterSpec p) {
        if (p == null) {
            return "unknown";
        }
        String s = p.toString(); // SunEC: "secp384r1 [NIST P-384] (1.3.132.0.34)"; others may differ
        return s.length() > 60 || s.contains("\n") ? p.getOrder().bitLength() + "-bit" : s;
    }
}
