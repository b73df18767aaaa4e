package io.sealmail.engine.auth;

import io.sealmail.config.Limits;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Failed logins, shared by every listener so guesses cannot be spread over ports and reconnects.
 *
 * <p>Per client address: {@code maxAuthFailuresPerAddress} failures within {@code authFailureWindow} block the
 * address until the oldest of them ages out; while blocked, a protocol refuses AUTH/LOGIN at once, without checking
 * the password (so a blocked client cannot even burn our CPU). IPv6 clients are counted per /64, the block an ISP
 * hands one customer, so rotating through one's own addresses does not help. A success does not erase failures: an
 * attacker holding one valid account must not be able to launder guesses at others.
 *
 * <p>Per connection: {@link #connection()} gives a counter that says when a session has failed
 * {@code maxAuthFailuresPerConnection} times and must be closed.
 *
 * <p>Memory is bounded: at most {@code maxTrackedAddresses} addresses are remembered, each with at most
 * {@code maxAuthFailuresPerAddress} timestamps; when full, the least recently seen address is forgotten first. Thread-safe; one short lock, taken only on AUTH.
 */
public class AuthThrottle {
    public static final int DEFAULT_MAX_TRACKED_ADDRESSES = 50_000;

    private final int maxPerConnection;
    private final int maxPerAddress;
    private final long windowMillis;
    private final int maxTracked;
    private final Clock clock;
    /** Access order: the eldest entry is the one that failed least recently. */
    private final LinkedHashMap<Object, long[]> failures = new LinkedHashMap<>(256, 0.75f, true);

    public AuthThrottle(int maxPerConnection, int maxPerAddress, Duration window, Clock clock, int maxTrackedAddresses) {
        if (maxPerConnection < 1 || maxPerAddress < 1 || window.isNegative() || window.isZero() || maxTrackedAddresses < 1) {
            throw new IllegalArgumentException("auth throttle bounds must be positive");
        }
        this.maxPerConnection = maxPerConnection;
        this.maxPerAddress = maxPerAddress;
        this.windowMillis = window.toMillis();
        this.clock = clock;
        this.maxTracked = maxTrackedAddresses;
    }

    public AuthThrottle(Limits limits, Clock clock) {
        this(limits.maxAuthFailuresPerConnection(), limits.maxAuthFailuresPerAddress(), limits.authFailureWindow(),
                clock, DEFAULT_MAX_TRACKED_ADDRESSES);
    }

    /** True while this client has used up its failures in the current window: refuse AUTH without checking. */
    public boolean isBlocked(InetAddress address) {
        Object key = key(address);
        long now = clock.millis();
        synchronized (failures) {
            long[] ring = failures.get(key);
            return ring != null && blocked(ring, now);
        }
    }

    /**
     * True when this client has failed a login within the window (blocked or not): its next password check waits
     * behind those of clients that have not ({@link PasswordCheckQueue}).
     */
    public boolean hasRecentFailure(InetAddress address) {
        Object key = key(address);
        long now = clock.millis();
        synchronized (failures) {
            long[] ring = failures.get(key);
            return ring != null && !expired(ring, now);
        }
    }

    /** Counts a failed login; returns true when the client is now blocked. */
    public boolean recordFailure(InetAddress address) {
        Object key = key(address);
        long now = clock.millis();
        synchronized (failures) {
            long[] ring = failures.get(key);
            if (ring == null) {
                if (failures.size() >= maxTracked) {
                    evictEldest();
                }
                ring = new long[maxPerAddress];
                Arrays.fill(ring, Long.MIN_VALUE);
                failures.put(key, ring);
            }
            // The ring keeps the newest maxPerAddress failure times, oldest at index 0.
            System.arraycopy(ring, 1, ring, 0, ring.length - 1);
            ring[ring.length - 1] = now;
            return blocked(ring, now);
        }
    }

    /**
     * A successful login. It deliberately leaves the address's failures in place (see the class comment); it exists so
     * protocols report both outcomes the same way and a future policy (e.g. a shorter block for known-good clients)
     * has one place to go.
     */
    public void recordSuccess(InetAddress address) {
        long now = clock.millis();
        synchronized (failures) {
            long[] ring = failures.get(key(address));
            if (ring != null && expired(ring, now)) {
                failures.remove(key(address));
            }
        }
    }

    /** A fresh per-connection failure counter. */
    public Connection connection() {
        return new Connection(maxPerConnection);
    }

    /** Addresses currently remembered (for tests and a gauge). */
    public int trackedAddresses() {
        synchronized (failures) {
            return failures.size();
        }
    }

    /** Failed logins on one connection. Not thread-safe: a session owns it. */
    public static final class Connection {
        private final int max;
        private int failures;

        Connection(int max) {
            this.max = max;
        }

        /** Counts a failure; true when the connection has had its allowance and must be closed. */
        public boolean recordFailure() {
            return ++failures >= max;
        }

        public int failures() {
            return failures;
        }
    }

    private boolean blocked(long[] ring, long now) {
        long oldest = ring[0];
        return oldest != Long.MIN_VALUE && oldest > now - windowMillis;
    }

    private boolean expired(long[] ring, long now) {
        return ring[ring.length - 1] <= now - windowMillis;
    }

    /** Drops the least recently failed entry: O(1), and with access order it is the first to have aged out. */
    private void evictEldest() {
        Iterator<Map.Entry<Object, long[]>> eldest = failures.entrySet().iterator();
        while (failures.size() >= maxTracked && eldest.hasNext()) {
            eldest.next();
            eldest.remove();
        }
    }

    /** IPv4 (and IPv4-mapped) per address, IPv6 per /64. */
    static Object key(InetAddress address) {
        if (address instanceof Inet6Address) {
            return new Prefix64(Arrays.copyOf(address.getAddress(), 8));
        }
        return address;
    }

    private record Prefix64(byte[] bytes) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Prefix64 p && Arrays.equals(bytes, p.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }
    }
}
