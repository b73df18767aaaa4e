package io.sealmail.engine;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Failed logins per client address in a sliding window ({@code limits.maxAuthFailuresPerAddress} within
 * {@code limits.authFailureWindow}), shared by every listener so a client cannot spread guesses over ports
 * and reconnects. Like fail2ban in-process: once over, the address is refused until old failures age out.
 */
public final class AuthFailureThrottle {
    private final int maxFailures;
    private final Duration window;
    private final Clock clock;
    private final ConcurrentHashMap<InetAddress, Deque<Long>> failures = new ConcurrentHashMap<>();

    public AuthFailureThrottle(int maxFailures, Duration window, Clock clock) {
        this.maxFailures = maxFailures;
        this.window = window;
        this.clock = clock;
    }

    /** True while this address has used up its failures in the current window. */
    public boolean isBlocked(InetAddress address) {
        Deque<Long> times = failures.get(address);
        if (times == null) {
            return false;
        }
        synchronized (times) {
            prune(times);
            return times.size() >= maxFailures;
        }
    }

    public void recordFailure(InetAddress address) {
        Deque<Long> times = failures.computeIfAbsent(address, a -> new ArrayDeque<>());
        synchronized (times) {
            prune(times);
            times.addLast(clock.millis());
        }
        if (failures.size() > 100_000) {
            // Bound the table itself: forget addresses whose failures have all aged out.
            failures.entrySet().removeIf(e -> {
                synchronized (e.getValue()) {
                    prune(e.getValue());
                    return e.getValue().isEmpty();
                }
            });
        }
    }

    private void prune(Deque<Long> times) {
        long oldest = clock.millis() - window.toMillis();
        while (!times.isEmpty() && times.peekFirst() < oldest) {
            times.removeFirst();
        }
    }
}
