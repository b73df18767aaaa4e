package io.sealmail.engine.delivery.policy;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * DNS-ID matching of a server certificate (RFC 6125 §6.4): the subjectAltName dNSName entries, a wildcard only as
 * the whole left-most label and covering exactly one label. The subject CN is not consulted (RFC 6125 §6.4.4 lets
 * a client skip it when DNS-IDs are present; WebPKI certificates always carry them).
 */
final class CertificateNames {
    private static final int DNS_NAME = 2;

    private CertificateNames() {
    }

    /** The certificate's dNSName entries, lower case. */
    static List<String> dnsNames(X509Certificate cert) {
        List<String> names = new ArrayList<>();
        try {
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (san.size() >= 2 && Integer.valueOf(DNS_NAME).equals(san.get(0)) && san.get(1) instanceof String s) {
                        names.add(MtaStsPolicy.normalize(s));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            return List.of();
        }
        return names;
    }

    /** True when one of the certificate's DNS-IDs matches one of {@code hosts}. */
    static boolean matchesAny(X509Certificate cert, Collection<String> hosts) {
        List<String> names = dnsNames(cert);
        for (String host : hosts) {
            String h = MtaStsPolicy.normalize(host);
            for (String name : names) {
                if (matches(name, h)) {
                    return true;
                }
            }
        }
        return false;
    }

    static boolean matches(String certName, String host) {
        String name = certName.toLowerCase(Locale.ROOT);
        if (name.startsWith("*.")) {
            String suffix = name.substring(1);
            int prefixEnd = host.length() - suffix.length();
            return prefixEnd > 0 && host.endsWith(suffix) && host.lastIndexOf('.', prefixEnd - 1) < 0
                    && suffix.indexOf('*') < 0;
        }
        return name.indexOf('*') < 0 && name.equals(host);
    }
}
