package io.sealmail.ca;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.util.io.pem.PemHeader;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;

/**
 * PEM (RFC 7468) in and out, in the layout Kubernetes TLS Secrets and cert-manager use: certificates as
 * {@code CERTIFICATE} blocks, private keys as unencrypted PKCS#8 {@code PRIVATE KEY}. Reading also accepts the
 * traditional OpenSSL {@code RSA PRIVATE KEY} and {@code EC PRIVATE KEY} forms, since user CAs often come that way.
 * Every failure is a {@link CaException} saying what was found instead of what was expected.
 */
public final class Pem {
    private static final String CERTIFICATE = "CERTIFICATE";
    private static final String PRIVATE_KEY = "PRIVATE KEY";

    private Pem() {
    }

    /** All certificates in order; at least one, and nothing but {@code CERTIFICATE} blocks. */
    public static List<X509Certificate> readCertificates(String pem) {
        List<PemObject> blocks = blocks(pem, "-----BEGIN CERTIFICATE-----");
        List<X509Certificate> certs = new ArrayList<>(blocks.size());
        for (PemObject block : blocks) {
            if (!CERTIFICATE.equals(block.getType())) {
                throw new CaException("expected a PEM CERTIFICATE block, found " + block.getType());
            }
            certs.add(parseCertificate(block.getContent(), certs.size() + 1));
        }
        return certs;
    }

    /** The first certificate of a PEM bundle (every block must still be a certificate). */
    public static X509Certificate readCertificate(String pem) {
        return readCertificates(pem).get(0);
    }

    /** Only the first block, which must be a certificate; later blocks are not even decoded. */
    static X509Certificate firstCertificate(String pem) {
        if (pem == null || pem.isBlank()) {
            throw new CaException("empty input, expected -----BEGIN CERTIFICATE-----");
        }
        PemObject block;
        try (PemReader reader = new PemReader(new StringReader(pem))) {
            block = reader.readPemObject();
        } catch (IOException | RuntimeException e) {
            throw new CaException("malformed PEM: " + oneLine(e), e);
        }
        if (block == null || !CERTIFICATE.equals(block.getType())) {
            throw new CaException("expected a PEM CERTIFICATE block first");
        }
        return parseCertificate(block.getContent(), 1);
    }

    /** Exactly one unencrypted private key, RSA or EC. */
    public static PrivateKey readPrivateKey(String pem) {
        List<PemObject> blocks = blocks(pem, "-----BEGIN PRIVATE KEY-----");
        if (blocks.size() != 1) {
            throw new CaException("expected exactly one PEM private key block, found " + blocks.size()
                    + " blocks (" + String.join(", ", blocks.stream().map(PemObject::getType).toList()) + ")");
        }
        PemObject block = blocks.get(0);
        String type = block.getType();
        if (type.equals("ENCRYPTED PRIVATE KEY") || isProcTypeEncrypted(block)) {
            throw new CaException("the private key is encrypted; provide it unencrypted as PKCS#8"
                    + " (openssl pkcs8 -topk8 -nocrypt -in KEY)");
        }
        PrivateKey key;
        try {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (type.equals(PRIVATE_KEY)) {
                key = converter.getPrivateKey(PrivateKeyInfo.getInstance(block.getContent()));
            } else if (type.equals("RSA PRIVATE KEY") || type.equals("EC PRIVATE KEY")) {
                Object parsed = new PEMParser(new StringReader(pemText(block))).readObject();
                if (!(parsed instanceof PEMKeyPair pair)) {
                    throw new CaException("the " + type + " block is not a valid key");
                }
                key = converter.getKeyPair(pair).getPrivate();
            } else {
                throw new CaException("expected a PEM PRIVATE KEY block, found " + type);
            }
        } catch (CaException e) {
            throw e;
        } catch (Exception e) {
            // Bouncy Castle reports malformed ASN.1 and unknown key algorithms with assorted runtime exceptions.
            throw new CaException("the " + type + " block is not a valid private key", e);
        }
        String algorithm = key.getAlgorithm();
        if (!algorithm.equals("RSA") && !algorithm.equals("EC")) {
            throw new CaException("unsupported key type: " + KeyAlgorithm.describe(key) + " (supported: " + KeyAlgorithm.ids() + ")");
        }
        return key;
    }

    /** Certificates as concatenated {@code CERTIFICATE} blocks, in the order given. */
    public static String certificates(X509Certificate... certs) {
        StringBuilder out = new StringBuilder(certs.length * 800);
        for (X509Certificate cert : certs) {
            try {
                append(out, CERTIFICATE, cert.getEncoded());
            } catch (CertificateException e) {
                throw new IllegalStateException("cannot encode certificate", e);
            }
        }
        return out.toString();
    }

    public static String certificates(List<X509Certificate> certs) {
        return certificates(certs.toArray(X509Certificate[]::new));
    }

    /** Unencrypted PKCS#8 ({@code PRIVATE KEY}), the form {@code tls.key} takes in a Kubernetes Secret. */
    public static String privateKey(PrivateKey key) {
        if (!"PKCS#8".equals(key.getFormat())) {
            throw new IllegalStateException("key has format " + key.getFormat() + ", not PKCS#8");
        }
        StringBuilder out = new StringBuilder(2400);
        append(out, PRIVATE_KEY, key.getEncoded());
        return out.toString();
    }

    private static void append(StringBuilder out, String type, byte[] der) {
        out.append("-----BEGIN ").append(type).append("-----\n");
        out.append(Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)).append('\n');
        out.append("-----END ").append(type).append("-----\n");
    }

    private static List<PemObject> blocks(String pem, String expected) {
        if (pem == null || pem.isBlank()) {
            throw new CaException("empty input, expected " + expected);
        }
        List<PemObject> blocks = new ArrayList<>();
        try (PemReader reader = new PemReader(new StringReader(pem))) {
            for (PemObject o = reader.readPemObject(); o != null; o = reader.readPemObject()) {
                blocks.add(o);
            }
        } catch (IOException | RuntimeException e) {
            // PemReader: "-----END ... not found" (truncated), bad base64 inside a block, and so on.
            throw new CaException("malformed PEM (truncated?): " + oneLine(e), e);
        }
        if (blocks.isEmpty()) {
            throw new CaException("no PEM block found, expected " + expected);
        }
        return blocks;
    }

    private static X509Certificate parseCertificate(byte[] der, int index) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
        } catch (CertificateException | RuntimeException e) {
            throw new CaException("CERTIFICATE block " + index + " is not a valid X.509 certificate", e);
        }
    }

    private static boolean isProcTypeEncrypted(PemObject block) {
        for (Object h : block.getHeaders()) {
            PemHeader header = (PemHeader) h;
            if (header.getName().equalsIgnoreCase("Proc-Type") && header.getValue().contains("ENCRYPTED")) {
                return true;
            }
        }
        return false;
    }

    private static String pemText(PemObject block) {
        StringBuilder out = new StringBuilder();
        append(out, block.getType(), block.getContent());
        return out.toString();
    }

    static String oneLine(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            m = e.getClass().getSimpleName();
        }
        m = m.strip();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
