package io.sealmail.ca;

import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.stream.Collectors;

/**
 * A DKIM signing key (RFC 6376; Ed25519 per RFC 8463): the private key as unencrypted PKCS#8 PEM, as it is kept in
 * the {@code <name>-dkim} Secret, and the public key as the DNS TXT record value that verifiers fetch from
 * {@code <selector>._domainkey.<domain>}.
 */
public final class DkimKey {

    /** The signing algorithms, by their {@code a=} tag names. */
    public enum Algorithm {
        RSA_SHA256("rsa-sha256", "rsa"),
        ED25519_SHA256("ed25519-sha256", "ed25519");

        private final String id;
        private final String keyType;

        Algorithm(String id, String keyType) {
            this.id = id;
            this.keyType = keyType;
        }

        /** {@code rsa-sha256} or {@code ed25519-sha256}, as in the manifest and the {@code a=} tag. */
        public String id() {
            return id;
        }

        /** The record's {@code k=} tag: {@code rsa} or {@code ed25519}. */
        public String keyType() {
            return keyType;
        }

        public static Algorithm parse(String id) {
            String wanted = id == null ? "" : id.trim().toLowerCase(Locale.ROOT);
            for (Algorithm a : values()) {
                if (a.id.equals(wanted)) {
                    return a;
                }
            }
            throw new CaException("unknown DKIM algorithm \"" + id + "\" (valid: "
                    + Arrays.stream(values()).map(Algorithm::id).collect(Collectors.joining(", ")) + ")");
        }
    }

    /** RFC 6376 §3.3.3 asks for at least 1024 bits; 2048 is what large providers expect today. */
    static final int RSA_BITS = 2048;

    private final Algorithm algorithm;
    private final PrivateKey privateKey;
    private final byte[] publicKeyData;

    private DkimKey(Algorithm algorithm, PrivateKey privateKey, byte[] publicKeyData) {
        this.algorithm = algorithm;
        this.privateKey = privateKey;
        this.publicKeyData = publicKeyData;
    }

    public static DkimKey generate(Algorithm algorithm) {
        try {
            KeyPairGenerator generator;
            if (algorithm == Algorithm.RSA_SHA256) {
                generator = KeyPairGenerator.getInstance("RSA");
                generator.initialize(RSA_BITS, KeyAlgorithm.RANDOM);
            } else {
                generator = KeyPairGenerator.getInstance("Ed25519");
                generator.initialize(255, KeyAlgorithm.RANDOM);
            }
            KeyPair pair = generator.generateKeyPair();
            return of(algorithm, pair.getPrivate());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot generate " + algorithm.id() + " keys", e);
        }
    }

    /** A key read back from its PEM form ({@link #privateKeyPem()}); the algorithm follows from the key. */
    public static DkimKey fromPem(String pem) {
        Matcher m = java.util.regex.Pattern
                .compile("-----BEGIN PRIVATE KEY-----\\s*([A-Za-z0-9+/=\\s]+?)-----END PRIVATE KEY-----")
                .matcher(pem == null ? "" : pem);
        if (!m.find()) {
            throw new CaException("expected one PEM PRIVATE KEY block (unencrypted PKCS#8)");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(m.group(1));
        } catch (IllegalArgumentException e) {
            throw new CaException("the PEM PRIVATE KEY block is not valid base64");
        }
        for (String family : List.of("RSA", "Ed25519")) {
            try {
                PrivateKey key = KeyFactory.getInstance(family).generatePrivate(new PKCS8EncodedKeySpec(der));
                return of(family.equals("RSA") ? Algorithm.RSA_SHA256 : Algorithm.ED25519_SHA256, key);
            } catch (GeneralSecurityException | ClassCastException e) {
                // not this family; try the next
            }
        }
        throw new CaException("the DKIM key is neither RSA nor Ed25519");
    }

    private static DkimKey of(Algorithm algorithm, PrivateKey key) throws GeneralSecurityException {
        if (algorithm == Algorithm.RSA_SHA256) {
            RSAPrivateCrtKey rsa = (RSAPrivateCrtKey) key;
            if (rsa.getModulus().bitLength() < 1024) {
                throw new CaException("RSA DKIM key of " + rsa.getModulus().bitLength()
                        + " bits: verifiers refuse keys under 1024 bits (RFC 8301 §3.2)");
            }
            byte[] spki = KeyFactory.getInstance("RSA")
                    .generatePublic(new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent())).getEncoded();
            return new DkimKey(algorithm, key, spki);
        }
        // RFC 8463 §4.2: the record carries the raw 32-octet public key, not a SubjectPublicKeyInfo.
        // RFC 8410 §7: the PKCS#8 privateKey holds CurvePrivateKey, an OCTET STRING of the 32-octet seed.
        byte[] seed;
        try {
            seed = org.bouncycastle.asn1.ASN1OctetString.getInstance(
                    org.bouncycastle.asn1.pkcs.PrivateKeyInfo.getInstance(key.getEncoded()).parsePrivateKey()).getOctets();
        } catch (java.io.IOException | IllegalArgumentException e) {
            throw new CaException("the Ed25519 DKIM key is malformed", e);
        }
        if (seed.length != Ed25519PrivateKeyParameters.KEY_SIZE) {
            throw new CaException("Ed25519 DKIM key of " + seed.length + " octets, expected 32");
        }
        byte[] publicKey = new Ed25519PrivateKeyParameters(seed, 0).generatePublicKey().getEncoded();
        return new DkimKey(algorithm, key, publicKey);
    }

    public Algorithm algorithm() {
        return algorithm;
    }

    public PrivateKey privateKey() {
        return privateKey;
    }

    /** Unencrypted PKCS#8, the form kept in the Secret and mounted into the engine. */
    public String privateKeyPem() {
        byte[] der = privateKey.getEncoded();
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END PRIVATE KEY-----\n";
    }

    /** The TXT record value, e.g. {@code v=DKIM1; k=rsa; p=MIIBIjAN...} (RFC 6376 §3.6.1). */
    public String recordValue() {
        return "v=DKIM1; k=" + algorithm.keyType() + "; p=" + Base64.getEncoder().encodeToString(publicKeyData);
    }

    /**
     * A TXT value cut into character-strings of at most 255 octets (RFC 1035 §3.3.14), in order; DNS servers and
     * zone files need that for an RSA-2048 record, and verifiers join them without separators (RFC 6376 §3.6.2.2).
     */
    public static List<String> txtStrings(String value) {
        byte[] octets = value.getBytes(StandardCharsets.US_ASCII);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < octets.length; i += 255) {
            out.add(new String(octets, i, Math.min(255, octets.length - i), StandardCharsets.US_ASCII));
        }
        return out;
    }
}
