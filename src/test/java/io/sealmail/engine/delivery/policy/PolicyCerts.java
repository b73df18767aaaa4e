package io.sealmail.engine.delivery.policy;

import io.sealmail.ca.CertificateAuthority;
import io.sealmail.ca.IssuedCertificate;
import io.sealmail.ca.LeafSpec;
import io.sealmail.engine.tls.TestPki;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.TLSARecord;
import org.xbill.DNS.TextParseException;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/** Certificates and TLSA records for the policy tests, all from our own CA ({@link TestPki}). */
public final class PolicyCerts {
    private PolicyCerts() {
    }

    public static CertificateAuthority authority(String subject) {
        return TestPki.authority(subject);
    }

    public static IssuedCertificate leaf(CertificateAuthority ca, String... names) {
        return ca.issue(LeafSpec.of(List.of(names), List.of()));
    }

    /** What a server sends: the leaf, intermediates, and the root (DANE-TA needs it in the chain, RFC 7672 §3.1.2). */
    public static X509Certificate[] chainWithRoot(IssuedCertificate cert) {
        List<X509Certificate> chain = new ArrayList<>();
        chain.add(cert.leaf());
        chain.addAll(cert.chain());
        chain.add(cert.root());
        return chain.toArray(X509Certificate[]::new);
    }

    public static X509Certificate[] chainWithoutRoot(IssuedCertificate cert) {
        List<X509Certificate> chain = new ArrayList<>();
        chain.add(cert.leaf());
        chain.addAll(cert.chain());
        return chain.toArray(X509Certificate[]::new);
    }

    /** The association data a zone would publish for {@code cert} with these parameters. */
    public static byte[] association(int selector, int matchingType, X509Certificate cert) {
        try {
            byte[] selected = selector == 0 ? cert.getEncoded() : cert.getPublicKey().getEncoded();
            return switch (matchingType) {
                case 0 -> selected;
                case 1 -> MessageDigest.getInstance("SHA-256").digest(selected);
                case 2 -> MessageDigest.getInstance("SHA-512").digest(selected);
                default -> throw new IllegalArgumentException("matching type " + matchingType);
            };
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static TLSARecord tlsa(String mxHost, int usage, int selector, int matchingType, byte[] data) {
        try {
            return new TLSARecord(Name.fromString("_25._tcp." + mxHost + "."), DClass.IN, 300, usage, selector,
                    matchingType, data);
        } catch (TextParseException e) {
            throw new IllegalArgumentException(e);
        }
    }

    public static TLSARecord tlsa(String mxHost, int usage, int selector, int matchingType, X509Certificate cert) {
        return tlsa(mxHost, usage, selector, matchingType, association(selector, matchingType, cert));
    }

    /** A TLS server context presenting {@code cert} with its root (as most servers configured for DANE-TA do). */
    public static SSLContext serverContext(IssuedCertificate cert) {
        try {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            Certificate[] chain = chainWithRoot(cert);
            keys.setKeyEntry("server", cert.privateKey(), new char[0], chain);
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, new char[0]);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
            return context;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
