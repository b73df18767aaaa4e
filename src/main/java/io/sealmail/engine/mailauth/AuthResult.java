package io.sealmail.engine.mailauth;

import java.util.Locale;

/** Result values of the Authentication-Results methods spf, dkim and dmarc (RFC 8601 §2.7, RFC 7208 §2.6). */
public enum AuthResult {
    NONE, PASS, FAIL, SOFTFAIL, NEUTRAL, POLICY, TEMPERROR, PERMERROR;

    /** The token as written in Authentication-Results. */
    public String token() {
        return name().toLowerCase(Locale.ROOT);
    }
}
