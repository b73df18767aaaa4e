package io.sealmail.ca;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * A leaf certificate with its key, ready for a Kubernetes TLS Secret.
 *
 * @param leaf       the server certificate
 * @param chain      certificates between the leaf and the root, issuing CA first; empty when the root issued it
 * @param privateKey the leaf's private key
 * @param root       the trust anchor clients should be given ({@code ca.crt})
 */
public record IssuedCertificate(X509Certificate leaf, List<X509Certificate> chain, PrivateKey privateKey,
                                X509Certificate root) {
    public IssuedCertificate {
        chain = chain == null ? List.of() : List.copyOf(chain);
    }

    /** {@code tls.crt}: the leaf, then the chain up to but not including the root. */
    public String tlsCrtPem() {
        List<X509Certificate> certs = new ArrayList<>(1 + chain.size());
        certs.add(leaf);
        certs.addAll(chain);
        return Pem.certificates(certs);
    }

    /** {@code tls.key}: unencrypted PKCS#8. */
    public String tlsKeyPem() {
        return Pem.privateKey(privateKey);
    }

    /** {@code ca.crt}: the root. */
    public String caCrtPem() {
        return Pem.certificates(root);
    }
}
