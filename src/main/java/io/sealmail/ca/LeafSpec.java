package io.sealmail.ca;

import java.time.Duration;
import java.util.List;

/**
 * What a leaf (server) certificate should cover. Names are checked when the leaf is issued, not here, so a
 * spec built from user input can still be compared against an existing certificate.
 *
 * @param dnsNames    DNS names for the SAN extension; a wildcard only as the whole left-most label
 * @param ipAddresses IPv4 or IPv6 literals for the SAN extension
 * @param key         key type of the leaf
 * @param validity    lifetime of the leaf (capped at the CA's own expiry)
 */
public record LeafSpec(List<String> dnsNames, List<String> ipAddresses, KeyAlgorithm key, Duration validity) {
    public static final Duration DEFAULT_VALIDITY = Duration.ofDays(90);

    public LeafSpec {
        dnsNames = dnsNames == null ? List.of() : List.copyOf(dnsNames);
        ipAddresses = ipAddresses == null ? List.of() : List.copyOf(ipAddresses);
        key = key == null ? KeyAlgorithm.ECDSA_P256 : key;
        validity = validity == null ? DEFAULT_VALIDITY : validity;
        if (validity.isNegative() || validity.isZero()) {
            throw new CaException("certificate validity must be positive, got " + validity);
        }
    }

    /** ECDSA P-256, 90 days. */
    public static LeafSpec of(List<String> dns, List<String> ips) {
        return new LeafSpec(dns, ips, KeyAlgorithm.ECDSA_P256, DEFAULT_VALIDITY);
    }

    public LeafSpec withKey(KeyAlgorithm k) {
        return new LeafSpec(dnsNames, ipAddresses, k, validity);
    }

    public LeafSpec withValidity(Duration v) {
        return new LeafSpec(dnsNames, ipAddresses, key, v);
    }
}
