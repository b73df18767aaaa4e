package io.sealmail.engine.mailauth;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * A parsed DKIM-Signature field (RFC 6376 §3.5). {@link #parse} accepts only what a verifier can use; anything
 * else is a {@link MailAuthSyntaxException} naming the problem.
 */
record DkimSignature(
        HeaderField field,
        String algorithmToken,
        DkimAlgorithm algorithm,
        byte[] signature,
        byte[] bodyHash,
        Canonicalization headerCanon,
        Canonicalization bodyCanon,
        String domain,
        String selector,
        List<String> signedHeaders,
        String identity,
        long bodyLength,
        Long timestamp,
        Long expiration,
        String rawB) {

    /** h= lists longer than this are refused: honest signers list 10-30 fields (oversigned). */
    static final int MAX_SIGNED_HEADERS = 100;
    /** RFC 6376 §3.5: l= and t=/x= have at most 76 (t, x: 12) digits; we bound to what fits a long. */
    private static final int MAX_DIGITS = 18;

    boolean hasLength() {
        return bodyLength >= 0;
    }

    static DkimSignature parse(HeaderField field) throws MailAuthSyntaxException {
        int colon = field.raw().indexOf(':');
        TagList tags = TagList.parse(field.raw().substring(colon + 1));
        for (String required : List.of("v", "a", "b", "bh", "d", "h", "s")) {
            if (!tags.has(required)) {
                throw new MailAuthSyntaxException("missing required tag " + required + "=");
            }
        }
        if (!tags.get("v").equals("1")) {
            throw new MailAuthSyntaxException("unsupported version v=" + TagList.abbreviate(tags.get("v")));
        }
        String a = tags.get("a").toLowerCase(Locale.ROOT);
        DkimAlgorithm algorithm = null;
        if (!a.equals("rsa-sha1")) { // kept to be refused by policy (RFC 8301 §3.1), not as a syntax error
            try {
                algorithm = DkimAlgorithm.of(a);
            } catch (IllegalArgumentException e) {
                throw new MailAuthSyntaxException("unknown algorithm a=" + TagList.abbreviate(a));
            }
        }
        byte[] b = base64("b", tags.get("b"));
        byte[] bh = base64("bh", tags.get("bh"));
        if (b.length == 0) {
            throw new MailAuthSyntaxException("empty signature b=");
        }
        Canonicalization headerCanon = Canonicalization.SIMPLE;
        Canonicalization bodyCanon = Canonicalization.SIMPLE;
        if (tags.has("c")) {
            String[] c = tags.get("c").split("/", -1);
            if (c.length > 2) {
                throw new MailAuthSyntaxException("invalid c=" + TagList.abbreviate(tags.get("c")));
            }
            headerCanon = Canonicalization.of(c[0].strip());
            if (c.length == 2) {
                bodyCanon = Canonicalization.of(c[1].strip());
            }
        }
        String domain = DomainName.normalise(tags.get("d"));
        if (domain == null) {
            throw new MailAuthSyntaxException("invalid domain d=" + TagList.abbreviate(tags.get("d")));
        }
        String selector = DomainName.normalise(tags.get("s"));
        if (selector == null) {
            throw new MailAuthSyntaxException("invalid selector s=" + TagList.abbreviate(tags.get("s")));
        }
        List<String> headers = new ArrayList<>();
        for (String h : tags.get("h").split(":", -1)) {
            String name = h.strip();
            if (name.isEmpty() || name.chars().anyMatch(ch -> ch <= ' ' || ch >= 127)) {
                throw new MailAuthSyntaxException("invalid field name in h=");
            }
            headers.add(name.toLowerCase(Locale.ROOT));
            if (headers.size() > MAX_SIGNED_HEADERS) {
                throw new MailAuthSyntaxException("more than " + MAX_SIGNED_HEADERS + " fields in h=");
            }
        }
        // RFC 6376 §5.4: From must be signed.
        if (!headers.contains("from")) {
            throw new MailAuthSyntaxException("From is not signed (h= lacks from)");
        }
        String identity = null;
        if (tags.has("i")) {
            identity = tags.get("i");
            int at = identity.lastIndexOf('@');
            String iDomain = at < 0 ? null : DomainName.normalise(identity.substring(at + 1));
            // RFC 6376 §3.5 i=: the domain must be d= or a subdomain of it.
            if (iDomain == null || !DomainName.isWithin(iDomain, domain)) {
                throw new MailAuthSyntaxException("i= is not within d=" + domain);
            }
        }
        long length = tags.has("l") ? number("l", tags.get("l")) : -1;
        Long t = tags.has("t") ? number("t", tags.get("t")) : null;
        Long x = tags.has("x") ? number("x", tags.get("x")) : null;
        if (t != null && x != null && x < t) {
            throw new MailAuthSyntaxException("x= is before t=");
        }
        if (tags.has("q") && !tags.get("q").strip().toLowerCase(Locale.ROOT).startsWith("dns/txt")) {
            throw new MailAuthSyntaxException("unsupported query method q=" + TagList.abbreviate(tags.get("q")));
        }
        return new DkimSignature(field, a, algorithm, b, bh, headerCanon, bodyCanon, domain, selector,
                List.copyOf(headers), identity, length, t, x, TagList.withoutWhitespace(tags.get("b")));
    }

    private static byte[] base64(String tag, String value) throws MailAuthSyntaxException {
        try {
            return Base64.getDecoder().decode(TagList.withoutWhitespace(value));
        } catch (IllegalArgumentException e) {
            throw new MailAuthSyntaxException("bad base64 in " + tag + "=");
        }
    }

    private static long number(String tag, String value) throws MailAuthSyntaxException {
        String v = value.strip();
        if (v.isEmpty() || v.length() > MAX_DIGITS || !v.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new MailAuthSyntaxException("invalid " + tag + "=" + TagList.abbreviate(v) + " (at most " + MAX_DIGITS + " digits)");
        }
        return Long.parseLong(v);
    }

    /**
     * The field with the value of its b= tag removed (RFC 6376 §3.7: "including all surrounding whitespace"),
     * as it enters its own signature. Used by the signer too, so both sides remove exactly the same text.
     */
    static String withoutSignatureValue(String raw) {
        int colon = raw.indexOf(':');
        int start = colon + 1;
        while (start <= raw.length()) {
            int end = raw.indexOf(';', start);
            if (end < 0) {
                end = raw.length();
            }
            String spec = raw.substring(start, end);
            int eq = spec.indexOf('=');
            if (eq >= 0 && spec.substring(0, eq).strip().equals("b")) {
                return raw.substring(0, start + eq + 1) + raw.substring(end);
            }
            start = end + 1;
        }
        return raw;
    }
}
