package io.sealmail.engine;

import io.sealmail.engine.auth.AuthThrottle;

import java.time.Clock;
import java.time.Duration;

/**
 * The engine-wide per-address login throttle under the name the protocols already use; the policy (sliding window,
 * IPv6 per /64, bounded memory) lives in {@link AuthThrottle}. New code may take {@link AuthThrottle} directly.
 */
public final class AuthFailureThrottle extends AuthThrottle {
    public AuthFailureThrottle(int maxFailures, Duration window, Clock clock) {
        // Sessions count their own per-connection failures against limits.maxAuthFailuresPerConnection.
        super(maxFailures, maxFailures, window, clock, DEFAULT_MAX_TRACKED_ADDRESSES);
    }
}
