package io.sealmail.engine.delivery.policy;

import java.util.Locale;

/** The transport-security policy that applied to a delivery, as logged and shown by {@code sealmail queue list}. */
public enum PolicyKind {
    /** No TLS: the remote offered no STARTTLS and nothing required it. */
    NONE,
    /** STARTTLS used because offered; the certificate is not checked (RFC 7435). */
    OPPORTUNISTIC,
    /** RFC 8461 policy in enforce (or testing) mode: MX name matched, WebPKI certificate required. */
    MTA_STS,
    /** RFC 7672: TLSA records from DNSSEC-validated answers. */
    DANE;

    /** {@code none}, {@code opportunistic}, {@code mta-sts}, {@code dane}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
