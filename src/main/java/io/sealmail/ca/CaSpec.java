package io.sealmail.ca;

import java.time.Duration;

/**
 * What a new certificate authority looks like.
 *
 * @param subject  X.500 name in RFC 4514 form, e.g. {@code CN=Sealmail CA,O=Example}
 * @param key      key type of the CA
 * @param validity how long the CA certificate is valid from now
 */
public record CaSpec(String subject, KeyAlgorithm key, Duration validity) {
    public static final String DEFAULT_SUBJECT = "CN=Sealmail CA";
    public static final Duration DEFAULT_VALIDITY = Duration.ofDays(3650);

    public CaSpec {
        subject = subject == null || subject.isBlank() ? DEFAULT_SUBJECT : subject.trim();
        key = key == null ? KeyAlgorithm.ECDSA_P256 : key;
        validity = validity == null ? DEFAULT_VALIDITY : validity;
        if (validity.isNegative() || validity.isZero()) {
            throw new CaException("CA validity must be positive, got " + validity);
        }
    }

    public static CaSpec defaults() {
        return new CaSpec(DEFAULT_SUBJECT, KeyAlgorithm.ECDSA_P256, DEFAULT_VALIDITY);
    }

    public CaSpec withSubject(String s) {
        return new CaSpec(s, key, validity);
    }

    public CaSpec withKey(KeyAlgorithm k) {
        return new CaSpec(subject, k, validity);
    }

    public CaSpec withValidity(Duration v) {
        return new CaSpec(subject, key, v);
    }
}
