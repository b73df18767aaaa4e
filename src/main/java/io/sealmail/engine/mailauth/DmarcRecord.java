package io.sealmail.engine.mailauth;

import java.util.Locale;

/**
 * A DMARC policy record (RFC 7489 §6.3). Garbage in optional tags falls back to their defaults, as §6.3 asks
 * ("syntax errors in the remainder of the record SHOULD be discarded in favor of default values"); a record
 * without a valid p= is used as p=none only when it has a rua= (§6.6.3), and is otherwise no record at all.
 *
 * @param policy          p=: none, quarantine or reject
 * @param subdomainPolicy sp=, or p= when absent
 * @param strictDkim      adkim=s
 * @param strictSpf       aspf=s
 * @param percent         pct= (0-100, default 100)
 * @param psd             psd= of DMARCbis: 'y', 'n' or 'u' (unset), used to find the organizational domain
 */
record DmarcRecord(String policy, String subdomainPolicy, boolean strictDkim, boolean strictSpf, int percent, char psd) {

    /** The record, or null when {@code text} is not a usable DMARC record. */
    static DmarcRecord parse(String text) {
        if (!text.startsWith("v=DMARC1")) {
            return null;
        }
        TagList tags;
        try {
            tags = TagList.parse(text);
        } catch (MailAuthSyntaxException e) {
            return null;
        }
        if (!"v".equals(tags.first()) || !"DMARC1".equals(tags.get("v"))) {
            return null;
        }
        String p = policy(tags.get("p"));
        if (p == null) {
            if (tags.get("rua") == null || tags.get("rua").isBlank()) {
                return null;
            }
            p = "none";
        }
        String sp = policy(tags.get("sp"));
        int pct = 100;
        String pctText = tags.get("pct");
        if (pctText != null && pctText.matches("\\d{1,3}") && Integer.parseInt(pctText) <= 100) {
            pct = Integer.parseInt(pctText);
        }
        String psdText = tags.get("psd");
        char psd = psdText != null && psdText.matches("[yn]") ? psdText.charAt(0) : 'u';
        return new DmarcRecord(p, sp == null ? p : sp, "s".equals(tags.get("adkim")), "s".equals(tags.get("aspf")), pct, psd);
    }

    private static String policy(String value) {
        if (value == null) {
            return null;
        }
        String v = value.toLowerCase(Locale.ROOT);
        return v.equals("none") || v.equals("quarantine") || v.equals("reject") ? v : null;
    }
}
