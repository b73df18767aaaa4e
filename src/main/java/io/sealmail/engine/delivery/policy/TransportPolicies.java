package io.sealmail.engine.delivery.policy;

import java.util.List;

/**
 * Decides, per destination domain, how strong the transport to its MX hosts must be (MTA-STS, DANE, or
 * opportunistic STARTTLS). Called on delivery threads only: it may block on DNS and HTTPS.
 */
public interface TransportPolicies {
    /**
     * @param domain   the recipient domain
     * @param mxHosts  its MX host names in the order they will be tried
     * @param mxSecure whether the MX answer was DNSSEC-validated (DANE needs it, RFC 7672 §2.2.1)
     * @throws PolicyTemporaryException when a look-up failed temporarily: the message is deferred, never sent
     *                                  with a weaker policy than the domain may have published
     */
    DomainPolicy forDomain(String domain, List<String> mxHosts, boolean mxSecure) throws PolicyTemporaryException;

    /** Only opportunistic STARTTLS, for relays' absence of policy and for tests of the rest of delivery. */
    static TransportPolicies opportunistic() {
        return (domain, mxHosts, mxSecure) -> new DomainPolicy() {
            @Override
            public boolean permits(String mxHost) {
                return true;
            }

            @Override
            public HostPolicy forHost(String mxHost) {
                return HostPolicy.OPPORTUNISTIC;
            }
        };
    }
}
