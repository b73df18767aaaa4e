package io.sealmail.engine.auth;

import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

import java.security.SecureRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A bcrypt hash in modular crypt form ({@code $2b$10$<22 chars salt><31 chars hash>}, as OpenBSD, htpasswd -B and
 * Python's bcrypt write it), checked with Bouncy Castle's {@link OpenBSDBCrypt}, whose comparison is constant time.
 * Accepted for existing hashes; new ones should be Argon2id. Costs above {@link #MAX_COST} are refused: each step
 * doubles the work, and a cost of 31 would make one login take days.
 */
public final class BcryptHash implements PasswordHash {
    /** 2^14 rounds: about a second per login here; real deployments use 10-12. */
    public static final int MAX_COST = 14;
    public static final int MIN_COST = 4;
    /** OWASP's minimum work factor. */
    public static final int DEFAULT_COST = 10;

    private static final Pattern MCF = Pattern.compile("\\$(2a|2b|2y)\\$(\\d\\d)\\$([./A-Za-z0-9]{53})");
    private static final String BCRYPT64 = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private final String encoded;
    private final String version;
    private final int cost;

    private BcryptHash(String encoded, String version, int cost) {
        this.encoded = encoded;
        this.version = version;
        this.cost = cost;
    }

    public static BcryptHash create(char[] password, int cost, SecureRandom random) {
        if (cost < MIN_COST || cost > MAX_COST) {
            throw new InvalidHashException("bcrypt cost " + cost + " is outside " + MIN_COST + "-" + MAX_COST);
        }
        byte[] salt = new byte[16];
        random.nextBytes(salt);
        return parse(OpenBSDBCrypt.generate("2b", password, salt, cost));
    }

    public static BcryptHash parse(String encoded) {
        Matcher m = MCF.matcher(encoded);
        if (!m.matches()) {
            throw new InvalidHashException("garbled bcrypt hash (expected $2b$<cost>$ and 53 characters of ./A-Za-z0-9)");
        }
        int cost = Integer.parseInt(m.group(2));
        if (cost < MIN_COST || cost > MAX_COST) {
            throw new InvalidHashException("bcrypt cost " + cost + " is outside " + MIN_COST + "-" + MAX_COST);
        }
        // The 22nd salt character carries 2 bits; the other 4 must be zero or the salt has no canonical form.
        int last = BCRYPT64.indexOf(m.group(3).charAt(21));
        if ((last & 0x0f) != 0) {
            throw new InvalidHashException("garbled bcrypt hash: the salt is not canonical");
        }
        return new BcryptHash(encoded, m.group(1), cost);
    }

    @Override
    public boolean verify(char[] password) {
        // OpenBSD semantics: UTF-8 bytes, only the first 72 count (BC truncates the same way).
        return OpenBSDBCrypt.checkPassword(encoded, password);
    }

    @Override
    public String encoded() {
        return encoded;
    }

    @Override
    public PasswordHash decoy() {
        byte[] salt = new byte[16];
        SecureRandom random = new SecureRandom();
        random.nextBytes(salt);
        byte[] junk = new byte[16];
        random.nextBytes(junk);
        return parse(OpenBSDBCrypt.generate(version, junk, salt, cost));
    }

    public int cost() {
        return cost;
    }

    @Override
    public String toString() {
        return "BcryptHash[$" + version + "$" + cost + "]";
    }
}
