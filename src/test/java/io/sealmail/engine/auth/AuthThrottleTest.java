package io.sealmail.engine.auth;

import io.sealmail.config.Limits;
import io.sealmail.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AuthThrottleTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-29T01:00:00Z"));

    static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void anAddressIsBlockedAtItsLimitAndFreedWhenTheOldestFailureAgesOut() {
        AuthThrottle t = new AuthThrottle(3, 5, Duration.ofMinutes(15), clock, 100);
        InetAddress a = ip("192.0.2.1");
        for (int i = 1; i <= 4; i++) {
            assertThat(t.recordFailure(a)).as("failure %d", i).isFalse();
            assertThat(t.isBlocked(a)).isFalse();
            clock.advance(Duration.ofMinutes(1));
        }
        assertThat(t.recordFailure(a)).as("the fifth failure blocks").isTrue();
        assertThat(t.isBlocked(a)).isTrue();
        assertThat(t.isBlocked(ip("192.0.2.2"))).as("others are not affected").isFalse();

        // The first failure was at minute 0: at 15:00 it is out of the window and four remain.
        clock.advance(Duration.ofMinutes(10).plusSeconds(59));
        assertThat(t.isBlocked(a)).isTrue();
        clock.advance(Duration.ofSeconds(1));
        assertThat(t.isBlocked(a)).isFalse();
        assertThat(t.recordFailure(a)).as("one more puts it back over").isTrue();
    }

    @Test
    void aSuccessDoesNotLaunderFailures() {
        AuthThrottle t = new AuthThrottle(3, 2, Duration.ofMinutes(15), clock, 100);
        InetAddress a = ip("192.0.2.1");
        t.recordFailure(a);
        t.recordSuccess(a);
        t.recordFailure(a);
        assertThat(t.isBlocked(a)).isTrue();
        clock.advance(Duration.ofMinutes(16));
        t.recordSuccess(a);
        assertThat(t.isBlocked(a)).isFalse();
        assertThat(t.trackedAddresses()).as("aged-out entry dropped on success").isZero();
    }

    @Test
    void ipv6IsCountedPerSlash64() {
        AuthThrottle t = new AuthThrottle(3, 3, Duration.ofMinutes(15), clock, 100);
        t.recordFailure(ip("2001:db8:1:2::1"));
        t.recordFailure(ip("2001:db8:1:2::abcd"));
        t.recordFailure(ip("2001:db8:1:2:ffff:ffff:ffff:ffff"));
        assertThat(t.isBlocked(ip("2001:db8:1:2::9"))).isTrue();
        assertThat(t.isBlocked(ip("2001:db8:1:3::1"))).isFalse();
        assertThat(t.isBlocked(ip("::ffff:192.0.2.1"))).isFalse();
    }

    @Test
    void memoryIsBoundedByForgettingTheLeastRecentlySeen() {
        AuthThrottle t = new AuthThrottle(3, 2, Duration.ofMinutes(15), clock, 1000);
        InetAddress attacker = ip("198.51.100.7");
        t.recordFailure(attacker);
        t.recordFailure(attacker);
        for (int i = 0; i < 5000; i++) {
            t.recordFailure(ip("10.0." + (i / 256) + "." + (i % 256)));
            if (i % 100 == 0) {
                assertThat(t.isBlocked(attacker)).as("checking keeps an entry fresh").isTrue();
            }
            assertThat(t.trackedAddresses()).isLessThanOrEqualTo(1000);
        }
        assertThat(t.trackedAddresses()).isEqualTo(1000);
        assertThat(t.isBlocked(attacker)).isTrue();
        assertThat(t.isBlocked(ip("10.0.0.0"))).as("the eldest was forgotten").isFalse();
    }

    @Test
    void perConnectionCountersCloseAtTheLimit() {
        AuthThrottle t = new AuthThrottle(Limits.DEFAULTS, clock);
        AuthThrottle.Connection c = t.connection();
        assertThat(c.recordFailure()).isFalse();
        assertThat(c.recordFailure()).isFalse();
        assertThat(c.recordFailure()).as("default limit is 3").isTrue();
        assertThat(c.failures()).isEqualTo(3);
        assertThat(t.connection().failures()).as("each connection starts fresh").isZero();
    }

    @Test
    void boundsMustBePositive() {
        assertThatThrownBy(() -> new AuthThrottle(0, 1, Duration.ofMinutes(1), clock, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AuthThrottle(1, 1, Duration.ZERO, clock, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void concurrentFailuresAreAllCounted() throws InterruptedException {
        AuthThrottle t = new AuthThrottle(3, 1000, Duration.ofMinutes(15), Clock.systemUTC(), 100);
        InetAddress a = ip("192.0.2.9");
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Thread th = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int j = 0; j < 124; j++) {
                    t.recordFailure(a);
                    t.isBlocked(a);
                }
            });
            th.start();
            threads.add(th);
        }
        start.countDown();
        for (Thread th : threads) {
            th.join(TimeUnit.SECONDS.toMillis(10));
        }
        assertThat(t.isBlocked(a)).as("992 failures recorded").isFalse();
        t.recordFailure(a);
        t.recordFailure(a);
        t.recordFailure(a);
        t.recordFailure(a);
        t.recordFailure(a);
        t.recordFailure(a);
        t.recordFailure(a);
        assertThat(t.isBlocked(a)).as("999").isFalse();
        t.recordFailure(a);
        assertThat(t.isBlocked(a)).as("1000").isTrue();
    }
}
