package io.sealmail.engine.mailauth;

/**
 * The outcome of the DMARC check (RFC 7489 §6.6) of one message.
 *
 * @param result      none, pass, fail, temperror or permerror
 * @param fromDomain  the author domain (header.from), or null when there is none usable
 * @param policy      the policy that applies to the From domain (p=, or sp= for a subdomain), or null without a record
 * @param disposition what the policy asks for this message after pct= sampling: none, quarantine or reject
 * @param reason      a short explanation for the Authentication-Results comment, or null
 */
public record DmarcResult(AuthResult result, String fromDomain, String policy, String disposition, String reason) {
}
