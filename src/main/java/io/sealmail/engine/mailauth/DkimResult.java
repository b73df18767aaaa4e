package io.sealmail.engine.mailauth;

/**
 * The outcome of one DKIM signature (RFC 8601 §2.7.1).
 *
 * @param result     pass, fail, neutral (syntax), policy (refused algorithm or key), temperror, permerror
 * @param domain     d= (null when the signature did not parse)
 * @param selector   s=
 * @param algorithm  a= as written
 * @param signature  the first characters of b= (RFC 6008 header.b), for telling signatures apart
 * @param reason     why it did not pass, in a few words; null on pass
 * @param testing    the key record says t=y (RFC 6376 §3.6.1: treat as unsigned when it fails)
 */
public record DkimResult(AuthResult result, String domain, String selector, String algorithm, String signature,
                         String reason, boolean testing) {
    static DkimResult of(AuthResult result, DkimSignature sig, String reason) {
        String b = sig.rawB();
        return new DkimResult(result, sig.domain(), sig.selector(), sig.algorithmToken(),
                b.substring(0, Math.min(8, b.length())), reason, false);
    }

    DkimResult testing(boolean testing) {
        return new DkimResult(result, domain, selector, algorithm, signature, reason, testing);
    }
}
