package io.sealmail.engine.auth;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Recent successful logins, so that a client that connects often does not pay the password hash every time: an
 * IMAP client opens several connections, a phone reconnects on every network change, and Argon2id at the
 * recommended cost takes tens of milliseconds of CPU per check. This is Dovecot's {@code auth_cache} idea.
 *
 * <p>What is kept is an HMAC-SHA256 of the password under a random key made at start and never stored, tied to
 * the stored hash it was verified against: a changed or removed account (the accounts file reloaded) no longer
 * matches, and an entry expires after its time to live. Only successes are remembered; a wrong password always
 * pays the full hash, so guessing is as slow as without the cache and an unknown user still looks like a wrong
 * password.
 */
final class VerifiedLogins {
    /** One hour, like Dovecot's auth_cache_ttl default. */
    static final Duration DEFAULT_TTL = Duration.ofHours(1);
    /** Bound on memory: past it the cache starts again empty (each entry is about 200 octets). */
    static final int MAX_ENTRIES = 100_000;

    private record Entry(PasswordHash verifiedAgainst, byte[] mac, long expiresAtMillis) {
    }

    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    private final SecretKeySpec key;
    private final long ttlMillis;
    private final Clock clock;

    VerifiedLogins(Duration ttl, Clock clock) {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        this.key = new SecretKeySpec(k, "HmacSHA256");
        this.ttlMillis = ttl.toMillis();
        this.clock = clock;
    }

    /** True when this password was verified against this very hash within the time to live. */
    boolean matches(String account, PasswordHash hash, char[] password) {
        if (ttlMillis <= 0) {
            return false;
        }
        Entry e = entries.get(account);
        if (e == null || e.verifiedAgainst != hash || e.expiresAtMillis < clock.millis()) {
            return false;
        }
        return MessageDigest.isEqual(e.mac, mac(account, password));
    }

    void remember(String account, PasswordHash hash, char[] password) {
        if (ttlMillis <= 0) {
            return;
        }
        if (entries.size() >= MAX_ENTRIES) {
            entries.clear();
        }
        entries.put(account, new Entry(hash, mac(account, password), clock.millis() + ttlMillis));
    }

    int size() {
        return entries.size();
    }

    private byte[] mac(String account, char[] password) {
        ByteBuffer pw = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(key);
            m.update(account.getBytes(StandardCharsets.UTF_8));
            m.update((byte) 0);
            m.update(pw);
            return m.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        } finally {
            if (pw.hasArray()) {
                Arrays.fill(pw.array(), (byte) 0);
            }
        }
    }
}
