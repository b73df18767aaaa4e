package io.sealmail.engine.auth;

/**
 * A stored password hash in its PHC string form (Argon2) or modular crypt form (bcrypt). Parsing checks the syntax and
 * bounds the work the hash asks for, so a hostile accounts file cannot make one login cost seconds or gigabytes.
 * Verification compares in constant time.
 */
public sealed interface PasswordHash permits Argon2Hash, BcryptHash {

    /** True when the password matches. Slow on purpose; never call it on an event loop. */
    boolean verify(char[] password);

    /** The string form, as written in the accounts file. */
    String encoded();

    /** The same kind of hash with the same cost, of a random password: what an unknown user is checked against. */
    PasswordHash decoy();

    /**
     * Parses {@code $argon2id$...}, {@code $argon2i$...}, {@code $argon2d$...}, {@code $2a$}, {@code $2b$} or
     * {@code $2y$} strings.
     *
     * @throws InvalidHashException with a one-line reason
     */
    static PasswordHash parse(String encoded) {
        if (encoded == null || encoded.isEmpty()) {
            throw new InvalidHashException("empty password hash");
        }
        if (encoded.startsWith("$argon2")) {
            return Argon2Hash.parse(encoded);
        }
        if (encoded.startsWith("$2")) {
            return BcryptHash.parse(encoded);
        }
        int end = encoded.indexOf('$', 1);
        String scheme = encoded.startsWith("$") && end > 1 && end < 20 ? encoded.substring(1, end) : null;
        throw new InvalidHashException(scheme != null
                ? "unsupported hash scheme '" + scheme + "' (expected argon2id, argon2i, argon2d, 2a, 2b or 2y)"
                : "not a PHC or bcrypt hash (expected a string starting with $argon2id$ or $2y$)");
    }
}
