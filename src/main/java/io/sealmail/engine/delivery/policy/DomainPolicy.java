package io.sealmail.engine.delivery.policy;

/** The policy of one destination domain, as {@link TransportPolicies#forDomain} found it. */
public interface DomainPolicy {
    /** False when the policy forbids this MX host altogether (MTA-STS enforce and the name does not match). */
    boolean permits(String mxHost);

    /** What a connection to this MX host must achieve (DANE's TLSA look-up happens here). */
    HostPolicy forHost(String mxHost) throws PolicyTemporaryException;
}
