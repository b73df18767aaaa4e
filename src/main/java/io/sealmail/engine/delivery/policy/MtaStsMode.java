package io.sealmail.engine.delivery.policy;

/** RFC 8461 §5: what a sender does when an MX host fails the policy. */
public enum MtaStsMode {
    /** Do not deliver to an MX that does not match or has no valid certificate. */
    ENFORCE,
    /** Deliver anyway, and report (here: log) the failure. */
    TESTING,
    /** The domain withdrew its policy: behave as if there were none. */
    NONE
}
