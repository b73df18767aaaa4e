package io.sealmail.engine.auth;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * What a server stores to verify SCRAM-SHA-256 (RFC 5802 §3, RFC 7677) without knowing the password: the salt,
 * the iteration count, StoredKey = H(HMAC(SaltedPassword, "Client Key")) and ServerKey = HMAC(SaltedPassword,
 * "Server Key"), where SaltedPassword = PBKDF2-HMAC-SHA-256(password, salt, iterations). Written in the accounts
 * file in PostgreSQL's form, {@code SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>} (standard base64).
 *
 * <p>Someone who reads these keys can impersonate the user to this server (but does not learn the password without
 * guessing it at PBKDF2's cost), which is why they sit next to the Argon2id hash in the same protected file.
 */
public record ScramCredentials(byte[] salt, int iterations, byte[] storedKey, byte[] serverKey) {
    public static final String PREFIX = "SCRAM-SHA-256$";
    /** RFC 7677 §4 asks for at least 4096; more costs every login (and every guess) that much more. */
    public static final int DEFAULT_ITERATIONS = 10_000;
    /** Bound on the work one login may cost (a hostile accounts file), like the Argon2 bounds. */
    public static final int MAX_ITERATIONS = 1_000_000;
    public static final int MIN_ITERATIONS = 4096;

    /** Derives the keys from a password (RFC 5802 §3); the caller wipes the password. */
    public static ScramCredentials derive(char[] password, byte[] salt, int iterations) {
        byte[] salted = hi(password, salt, iterations);
        try {
            byte[] clientKey = hmac(salted, "Client Key".getBytes(StandardCharsets.US_ASCII));
            byte[] storedKey = sha256(clientKey);
            byte[] serverKey = hmac(salted, "Server Key".getBytes(StandardCharsets.US_ASCII));
            Arrays.fill(clientKey, (byte) 0);
            return new ScramCredentials(salt.clone(), iterations, storedKey, serverKey);
        } finally {
            Arrays.fill(salted, (byte) 0);
        }
    }

    /** New credentials with a random 16-octet salt and {@link #DEFAULT_ITERATIONS}. */
    public static ScramCredentials create(char[] password, SecureRandom random) {
        byte[] salt = new byte[16];
        random.nextBytes(salt);
        return derive(password, salt, DEFAULT_ITERATIONS);
    }

    /** @throws InvalidHashException with a one-line reason that never quotes the keys */
    public static ScramCredentials parse(String encoded) {
        if (!encoded.startsWith(PREFIX)) {
            throw new InvalidHashException("not a SCRAM-SHA-256 entry (expected SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>)");
        }
        String[] parts = encoded.substring(PREFIX.length()).split("\\$", -1);
        String[] head = parts.length == 2 ? parts[0].split(":", -1) : new String[0];
        String[] keys = parts.length == 2 ? parts[1].split(":", -1) : new String[0];
        if (head.length != 2 || keys.length != 2) {
            throw new InvalidHashException("garbled SCRAM-SHA-256 entry (expected SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>)");
        }
        int iterations;
        try {
            iterations = Integer.parseInt(head[0]);
        } catch (NumberFormatException e) {
            throw new InvalidHashException("SCRAM-SHA-256 iteration count is not a number");
        }
        if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
            throw new InvalidHashException("SCRAM-SHA-256 iteration count must be " + MIN_ITERATIONS + " to " + MAX_ITERATIONS);
        }
        byte[] salt;
        byte[] stored;
        byte[] server;
        try {
            salt = Base64.getDecoder().decode(head[1]);
            stored = Base64.getDecoder().decode(keys[0]);
            server = Base64.getDecoder().decode(keys[1]);
        } catch (IllegalArgumentException e) {
            throw new InvalidHashException("SCRAM-SHA-256 entry is not valid base64");
        }
        if (salt.length < 8 || salt.length > 64 || stored.length != 32 || server.length != 32) {
            throw new InvalidHashException("SCRAM-SHA-256 salt must be 8-64 octets and each key 32 octets");
        }
        return new ScramCredentials(salt, iterations, stored, server);
    }

    public String encoded() {
        Base64.Encoder b64 = Base64.getEncoder();
        return PREFIX + iterations + ":" + b64.encodeToString(salt) + "$" + b64.encodeToString(storedKey) + ":"
                + b64.encodeToString(serverKey);
    }

    /** Hi(str, salt, i) of RFC 5802 §2.2: PBKDF2 with HMAC-SHA-256 and one block of output. */
    static byte[] hi(char[] password, byte[] salt, int iterations) {
        ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
        byte[] key = new byte[encoded.remaining()];
        encoded.get(key);
        if (encoded.hasArray()) {
            Arrays.fill(encoded.array(), (byte) 0);
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.length == 0 ? new byte[1] : key, "HmacSHA256"));
            mac.update(salt);
            byte[] u = mac.doFinal(new byte[] {0, 0, 0, 1});
            byte[] result = u.clone();
            for (int i = 1; i < iterations; i++) {
                u = mac.doFinal(u);
                for (int j = 0; j < result.length; j++) {
                    result[j] ^= u[j];
                }
            }
            return result;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    @Override
    public String toString() {
        return "ScramCredentials[iterations=" + iterations + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScramCredentials c && c.iterations == iterations && Arrays.equals(c.salt, salt)
                && Arrays.equals(c.storedKey, storedKey) && Arrays.equals(c.serverKey, serverKey);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(storedKey);
    }
}
