package io.sealmail.config;

import java.util.Locale;

/**
 * One DKIM signing key (RFC 6376): mail from authenticated submission whose From domain is {@code domain} is signed
 * with it, and the public key is published at {@code <selector>._domainkey.<domain>}. Two keys of one domain
 * (rsa-sha256 and ed25519-sha256) sign every message twice (RFC 8463 §3: dual signing).
 *
 * @param domain    the d= domain, one of the local domains
 * @param selector  the s= selector, e.g. {@code s202612}
 * @param algorithm {@code rsa-sha256} (default) or {@code ed25519-sha256}
 * @param keyFile   the PEM private key (PKCS#8, or PKCS#1 for RSA), mounted from the {@code <name>-dkim} Secret
 */
public record DkimKey(String domain, String selector, String algorithm, String keyFile) {
    public static final String RSA_SHA256 = "rsa-sha256";
    public static final String ED25519_SHA256 = "ed25519-sha256";

    public DkimKey {
        if (domain == null || domain.isBlank()) {
            throw new ConfigException("dkim: domain is required");
        }
        domain = domain.trim().toLowerCase(Locale.ROOT);
        if (selector == null || !selector.matches("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*")) {
            throw new ConfigException("dkim " + domain + ": selector '" + selector + "' is not a DNS label (letters, digits, '-', '_')");
        }
        algorithm = algorithm == null || algorithm.isBlank() ? RSA_SHA256 : algorithm.trim().toLowerCase(Locale.ROOT);
        if (!algorithm.equals(RSA_SHA256) && !algorithm.equals(ED25519_SHA256)) {
            throw new ConfigException("dkim " + domain + ": algorithm '" + algorithm + "' is not rsa-sha256 or ed25519-sha256");
        }
        if (keyFile == null || keyFile.isBlank()) {
            throw new ConfigException("dkim " + domain + ": keyFile is required");
        }
    }
}
