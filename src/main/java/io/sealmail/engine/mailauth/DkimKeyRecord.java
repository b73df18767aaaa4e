package io.sealmail.engine.mailauth;

import java.util.Base64;
import java.util.Locale;

/**
 * A DKIM public key record (RFC 6376 §3.6.1) as the verifier uses it.
 *
 * @param keyType k= ("rsa" unless given)
 * @param key     p= octets; empty when the key was revoked
 * @param strict  t=s: i= must not be a subdomain of d=
 * @param testing t=y
 * @param hashes  h= as written, or null (all hashes acceptable)
 */
record DkimKeyRecord(String keyType, byte[] key, boolean strict, boolean testing, String hashes) {
    /** A 8192-bit RSA key is about 1.4 KB of base64; anything much longer is not a key we would use. */
    static final int MAX_RECORD_LENGTH = 4096;

    static DkimKeyRecord parse(String text) throws MailAuthSyntaxException {
        if (text.length() > MAX_RECORD_LENGTH) {
            throw new MailAuthSyntaxException("key record of " + text.length() + " characters is above the bound of " + MAX_RECORD_LENGTH);
        }
        TagList tags = TagList.parse(text);
        // RFC 6376 §3.6.1: v= is optional, but when present it must be first and be DKIM1.
        if (tags.has("v") && (!"v".equals(tags.first()) || !tags.get("v").equals("DKIM1"))) {
            throw new MailAuthSyntaxException("invalid v= in key record");
        }
        if (!tags.has("p")) {
            throw new MailAuthSyntaxException("key record without p=");
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(TagList.withoutWhitespace(tags.get("p")));
        } catch (IllegalArgumentException e) {
            throw new MailAuthSyntaxException("bad base64 in key record p=");
        }
        String k = tags.has("k") ? tags.get("k").toLowerCase(Locale.ROOT) : "rsa";
        String s = tags.get("s");
        if (s != null && !listContains(s, "*") && !listContains(s, "email")) {
            throw new MailAuthSyntaxException("key not for email (s=" + TagList.abbreviate(s) + ")");
        }
        String t = tags.get("t");
        boolean strict = t != null && listContains(t, "s");
        boolean testing = t != null && listContains(t, "y");
        return new DkimKeyRecord(k, key, strict, testing, tags.get("h"));
    }

    boolean revoked() {
        return key.length == 0;
    }

    boolean allowsSha256() {
        return hashes == null || listContains(hashes, "sha256");
    }

    private static boolean listContains(String colonList, String item) {
        for (String s : colonList.split(":", -1)) {
            if (s.strip().equalsIgnoreCase(item)) {
                return true;
            }
        }
        return false;
    }
}
