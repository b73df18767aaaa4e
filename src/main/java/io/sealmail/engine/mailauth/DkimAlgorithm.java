package io.sealmail.engine.mailauth;

import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Locale;

/** The DKIM signing algorithms we sign and verify with: rsa-sha256 (RFC 6376) and ed25519-sha256 (RFC 8463). */
public enum DkimAlgorithm {
    RSA_SHA256("rsa-sha256", "rsa"),
    ED25519_SHA256("ed25519-sha256", "ed25519");

    /** RFC 8301 §3.2: verifiers must not accept RSA keys below 1024 bits; signers use at least 2048. */
    static final int MIN_RSA_BITS = 1024;
    /** Larger keys cost the verifier quadratically more and are not in use; refused as a bound. */
    static final int MAX_RSA_BITS = 8192;

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

    /**
     * Signs with an {@link RsaSigning.Key} or Bouncy Castle's {@link Ed25519PrivateKeyParameters} (several times
     * faster than the JDK's Ed25519 in both directions, measured by {@code sealmail bench mailauth}).
     */
    byte[] sign(Object key, byte[] data) throws GeneralSecurityException {
        if (this == ED25519_SHA256) {
            // RFC 8463 §3: Ed25519 (PureEdDSA) signs the SHA-256 hash of the canonicalised header data.
            Ed25519Signer signer = new Ed25519Signer();
            signer.init(true, (Ed25519PrivateKeyParameters) key);
            byte[] hash = sha256(data);
            signer.update(hash, 0, hash.length);
            return signer.generateSignature();
        }
        return ((RsaSigning.Key) key).sign(data);
    }

    /** @param key what {@link #publicKey} returned */
    boolean verify(Object key, byte[] data, byte[] signature) throws GeneralSecurityException {
        if (this == ED25519_SHA256) {
            Ed25519Signer verifier = new Ed25519Signer();
            verifier.init(false, (Ed25519PublicKeyParameters) key);
            byte[] hash = sha256(data);
            verifier.update(hash, 0, hash.length);
            return verifier.verifySignature(signature);
        }
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initVerify((PublicKey) key);
        s.update(data);
        return s.verify(signature);
    }

    private static byte[] sha256(byte[] data) throws GeneralSecurityException {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }

    /** The public key from a key record's p= octets: an RSA {@link PublicKey} or {@link Ed25519PublicKeyParameters}. */
    Object publicKey(byte[] p) throws GeneralSecurityException {
        if (this == ED25519_SHA256) {
            if (p.length != Ed25519PublicKeyParameters.KEY_SIZE) {
                throw new GeneralSecurityException("an ed25519 key has 32 octets, not " + p.length);
            }
            try {
                return new Ed25519PublicKeyParameters(p, 0);
            } catch (IllegalArgumentException notAPoint) {
                // Bouncy Castle checks that the 32 octets are a point of the curve (found by MailAuthFuzz): a
                // record with others is unusable, a permerror like any malformed key (RFC 6376 §6.1.2).
                throw new GeneralSecurityException("not an ed25519 public key: " + notAPoint.getMessage());
            }
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

}
