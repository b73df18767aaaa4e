package io.sealmail.engine.delivery.policy;

/** A policy look-up failed temporarily (DNS timeout, policy host unreachable where a cached policy is required). */
public class PolicyTemporaryException extends Exception {
    public PolicyTemporaryException(String message) {
        super(message);
    }

    public PolicyTemporaryException(String message, Throwable cause) {
        super(message, cause);
    }
}
