package io.sealmail.operator;

import io.fabric8.kubernetes.api.model.Secret;
import io.sealmail.ca.CaException;
import io.sealmail.ca.CertificateAuthority;
import io.sealmail.ca.Pem;

import java.security.PrivateKey;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * A kubernetes.io/tls Secret as the pods will see it: the leaf, its names and dates, and whether it can serve a
 * hostname. Used for status and to validate a Secret the user brings ({@code tls.issuer: secret}).
 */
public record ServingCertificate(X509Certificate leaf, List<String> dnsNames, PrivateKey key) {

    /** Why a Secret cannot serve; {@code reason} is the condition reason. */
    public record Invalid(String reason, String message) {
    }

    public Instant notBefore() {
        return leaf.getNotBefore().toInstant();
    }

    public Instant notAfter() {
        return leaf.getNotAfter().toInstant();
    }

    public String serial() {
        return leaf.getSerialNumber().toString(16);
    }

    public String issuer() {
        return leaf.getIssuerX500Principal().getName();
    }

    /** Parses tls.crt and tls.key; throws {@link CaException} with a user-facing line when they are unusable. */
    public static ServingCertificate read(Secret secret) {
        String crt = NamespaceCa.text(secret.getData(), "tls.crt");
        if (crt == null) {
            throw new CaException("Secret " + secret.getMetadata().getName() + " has no tls.crt");
        }
        List<X509Certificate> chain = Pem.readCertificates(crt);
        if (chain.isEmpty()) {
            throw new CaException("tls.crt of Secret " + secret.getMetadata().getName() + " holds no certificate");
        }
        String keyPem = NamespaceCa.text(secret.getData(), "tls.key");
        PrivateKey key = keyPem == null ? null : Pem.readPrivateKey(keyPem);
        return new ServingCertificate(chain.get(0), dnsNames(chain.get(0)), key);
    }

    /** Checks what the engine needs: a key matching the certificate, currently valid, covering the hostname. */
    public Invalid problemServing(String hostname, Clock clock) {
        if (key == null) {
            return new Invalid("CertificateInvalid", "the Secret has no tls.key");
        }
        if (!CertificateAuthority.keyMatches(key, leaf.getPublicKey())) {
            return new Invalid("CertificateInvalid", "tls.key does not belong to the certificate in tls.crt");
        }
        Instant now = clock.instant();
        if (now.isAfter(notAfter())) {
            return new Invalid("CertificateExpired", "the certificate expired at " + notAfter());
        }
        if (now.isBefore(notBefore())) {
            return new Invalid("CertificateNotYetValid", "the certificate is valid only from " + notBefore());
        }
        if (!covers(hostname)) {
            return new Invalid("CertificateNameMismatch", "the certificate does not cover " + hostname
                    + " (it names " + String.join(", ", dnsNames) + ")");
        }
        return null;
    }

    /** RFC 6125 §6.4.3: a wildcard matches exactly one whole left-most label. */
    public boolean covers(String hostname) {
        String host = hostname.toLowerCase(Locale.ROOT);
        for (String name : dnsNames) {
            String n = name.toLowerCase(Locale.ROOT);
            if (n.equals(host)) {
                return true;
            }
            if (n.startsWith("*.")) {
                int dot = host.indexOf('.');
                if (dot > 0 && host.substring(dot + 1).equals(n.substring(2))) {
                    return true;
                }
            }
        }
        return false;
    }

    static List<String> dnsNames(X509Certificate cert) {
        List<String> names = new ArrayList<>();
        try {
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (Integer.valueOf(2).equals(san.get(0))) {
                        names.add(String.valueOf(san.get(1)));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // no names: the hostname check reports it
        }
        return names;
    }
}
