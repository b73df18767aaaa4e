package io.sealmail.engine.auth;

import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

class VerifiedLoginsTest {
    private static final Argon2Hash.Parameters FAST = new Argon2Hash.Parameters(256, 1, 1);
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    };

    private static PasswordHash hash(String password) {
        return Argon2Hash.create(password.toCharArray(), FAST, new SecureRandom());
    }

    @Test
    void aRememberedLoginMatchesOnlyTheSamePasswordAgainstTheSameHash() {
        VerifiedLogins logins = new VerifiedLogins(Duration.ofMinutes(10), clock);
        PasswordHash h = hash("secret");
        assertThat(logins.matches("a@x", h, "secret".toCharArray())).as("nothing remembered yet").isFalse();
        logins.remember("a@x", h, "secret".toCharArray());
        assertThat(logins.matches("a@x", h, "secret".toCharArray())).isTrue();
        assertThat(logins.matches("a@x", h, "Secret".toCharArray())).as("another password").isFalse();
        assertThat(logins.matches("b@x", h, "secret".toCharArray())).as("another account").isFalse();
        assertThat(logins.matches("a@x", hash("secret"), "secret".toCharArray()))
                .as("the account's hash was replaced (accounts file reloaded)").isFalse();
    }

    @Test
    void anEntryExpiresAfterItsTimeToLive() {
        VerifiedLogins logins = new VerifiedLogins(Duration.ofMinutes(10), clock);
        PasswordHash h = hash("secret");
        logins.remember("a@x", h, "secret".toCharArray());
        now.set(now.get().plus(Duration.ofMinutes(10)));
        assertThat(logins.matches("a@x", h, "secret".toCharArray())).isTrue();
        now.set(now.get().plusMillis(1));
        assertThat(logins.matches("a@x", h, "secret".toCharArray())).isFalse();
    }

    @Test
    void aZeroTimeToLiveRemembersNothing() {
        VerifiedLogins logins = new VerifiedLogins(Duration.ZERO, clock);
        PasswordHash h = hash("secret");
        logins.remember("a@x", h, "secret".toCharArray());
        assertThat(logins.matches("a@x", h, "secret".toCharArray())).isFalse();
    }

    @Test
    void theCacheIsBoundedInSize() {
        VerifiedLogins logins = new VerifiedLogins(Duration.ofMinutes(10), clock);
        PasswordHash h = hash("secret");
        for (int i = 0; i <= VerifiedLogins.MAX_ENTRIES; i++) {
            logins.remember("u" + i + "@x", h, "secret".toCharArray());
        }
        assertThat(logins.size()).isLessThanOrEqualTo(VerifiedLogins.MAX_ENTRIES);
        assertThat(logins.matches("u" + VerifiedLogins.MAX_ENTRIES + "@x", h, "secret".toCharArray())).isTrue();
    }
}
