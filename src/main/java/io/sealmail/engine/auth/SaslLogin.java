package io.sealmail.engine.auth;

import java.util.Arrays;

/**
 * The LOGIN mechanism (draft-murchison-sasl-login): two base64 exchanges, the username and then the password, each
 * after a server challenge. Not a standard, but what Outlook and many devices still send; offered only over TLS.
 * An initial response (RFC 4954 {@code AUTH LOGIN <base64>}) is the username.
 */
public final class SaslLogin {
    /** base64 of "Username:", the first challenge clients expect. */
    public static final String USERNAME_CHALLENGE = "VXNlcm5hbWU6";
    /** base64 of "Password:". */
    public static final String PASSWORD_CHALLENGE = "UGFzc3dvcmQ6";
    public static final int MAX_USERNAME = 255;
    public static final int MAX_PASSWORD = 1024;

    private SaslLogin() {
    }

    /** Decodes the username step. */
    public static String username(String base64) throws SaslException {
        byte[] raw = SaslResponses.base64(base64, MAX_USERNAME);
        if (raw.length == 0) {
            throw new SaslException("LOGIN username is empty");
        }
        if (raw.length > MAX_USERNAME) {
            throw new SaslException("response too long");
        }
        String username = SaslResponses.utf8String(raw, 0, raw.length);
        SaslResponses.checkIdentity(username, "username");
        return username;
    }

    /** Decodes the password step; the caller wipes the array after use. */
    public static char[] password(String base64) throws SaslException {
        byte[] raw = SaslResponses.base64(base64, MAX_PASSWORD);
        try {
            if (raw.length == 0) {
                throw new SaslException("LOGIN password is empty");
            }
            if (raw.length > MAX_PASSWORD) {
                throw new SaslException("response too long");
            }
            for (byte b : raw) {
                if (b == 0) {
                    throw new SaslException("LOGIN password contains NUL");
                }
            }
            return SaslResponses.utf8(raw, 0, raw.length);
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    /** RFC 4954 §4: a client cancels an exchange by sending a line with a single "*". */
    public static boolean isCancel(String line) {
        return line != null && line.strip().equals("*");
    }
}
