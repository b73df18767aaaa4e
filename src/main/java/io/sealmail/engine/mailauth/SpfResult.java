package io.sealmail.engine.mailauth;

/**
 * The outcome of an SPF check (RFC 7208 §2.6).
 *
 * @param result   none, neutral, pass, fail, softfail, temperror or permerror
 * @param identity "mailfrom" or "helo": which identity was checked (RFC 7208 §2.3, §2.4)
 * @param domain   the domain checked (the MAIL FROM domain, or the HELO name for the null sender)
 * @param reason   a short explanation for the Authentication-Results comment
 */
public record SpfResult(AuthResult result, String identity, String domain, String reason) {
}
