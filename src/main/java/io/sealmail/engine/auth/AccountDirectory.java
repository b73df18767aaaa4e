package io.sealmail.engine.auth;

import java.util.Optional;

/**
 * Who may log in and who receives mail. Addresses are compared case-insensitively (local part included,
 * as Postfix and Dovecot do by default). Implementations reload their source on change and are thread-safe.
 */
public interface AccountDirectory {

    /**
     * Checks a password. Returns the canonical account address on success. Slow on purpose (Argon2id, bcrypt):
     * never call it on a Netty event loop. An unknown user costs as much as a wrong password, so timing does not
     * reveal which accounts exist.
     */
    Optional<String> authenticate(String username, char[] password);

    /**
     * The account, when this very password was verified for it recently (a cache of successes, cheap enough for any
     * thread); empty means "not known to be right", and the caller does the full {@link #authenticate} off the event
     * loop. Directories without such a cache answer empty.
     */
    default Optional<String> recentlyVerified(String username, char[] password) {
        return Optional.empty();
    }

    /** The SCRAM-SHA-256 keys of an account that has them (RFC 7677); empty for unknown users and the rest. */
    default Optional<ScramCredentials> scram(String username) {
        return Optional.empty();
    }

    /** The canonical account a login name stands for (case folded), if such an account exists. */
    default Optional<String> canonical(String username) {
        return Optional.empty();
    }

    /** The account that receives mail sent to this address (itself, or through an alias), if it is local and exists. */
    Optional<String> resolveRecipient(String address);

    /** True when the domain part of an address is one of ours. */
    boolean isLocalDomain(String domain);

    /** True when the authenticated account may use this address as its envelope sender: its own or an alias of it. */
    boolean maySendAs(String account, String address);
}
