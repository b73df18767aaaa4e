package io.sealmail.engine.delivery.policy;

import java.security.InvalidAlgorithmParameterException;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Set;

/**
 * Builds and validates a PKIX path (RFC 5280) from a presented server chain to a set of trust anchors, at a given
 * instant. The chain may arrive out of order or with its root; the path builder sorts it out. Revocation is not
 * checked (as in Postfix and most MTAs: no OCSP or CRL fetches on the delivery path).
 */
final class ChainValidator {
    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final String ANY_EKU = "2.5.29.37.0";

    private ChainValidator() {
    }

    static void validate(X509Certificate[] chain, Set<TrustAnchor> anchors, Instant at) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException("the server sent no certificate");
        }
        if (anchors.isEmpty()) {
            throw new CertificateException("no trust anchors");
        }
        X509Certificate leaf = chain[0];
        try {
            X509CertSelector target = new X509CertSelector();
            target.setCertificate(leaf);
            PKIXBuilderParameters params = new PKIXBuilderParameters(anchors, target);
            params.setRevocationEnabled(false);
            params.setDate(Date.from(at));
            List<X509Certificate> presented = Arrays.asList(chain);
            params.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(presented)));
            CertPathBuilder.getInstance("PKIX").build(params);
        } catch (CertPathBuilderException e) {
            throw new CertificateException("no valid path to a trusted CA: " + reason(e), e);
        } catch (InvalidAlgorithmParameterException | NoSuchAlgorithmException e) {
            throw new CertificateException(e.getMessage(), e);
        }
        requireServerAuth(leaf);
    }

    /** A leaf restricted by extendedKeyUsage must allow TLS server authentication (RFC 5280 §4.2.1.12). */
    private static void requireServerAuth(X509Certificate leaf) throws CertificateException {
        try {
            List<String> eku = leaf.getExtendedKeyUsage();
            if (eku != null && !eku.contains(SERVER_AUTH) && !eku.contains(ANY_EKU)) {
                throw new CertificateException("the certificate is not for TLS servers (extendedKeyUsage " + eku + ")");
            }
        } catch (CertificateParsingException e) {
            throw new CertificateException("unreadable extendedKeyUsage", e);
        }
    }

    private static String reason(Exception e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return message == null ? root.getClass().getSimpleName() : message;
    }
}
