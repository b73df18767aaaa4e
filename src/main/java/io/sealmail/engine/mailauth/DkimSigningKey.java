package io.sealmail.engine.mailauth;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;
import java.util.Locale;

/**
 * One signing key: the domain it signs for (d=), its selector (s=), its algorithm, the private key, and the
 * public key as it must be published at {@code <selector>._domainkey.<domain>}.
 */
public final class DkimSigningKey {
    private final String domain;
    private final String selector;
    private final DkimAlgorithm algorithm;
    /** An {@link RsaSigning.Key} or {@link Ed25519PrivateKeyParameters}, as {@link DkimAlgorithm#sign} takes it. */
    private final Object privateKey;
    private final byte[] publishedKey;

    private DkimSigningKey(String domain, String selector, DkimAlgorithm algorithm, Object privateKey, byte[] publishedKey) {
        this.domain = domain.toLowerCase(Locale.ROOT);
        this.selector = selector;
        this.algorithm = algorithm;
        this.privateKey = privateKey;
        this.publishedKey = publishedKey;
    }

    /** Reads a PEM private key (PKCS#8 "PRIVATE KEY", or PKCS#1 "RSA PRIVATE KEY") of the algorithm's type. */
    public static DkimSigningKey load(String domain, String selector, DkimAlgorithm algorithm, Path pemFile) throws IOException {
        return fromPem(domain, selector, algorithm, Files.readString(pemFile));
    }

    public static DkimSigningKey fromPem(String domain, String selector, DkimAlgorithm algorithm, String pem) throws IOException {
        Object parsed;
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            parsed = parser.readObject();
        }
        PrivateKeyInfo info = parsed instanceof PEMKeyPair pair ? pair.getPrivateKeyInfo()
                : parsed instanceof PrivateKeyInfo i ? i : null;
        if (info == null) {
            throw new IOException("no unencrypted PEM private key found (PKCS#8 PRIVATE KEY or RSA PRIVATE KEY)");
        }
        try {
            byte[] published;
            Object signing;
            if (algorithm == DkimAlgorithm.RSA_SHA256) {
                PrivateKey key = new JcaPEMKeyConverter().getPrivateKey(info);
                if (!(key instanceof RSAPrivateCrtKey rsa)) {
                    throw new IOException("the key for " + algorithm.token() + " is not an RSA key");
                }
                if (rsa.getModulus().bitLength() < 1024) {
                    throw new IOException("RSA key of " + rsa.getModulus().bitLength() + " bits: verifiers refuse keys below 1024 bits (RFC 8301)");
                }
                published = KeyFactory.getInstance("RSA")
                        .generatePublic(new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent())).getEncoded();
                signing = RsaSigning.prepare(rsa);
            } else {
                AsymmetricKeyParameter params = PrivateKeyFactory.createKey(info);
                if (!(params instanceof Ed25519PrivateKeyParameters ed)) {
                    throw new IOException("the key for " + algorithm.token() + " is not an Ed25519 key");
                }
                published = ed.generatePublicKey().getEncoded();
                signing = ed;
            }
            return new DkimSigningKey(domain, selector, algorithm, signing, published);
        } catch (GeneralSecurityException | org.bouncycastle.openssl.PEMException e) {
            throw new IOException("unusable private key: " + e.getMessage(), e);
        }
    }

    public String domain() {
        return domain;
    }

    public String selector() {
        return selector;
    }

    public DkimAlgorithm algorithm() {
        return algorithm;
    }

    Object privateKey() {
        return privateKey;
    }

    /** The DNS name of the key record: {@code <selector>._domainkey.<domain>} (RFC 6376 §3.6.2.1). */
    public String recordName() {
        return selector + "._domainkey." + domain;
    }

    /** The TXT record text (RFC 6376 §3.6.1; RFC 8463 §4 for ed25519: the raw 32-octet key). */
    public String recordText() {
        return "v=DKIM1; k=" + algorithm.keyType() + "; p=" + Base64.getEncoder().encodeToString(publishedKey);
    }
}
