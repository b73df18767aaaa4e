package io.sealmail.ca;

import java.time.Instant;

/**
 * Whether a leaf certificate must be issued again, and why.
 *
 * @param reissue     true for every reason except {@link Reason#VALID}
 * @param reason      the first reason found, in the order of {@link Reason}
 * @param renewalTime when the current leaf falls due for renewal; null when there is no readable leaf
 */
public record RenewalDecision(boolean reissue, Reason reason, Instant renewalTime) {
    /** In the order they are checked. */
    public enum Reason {
        /** Nothing to do until {@code renewalTime}. */
        VALID,
        /** There is no current certificate. */
        MISSING,
        /** The current bytes are not a PEM X.509 certificate. */
        UNPARSEABLE,
        /** The certificate was not issued by the given CA (name, key identifier or signature differ). */
        OTHER_ISSUER,
        /** The leaf's key type differs from the wanted one (or is one Sealmail does not issue). */
        KEY_ALGORITHM_CHANGED,
        /** The SAN DNS names or IP addresses differ from the wanted ones (as sets; DNS case-insensitive). */
        NAMES_CHANGED,
        /** The renewal time has passed (this includes an expired certificate). */
        EXPIRING
    }

    public RenewalDecision {
        if (reissue == (reason == Reason.VALID)) {
            throw new IllegalArgumentException("reissue must be true exactly when the reason is not VALID");
        }
    }

    static RenewalDecision reissue(Reason reason, Instant renewalTime) {
        return new RenewalDecision(true, reason, renewalTime);
    }

    static RenewalDecision valid(Instant renewalTime) {
        return new RenewalDecision(false, Reason.VALID, renewalTime);
    }
}
