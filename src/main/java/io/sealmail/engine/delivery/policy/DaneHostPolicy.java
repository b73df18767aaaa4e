package io.sealmail.engine.delivery.policy;

import java.security.cert.CertificateException;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.Set;

/**
 * RFC 7672 for one MX host whose TLSA RRset was DNSSEC-validated: TLS is required, and the certificate must match a
 * usable record. With no usable record (only PKIX-TA/EE, unknown parameters or malformed digests), TLS is still
 * required but not authenticated (RFC 7672 §2.2).
 */
final class DaneHostPolicy implements HostPolicy {
    private final List<Tlsa> records;
    private final List<String> names;
    private final Clock clock;

    /**
     * @param records the usable TLSA records of {@code _25._tcp.<mx>}, possibly none
     * @param names   the reference identifiers for DANE-TA(2): the MX host name and the next-hop (recipient)
     *                domain (RFC 7672 §3.2.2)
     */
    DaneHostPolicy(List<Tlsa> records, List<String> names, Clock clock) {
        this.records = List.copyOf(records);
        this.names = List.copyOf(names);
        this.clock = clock;
    }

    @Override
    public PolicyKind kind() {
        return PolicyKind.DANE;
    }

    @Override
    public boolean tlsRequired() {
        return true;
    }

    boolean authenticates() {
        return !records.isEmpty();
    }

    @Override
    public void verify(X509Certificate[] chain, String mxHost) throws CertificateException {
        if (records.isEmpty()) {
            return; // RFC 7672 §2.2: TLSA records exist but none is usable: encrypt, do not authenticate
        }
        if (chain == null || chain.length == 0) {
            throw new CertificateException("DANE: the server sent no certificate");
        }
        String lastProblem = null;
        for (Tlsa tlsa : records) {
            // RFC 7672 §3.1.1: DANE-EE(3) binds the key itself; names and validity dates do not matter
            if (tlsa.usage() == Tlsa.DANE_EE && tlsa.matches(chain[0])) {
                return;
            }
        }
        for (int i = 1; i < chain.length; i++) {
            for (Tlsa tlsa : records) {
                if (tlsa.usage() == Tlsa.DANE_TA && tlsa.matches(chain[i])) {
                    // RFC 7672 §3.1.2: the matched certificate is the trust anchor (its own dates do not matter);
                    // the path below it is validated and the leaf must carry one of the reference names.
                    TrustAnchor anchor = new TrustAnchor(chain[i].getSubjectX500Principal(), chain[i].getPublicKey(), null);
                    try {
                        ChainValidator.validate(chain, Set.of(anchor), clock.instant());
                        if (CertificateNames.matchesAny(chain[0], names)) {
                            return;
                        }
                        lastProblem = "the certificate names " + CertificateNames.dnsNames(chain[0]) + ", none of " + names;
                    } catch (CertificateException e) {
                        lastProblem = e.getMessage();
                    }
                }
            }
        }
        throw new CertificateException("DANE: " + mxHost + ": no TLSA record matches the certificate ("
                + records.size() + " usable record" + (records.size() == 1 ? "" : "s")
                + (lastProblem == null ? ")" : "; trust-anchor match failed: " + lastProblem + ")"));
    }

    @Override
    public String toString() {
        return records.isEmpty() ? "dane (no usable TLSA: TLS required, unauthenticated)" : "dane " + records;
    }
}
