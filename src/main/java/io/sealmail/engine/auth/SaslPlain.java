package io.sealmail.engine.auth;

import java.util.Arrays;

/**
 * The SASL PLAIN mechanism (RFC 4616) as a server decodes it: base64 of {@code [authzid] NUL authcid NUL passwd}.
 * Acting as another user is not supported: a non-empty authzid must name the authcid itself (compared without
 * regard to case, as addresses are). The password stays a char array; {@link #wipe()} clears it after use.
 *
 * @param authcid  who is logging in (never empty)
 * @param password the password (never empty)
 */
public record SaslPlain(String authcid, char[] password) {
    /** RFC 4616 §2 requires accepting up to 255 octets per field; we take up to 1024 octets in all. */
    public static final int MAX_DECODED = 1024;

    /**
     * Decodes one PLAIN response (the initial response of AUTH PLAIN, or the line after the empty challenge).
     *
     * @throws SaslException with a one-line reason fit for the protocol reply
     */
    public static SaslPlain decode(String base64) throws SaslException {
        byte[] raw = SaslResponses.base64(base64, MAX_DECODED);
        try {
            if (raw.length > MAX_DECODED) {
                throw new SaslException("response too long");
            }
            int first = indexOfNul(raw, 0);
            int second = first < 0 ? -1 : indexOfNul(raw, first + 1);
            if (first < 0 || second < 0) {
                throw new SaslException("PLAIN expects authzid NUL authcid NUL password");
            }
            if (indexOfNul(raw, second + 1) >= 0) {
                throw new SaslException("PLAIN password contains NUL");
            }
            String authzid = SaslResponses.utf8String(raw, 0, first);
            String authcid = SaslResponses.utf8String(raw, first + 1, second);
            if (authcid.isEmpty()) {
                throw new SaslException("PLAIN authentication identity is empty");
            }
            if (second + 1 == raw.length) {
                throw new SaslException("PLAIN password is empty");
            }
            SaslResponses.checkIdentity(authcid, "authentication identity");
            if (!authzid.isEmpty() && !authzid.equalsIgnoreCase(authcid)) {
                throw new SaslAuthorizationException("authorization identity must be empty or the same as the authentication identity");
            }
            return new SaslPlain(authcid, SaslResponses.utf8(raw, second + 1, raw.length));
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    /** Overwrites the password in memory. */
    public void wipe() {
        Arrays.fill(password, '\0');
    }

    @Override
    public String toString() {
        return "SaslPlain[authcid=" + authcid + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SaslPlain p && p.authcid.equals(authcid) && Arrays.equals(p.password, password);
    }

    @Override
    public int hashCode() {
        return authcid.hashCode();
    }

    private static int indexOfNul(byte[] raw, int from) {
        for (int i = from; i < raw.length; i++) {
            if (raw[i] == 0) {
                return i;
            }
        }
        return -1;
    }
}
