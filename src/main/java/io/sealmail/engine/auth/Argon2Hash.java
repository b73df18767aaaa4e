package io.sealmail.engine.auth;

import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An Argon2 hash (RFC 9106) in the PHC string format the argon2 reference implementation writes and reads
 * ({@code $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>}, standard base64 without padding), so hashes made by the
 * {@code argon2} command, argon2-cffi, libsodium or Dovecot verify here and ours verify there.
 *
 * <p>Work is bounded on parse: memory, passes and lanes beyond {@link #MAX_MEMORY_KIB}, {@link #MAX_ITERATIONS} and
 * {@link #MAX_PARALLELISM} are refused, so one line in a hostile accounts file cannot make each login allocate a
 * gigabyte or spin for seconds.
 */
public final class Argon2Hash implements PasswordHash {
    /** 256 MiB: four times RFC 9106's low-memory profile (64 MiB); larger would put the engine's heap at risk. */
    public static final int MAX_MEMORY_KIB = 256 * 1024;
    public static final int MAX_ITERATIONS = 10;
    public static final int MAX_PARALLELISM = 16;
    static final int MIN_SALT = 8;
    static final int MAX_SALT = 64;
    static final int MIN_HASH = 4;
    static final int MAX_HASH = 128;
    static final int SALT_LENGTH = 16;
    static final int HASH_LENGTH = 32;

    /** Cost of a new hash. */
    public record Parameters(int memoryKib, int iterations, int parallelism) {
        /**
         * OWASP Password Storage Cheat Sheet's first Argon2id choice: 19 MiB, 2 passes, 1 lane. Verification takes
         * tens of milliseconds of one core (see docs/accounts.md for the figure measured here).
         */
        public static final Parameters OWASP = new Parameters(19456, 2, 1);

        public Parameters {
            check(memoryKib, iterations, parallelism);
        }
    }

    private static final Pattern PHC = Pattern.compile(
            "\\$(argon2id|argon2i|argon2d)(?:\\$v=(\\d{1,3}))?\\$m=(\\d{1,10}),t=(\\d{1,10}),p=(\\d{1,10})\\$([A-Za-z0-9+/]+)\\$([A-Za-z0-9+/]+)");
    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();

    private final String variant;
    private final int version;
    private final int memoryKib;
    private final int iterations;
    private final int parallelism;
    private final byte[] salt;
    private final byte[] hash;

    private Argon2Hash(String variant, int version, int memoryKib, int iterations, int parallelism, byte[] salt, byte[] hash) {
        this.variant = variant;
        this.version = version;
        this.memoryKib = memoryKib;
        this.iterations = iterations;
        this.parallelism = parallelism;
        this.salt = salt;
        this.hash = hash;
    }

    /** A new Argon2id (version 19) hash of the password with a random 16-byte salt. */
    public static Argon2Hash create(char[] password, Parameters cost, SecureRandom random) {
        byte[] salt = new byte[SALT_LENGTH];
        random.nextBytes(salt);
        return create(password, cost, salt);
    }

    /** With a given salt: for cross-checks against the reference implementation. */
    static Argon2Hash create(char[] password, Parameters cost, byte[] salt) {
        Argon2Hash shape = new Argon2Hash("argon2id", Argon2Parameters.ARGON2_VERSION_13, cost.memoryKib(),
                cost.iterations(), cost.parallelism(), salt.clone(), new byte[HASH_LENGTH]);
        return new Argon2Hash(shape.variant, shape.version, shape.memoryKib, shape.iterations, shape.parallelism,
                shape.salt, shape.derive(password, HASH_LENGTH));
    }

    /** Parses a PHC string; a missing {@code v=} means version 16, as in the reference implementation. */
    public static Argon2Hash parse(String encoded) {
        Matcher m = PHC.matcher(encoded);
        if (!m.matches()) {
            throw new InvalidHashException("garbled Argon2 hash (expected $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>)");
        }
        int version = m.group(2) == null ? Argon2Parameters.ARGON2_VERSION_10 : number(m.group(2), "v");
        if (version != Argon2Parameters.ARGON2_VERSION_10 && version != Argon2Parameters.ARGON2_VERSION_13) {
            throw new InvalidHashException("unsupported Argon2 version v=" + version + " (expected 19 or 16)");
        }
        int memory = number(m.group(3), "m");
        int iterations = number(m.group(4), "t");
        int parallelism = number(m.group(5), "p");
        check(memory, iterations, parallelism);
        byte[] salt = base64(m.group(6), "salt");
        byte[] hash = base64(m.group(7), "hash");
        if (salt.length < MIN_SALT || salt.length > MAX_SALT) {
            throw new InvalidHashException("Argon2 salt of " + salt.length + " bytes (expected " + MIN_SALT + " to " + MAX_SALT + ")");
        }
        if (hash.length < MIN_HASH || hash.length > MAX_HASH) {
            throw new InvalidHashException("Argon2 hash of " + hash.length + " bytes (expected " + MIN_HASH + " to " + MAX_HASH + ")");
        }
        return new Argon2Hash(m.group(1), version, memory, iterations, parallelism, salt, hash);
    }

    private static void check(int memoryKib, int iterations, int parallelism) {
        if (parallelism < 1 || parallelism > MAX_PARALLELISM) {
            throw new InvalidHashException("Argon2 p=" + parallelism + " is outside 1-" + MAX_PARALLELISM);
        }
        if (iterations < 1 || iterations > MAX_ITERATIONS) {
            throw new InvalidHashException("Argon2 t=" + iterations + " is outside 1-" + MAX_ITERATIONS);
        }
        // RFC 9106 §3.1: at least 8 KiB per lane.
        if (memoryKib < 8 * parallelism || memoryKib > MAX_MEMORY_KIB) {
            throw new InvalidHashException("Argon2 m=" + memoryKib + " KiB is outside " + 8 * parallelism + "-" + MAX_MEMORY_KIB);
        }
    }

    private static int number(String digits, String name) {
        // The reference decoder refuses leading zeros; so do we, so that one hash has one spelling.
        if (digits.length() > 1 && digits.charAt(0) == '0') {
            throw new InvalidHashException("garbled Argon2 hash: " + name + "=" + digits + " has a leading zero");
        }
        long value = Long.parseLong(digits);
        if (value > Integer.MAX_VALUE) {
            throw new InvalidHashException("Argon2 " + name + "=" + digits + " is too large");
        }
        return (int) value;
    }

    private static byte[] base64(String text, String what) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidHashException("garbled Argon2 hash: the " + what + " is not unpadded base64");
        }
        // Canonical only (unused trailing bits zero), as the reference decoder demands.
        if (!B64.encodeToString(bytes).equals(text)) {
            throw new InvalidHashException("garbled Argon2 hash: the " + what + " is not canonical unpadded base64");
        }
        return bytes;
    }

    private byte[] derive(char[] password, int length) {
        int type = switch (variant) {
            case "argon2id" -> Argon2Parameters.ARGON2_id;
            case "argon2i" -> Argon2Parameters.ARGON2_i;
            default -> Argon2Parameters.ARGON2_d;
        };
        Argon2Parameters params = new Argon2Parameters.Builder(type)
                .withVersion(version)
                .withMemoryAsKB(memoryKib)
                .withIterations(iterations)
                .withParallelism(parallelism)
                .withSalt(salt)
                .build();
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(params);
        byte[] out = new byte[length];
        // Passwords are hashed as their UTF-8 bytes (BC's default converter), as the argon2 CLI and argon2-cffi do.
        generator.generateBytes(password, out);
        return out;
    }

    @Override
    public boolean verify(char[] password) {
        byte[] candidate = derive(password, hash.length);
        try {
            return MessageDigest.isEqual(candidate, hash);
        } finally {
            Arrays.fill(candidate, (byte) 0);
        }
    }

    @Override
    public String encoded() {
        return "$" + variant + "$v=" + version + "$m=" + memoryKib + ",t=" + iterations + ",p=" + parallelism
                + "$" + B64.encodeToString(salt) + "$" + B64.encodeToString(hash);
    }

    @Override
    public PasswordHash decoy() {
        SecureRandom random = new SecureRandom();
        byte[] decoySalt = new byte[salt.length];
        byte[] decoyHash = new byte[hash.length];
        random.nextBytes(decoySalt);
        random.nextBytes(decoyHash);
        return new Argon2Hash(variant, version, memoryKib, iterations, parallelism, decoySalt, decoyHash);
    }

    /** e.g. {@code argon2id m=19456,t=2,p=1}: the cost, for logs and decoy selection. */
    public String cost() {
        return variant + " v=" + version + " m=" + memoryKib + ",t=" + iterations + ",p=" + parallelism;
    }

    @Override
    public String toString() {
        return "Argon2Hash[" + cost() + "]";
    }
}
