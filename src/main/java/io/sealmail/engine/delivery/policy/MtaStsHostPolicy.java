package io.sealmail.engine.delivery.policy;

import org.jboss.logging.Logger;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;

/**
 * RFC 8461 §4.2 for one MX host: TLS with a certificate that a trusted CA issued for the MX name. In enforce mode a
 * failure refuses the host (the delivery defers); in testing mode it is logged and delivery goes on (§5, the
 * report-only mode; Sealmail does not send TLS-RPT reports).
 */
final class MtaStsHostPolicy implements HostPolicy {
    private static final Logger LOG = Logger.getLogger(MtaStsHostPolicy.class);

    private final String domain;
    private final MtaStsPolicy policy;
    private final WebPkiTrust trust;
    private final Clock clock;

    MtaStsHostPolicy(String domain, MtaStsPolicy policy, WebPkiTrust trust, Clock clock) {
        this.domain = domain;
        this.policy = policy;
        this.trust = trust;
        this.clock = clock;
    }

    @Override
    public PolicyKind kind() {
        return PolicyKind.MTA_STS;
    }

    @Override
    public boolean tlsRequired() {
        return policy.mode() == MtaStsMode.ENFORCE;
    }

    @Override
    public void verify(X509Certificate[] chain, String mxHost) throws CertificateException {
        try {
            trust.verify(chain, mxHost, clock.instant());
        } catch (CertificateException e) {
            if (policy.mode() == MtaStsMode.ENFORCE) {
                throw new CertificateException("MTA-STS enforce (" + domain + "): " + mxHost + ": " + e.getMessage(), e);
            }
            LOG.warnf("MTA-STS testing (%s): %s: certificate would be refused under enforce: %s; delivering anyway",
                    domain, mxHost, e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "mta-sts " + policy.mode().name().toLowerCase(java.util.Locale.ROOT);
    }
}
