package io.sealmail.engine.tls;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * A server certificate chain and its private key, read from the Kubernetes TLS Secret layout and checked to belong
 * together: {@code tls.crt} holds the leaf first, then any intermediates (root optional); {@code tls.key} holds one
 * unencrypted key, PKCS#8 ({@code PRIVATE KEY}) or the traditional {@code RSA}/{@code EC PRIVATE KEY} forms that
 * cert-manager also writes. RSA and EC keys are accepted.
 *
 * <p>Parsing is strict on purpose: a file caught half-written by a reload, a key that is not the leaf's, or a chain in
 * the wrong order must be refused here, while the previous pair keeps serving, rather than fail handshakes later.
 */
public record CertificatePair(List<X509Certificate> chain, PrivateKey key) {
    private static final SecureRandom RANDOM = new SecureRandom();

    public CertificatePair {
        chain = List.copyOf(chain);
        if (chain.isEmpty()) {
            throw new TlsException("no certificate");
        }
    }

    /** The server's own certificate (the first of {@code tls.crt}). */
    public X509Certificate leaf() {
        return chain.get(0);
    }

    /** The leaf's serial number in lower-case hex, as {@code openssl x509 -serial} prints it (without colons). */
    public String serialHex() {
        return leaf().getSerialNumber().toString(16);
    }

    /**
     * Parses and cross-checks PEM bytes; {@code certName}/{@code keyName} name the sources in error messages.
     *
     * @throws TlsException saying which file is wrong and how
     */
    public static CertificatePair parse(byte[] certPem, byte[] keyPem, String certName, String keyName) {
        List<X509Certificate> chain = readCertificates(certPem, certName);
        PrivateKey key = readPrivateKey(keyPem, keyName);
        X509Certificate leaf = chain.get(0);
        if (!keyMatches(key, leaf.getPublicKey())) {
            throw new TlsException(keyName + " does not match the certificate in " + certName + " (leaf serial "
                    + leaf.getSerialNumber().toString(16) + ")");
        }
        for (int i = 0; i + 1 < chain.size(); i++) {
            X509Certificate cert = chain.get(i);
            X509Certificate issuer = chain.get(i + 1);
            if (!cert.getIssuerX500Principal().equals(issuer.getSubjectX500Principal()) || !signedBy(cert, issuer)) {
                throw new TlsException(certName + ": certificate " + (i + 2) + " (" + issuer.getSubjectX500Principal()
                        + ") did not issue certificate " + (i + 1) + " (" + cert.getSubjectX500Principal()
                        + "); the leaf must come first, then its issuers in order");
            }
        }
        return new CertificatePair(chain, key);
    }

    static List<X509Certificate> readCertificates(byte[] pem, String name) {
        String text = new String(pem, StandardCharsets.US_ASCII);
        if (!text.contains("-----BEGIN CERTIFICATE-----")) {
            throw new TlsException(name + ": no PEM CERTIFICATE block" + (pem.length == 0 ? " (file is empty)" : ""));
        }
        List<X509Certificate> certs = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        try (PEMParser parser = new PEMParser(new StringReader(text))) {
            Object o;
            while ((o = parser.readObject()) != null) {
                if (!(o instanceof X509CertificateHolder holder)) {
                    throw new TlsException(name + ": expected only CERTIFICATE blocks, found " + describe(o));
                }
                certs.add(converter.getCertificate(holder));
            }
        } catch (IOException | CertificateException | RuntimeException e) {
            if (e instanceof TlsException t) {
                throw t;
            }
            throw new TlsException(name + ": unreadable certificate " + (certs.size() + 1) + " (truncated or corrupt PEM: "
                    + oneLine(e) + ")", e);
        }
        if (certs.isEmpty()) {
            throw new TlsException(name + ": no complete PEM CERTIFICATE block (truncated?)");
        }
        // A file cut short after the last END line still parses; a trailing partial block does not reach here
        // because PEMParser fails on a BEGIN without END.
        return certs;
    }

    static PrivateKey readPrivateKey(byte[] pem, String name) {
        String text = new String(pem, StandardCharsets.US_ASCII);
        if (!text.contains("PRIVATE KEY-----")) {
            throw new TlsException(name + ": no PEM private key block" + (pem.length == 0 ? " (file is empty)" : ""));
        }
        PrivateKey key = null;
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        try (PEMParser parser = new PEMParser(new StringReader(text))) {
            Object o;
            while ((o = parser.readObject()) != null) {
                PrivateKey found;
                if (o instanceof PrivateKeyInfo info) {
                    found = converter.getPrivateKey(info);
                } else if (o instanceof PEMKeyPair pair) {
                    found = converter.getPrivateKey(pair.getPrivateKeyInfo()); // SEC1 keys may omit the public key
                } else if (o instanceof PEMEncryptedKeyPair || o instanceof PKCS8EncryptedPrivateKeyInfo) {
                    throw new TlsException(name + ": the private key is encrypted; the engine needs an unencrypted key");
                } else {
                    continue; // e.g. "EC PARAMETERS" ahead of an EC key, as `openssl ecparam -genkey` writes
                }
                if (key != null) {
                    throw new TlsException(name + ": more than one private key");
                }
                key = found;
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof TlsException t) {
                throw t;
            }
            throw new TlsException(name + ": unreadable private key (truncated or corrupt PEM: " + oneLine(e) + ")", e);
        }
        if (key == null) {
            throw new TlsException(name + ": no complete PEM private key block (truncated?)");
        }
        if (!key.getAlgorithm().equals("RSA") && !key.getAlgorithm().equals("EC")) {
            throw new TlsException(name + ": unsupported key type " + key.getAlgorithm() + " (use an RSA or EC key)");
        }
        return key;
    }

    /** Proves the key belongs to the certificate by signing a random challenge and verifying it. */
    static boolean keyMatches(PrivateKey key, PublicKey publicKey) {
        if (!key.getAlgorithm().equals(publicKey.getAlgorithm())) {
            return false;
        }
        try {
            String algorithm = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
            byte[] challenge = new byte[32];
            RANDOM.nextBytes(challenge);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false; // e.g. an EC key on another curve
        }
    }

    private static boolean signedBy(X509Certificate cert, X509Certificate issuer) {
        try {
            cert.verify(issuer.getPublicKey());
            return true;
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    private static String describe(Object o) {
        if (o instanceof PrivateKeyInfo || o instanceof PEMKeyPair) {
            return "a private key (tls.crt and tls.key swapped?)";
        }
        return o.getClass().getSimpleName();
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage();
        return (m == null ? e.getClass().getSimpleName() : m).replaceAll("\\s+", " ");
    }
}
