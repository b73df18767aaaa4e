package io.sealmail.engine.mailauth;

import org.jboss.logging.Logger;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Signature;
import java.security.interfaces.RSAPrivateCrtKey;

/**
 * Where rsa-sha256 signatures are made: AWS-LC through the Amazon Corretto Crypto Provider when its native library
 * loads (Linux x86-64), which costs about a quarter of the JDK's CPU per RSA-2048 signature with the same blinding
 * against timing attacks; the JDK's SunRsaSign otherwise. The provider serves this operation only: it is never
 * installed JVM-wide, so TLS and everything else keep their providers.
 */
final class RsaSigning {
    private static final Logger LOG = Logger.getLogger(RsaSigning.class);
    private static final Provider NATIVE = loadNative();

    private RsaSigning() {
    }

    private static Provider loadNative() {
        if (Boolean.getBoolean("sealmail.dkim.jdk-rsa")) {
            return null;
        }
        try {
            var accp = com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider.INSTANCE;
            if (accp.getLoadingError() != null) {
                LOG.infof("DKIM RSA signing uses the JDK (AWS-LC not loaded: %s)", accp.getLoadingError().toString());
                return null;
            }
            return accp;
        } catch (LinkageError | RuntimeException e) {
            LOG.infof("DKIM RSA signing uses the JDK (AWS-LC not loaded: %s)", e.toString());
            return null;
        }
    }

    /** The name of the provider signing, for logs and the benchmark. */
    static String providerName() {
        return NATIVE == null ? "JDK" : "AWS-LC";
    }

    /**
     * The key as the signing provider holds it, converted once at load: converting a JDK key on every signature
     * cost AWS-LC more than the signature itself.
     */
    static Key prepare(RSAPrivateCrtKey key) throws GeneralSecurityException {
        if (NATIVE == null) {
            return new Key(key, null);
        }
        return new Key((PrivateKey) KeyFactory.getInstance("RSA", NATIVE).translateKey(key), NATIVE);
    }

    /** A private key and the provider that signs with it (null: the JDK's default). */
    record Key(PrivateKey key, Provider provider) {
        /** An RSASSA-PKCS1-v1_5 SHA-256 signature (RFC 6376 §3.3.1) of {@code data}. */
        byte[] sign(byte[] data) throws GeneralSecurityException {
            Signature s = provider == null ? Signature.getInstance("SHA256withRSA")
                    : Signature.getInstance("SHA256withRSA", provider);
            s.initSign(key);
            s.update(data);
            return s.sign();
        }
    }
}
