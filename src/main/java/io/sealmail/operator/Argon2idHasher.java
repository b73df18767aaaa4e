package io.sealmail.operator;

import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Argon2id password hashes in PHC string form ({@code $argon2id$v=19$m=19456,t=2,p=1$salt$hash}), the form the
 * engine's accounts file holds. The parameters are OWASP's first Argon2id recommendation (19 MiB, 2 passes).
 *
 * <p>Bounded, because each derivation allocates its 19 MiB at once: at most {@value #CONCURRENT} run at a time across
 * the operator (its heap is a quarter of a 512 MiB limit), and {@link #matches} verifies only hashes with exactly
 * these parameters, the ones the operator writes. A hash with others (say {@code m=1048576}, written into the
 * accounts Secret by anyone who may edit Secrets in the namespace) is not verified: the password is hashed again.
 *
 * <p>The operator has its own encoder rather than the engine's because DESIGN.md keeps the operator to the
 * {@code ca} and {@code config} packages; the PHC string is the contract, and both sides read it with Bouncy Castle.
 */
public final class Argon2idHasher {
    static final int MEMORY_KIB = 19456;
    static final int ITERATIONS = 2;
    static final int PARALLELISM = 1;
    static final int CONCURRENT = 2;
    private static final Semaphore SLOTS = new Semaphore(CONCURRENT, true);
    private static final AtomicInteger RUNNING = new AtomicInteger();
    private static final AtomicInteger PEAK = new AtomicInteger();
    private static final AtomicLong DERIVATIONS = new AtomicLong();
    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 32;
    private static final Pattern PHC = Pattern.compile(
            "^\\$argon2id\\$v=19\\$m=(\\d{1,7}),t=(\\d{1,3}),p=(\\d{1,3})\\$([A-Za-z0-9+/]+)\\$([A-Za-z0-9+/]+)$");
    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getDecoder();

    private final SecureRandom random = new SecureRandom();

    public String hash(String password) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        byte[] out = derive(password, salt, MEMORY_KIB, ITERATIONS, PARALLELISM, HASH_BYTES);
        return "$argon2id$v=19$m=" + MEMORY_KIB + ",t=" + ITERATIONS + ",p=" + PARALLELISM + "$"
                + B64.encodeToString(salt) + "$" + B64.encodeToString(out);
    }

    /** True when {@code phc} is an Argon2id hash of {@code password}; false for anything else, never an exception. */
    public boolean matches(String password, String phc) {
        Matcher m = PHC.matcher(phc == null ? "" : phc);
        if (!m.matches()) {
            return false;
        }
        if (Integer.parseInt(m.group(1)) != MEMORY_KIB || Integer.parseInt(m.group(2)) != ITERATIONS
                || Integer.parseInt(m.group(3)) != PARALLELISM) {
            return false; // not one the operator wrote: never spend its memory on a hash someone else chose
        }
        try {
            byte[] salt = B64D.decode(m.group(4));
            byte[] expected = B64D.decode(m.group(5));
            if (salt.length < 8 || salt.length > 64 || expected.length != HASH_BYTES) {
                return false;
            }
            byte[] actual = derive(password, salt, MEMORY_KIB, ITERATIONS, PARALLELISM, HASH_BYTES);
            return MessageDigest.isEqual(expected, actual);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** A value a user may give instead of a password: an Argon2id or bcrypt PHC string, kept as is. */
    public static boolean isHash(String value) {
        return value.startsWith("$argon2id$") || value.startsWith("$2a$") || value.startsWith("$2b$")
                || value.startsWith("$2y$");
    }

    /** Derivations run so far in this process (tests: a restart or a steady state derives nothing). */
    static long derivations() {
        return DERIVATIONS.get();
    }

    /** The most derivations that ran at once in this process. */
    static int peakConcurrency() {
        return PEAK.get();
    }

    private static byte[] derive(String password, byte[] salt, int memory, int iterations, int parallelism, int length) {
        SLOTS.acquireUninterruptibly();
        try {
            PEAK.accumulateAndGet(RUNNING.incrementAndGet(), Math::max);
            DERIVATIONS.incrementAndGet();
            return generate(password, salt, memory, iterations, parallelism, length);
        } finally {
            RUNNING.decrementAndGet();
            SLOTS.release();
        }
    }

    private static byte[] generate(String password, byte[] salt, int memory, int iterations, int parallelism, int length) {
        Argon2Parameters params = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withSalt(salt)
                .withMemoryAsKB(memory)
                .withIterations(iterations)
                .withParallelism(parallelism)
                .build();
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(params);
        byte[] out = new byte[length];
        generator.generateBytes(password.getBytes(StandardCharsets.UTF_8), out);
        return out;
    }
}
