package io.sealmail.engine.mailauth;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Locale;

/** The DKIM signing algorithms we sign and verify with: rsa-sha256 (RFC 6376) and ed25519-sha256 (RFC 8463). */
public enum DkimAlgorithm {
    RSA_SHA256("rsa-sha256", "rsa"),
    ED25519_SHA256("ed25519-sha256", "ed25519");

    /** RFC 8301 §3.2: verifiers must not accept RSA keys below 1024 bits; signers use at least 2048. */
    static final int MIN_RSA_BITS = 1024;
    /** Larger keys cost the verifier quadratically more and are not in use; refused as a bound. */
    static final int MAX_RSA_BITS = 8192;
    /** SubjectPublicKeyInfo prefix of an Ed25519 key (RFC 8410 §4): the record holds only the 32 raw octets. */
    private static final byte[] ED25519_SPKI_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

    private final String token;
    private final String keyType;

    DkimAlgorithm(String token, String keyType) {
        this.token = token;
        this.keyType = keyType;
    }

    /** The a= value. */
    public String token() {
        return token;
    }

    /** The k= value of the key record. */
    public String keyType() {
        return keyType;
    }

    public static DkimAlgorithm of(String token) {
        String t = token == null ? "" : token.trim().toLowerCase(Locale.ROOT);
        for (DkimAlgorithm a : values()) {
            if (a.token.equals(t)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown DKIM algorithm '" + token + "' (rsa-sha256 or ed25519-sha256)");
    }

    byte[] sign(PrivateKey key, byte[] data) throws GeneralSecurityException {
        Signature s = signature();
        s.initSign(key);
        s.update(this == ED25519_SHA256 ? sha256(data) : data);
        return s.sign();
    }

    boolean verify(PublicKey key, byte[] data, byte[] signature) throws GeneralSecurityException {
        Signature s = signature();
        s.initVerify(key);
        // RFC 8463 §3: Ed25519 (PureEdDSA) signs the SHA-256 hash of the canonicalised header data.
        s.update(this == ED25519_SHA256 ? sha256(data) : data);
        return s.verify(signature);
    }

    private Signature signature() throws GeneralSecurityException {
        return Signature.getInstance(this == RSA_SHA256 ? "SHA256withRSA" : "Ed25519");
    }

    private static byte[] sha256(byte[] data) throws GeneralSecurityException {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }

    /** The public key from a key record's p= octets. */
    PublicKey publicKey(byte[] p) throws GeneralSecurityException {
        if (this == ED25519_SHA256) {
            if (p.length != 32) {
                throw new GeneralSecurityException("an ed25519 key has 32 octets, not " + p.length);
            }
            byte[] spki = Arrays.copyOf(ED25519_SPKI_PREFIX, ED25519_SPKI_PREFIX.length + 32);
            System.arraycopy(p, 0, spki, ED25519_SPKI_PREFIX.length, 32);
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
        }
        KeyFactory rsa = KeyFactory.getInstance("RSA");
        RSAPublicKey key;
        try {
            key = (RSAPublicKey) rsa.generatePublic(new X509EncodedKeySpec(p));
        } catch (GeneralSecurityException spkiFailed) {
            // RFC 6376 §3.6.1 names RSAPublicKey; most publish SubjectPublicKeyInfo. Accept both.
            try {
                org.bouncycastle.asn1.pkcs.RSAPublicKey pkcs1 = org.bouncycastle.asn1.pkcs.RSAPublicKey.getInstance(p);
                key = (RSAPublicKey) rsa.generatePublic(new RSAPublicKeySpec(pkcs1.getModulus(), pkcs1.getPublicExponent()));
            } catch (RuntimeException e) {
                throw new GeneralSecurityException("not an RSA public key");
            }
        }
        int bits = key.getModulus().bitLength();
        if (bits > MAX_RSA_BITS) {
            throw new GeneralSecurityException("RSA key of " + bits + " bits is above the bound of " + MAX_RSA_BITS);
        }
        return key;
    }

    /** The p= octets to publish for {@code key}. */
    static byte[] publishedKey(DkimAlgorithm algorithm, PublicKey key) {
        byte[] spki = key.getEncoded();
        return algorithm == ED25519_SHA256 ? Arrays.copyOfRange(spki, spki.length - 32, spki.length) : spki;
    }
}
