package io.sealmail.engine.mailauth;

import java.util.ArrayList;
import java.util.List;

/** The Authentication-Results header field (RFC 8601) we add, and the forged ones we remove. */
final class AuthenticationResults {
    private static final int MAX_COMMENT = 120;

    private AuthenticationResults() {
    }

    /**
     * One field, folded, ending in CRLF:
     * {@code Authentication-Results: mx.example.com; spf=pass ... ; dkim=pass header.d=... ; dmarc=pass ...}.
     * {@code heloSpf}, when not null, is a second SPF result: the HELO identity checked beside MAIL FROM.
     */
    static String format(String authservId, SpfResult spf, SpfResult heloSpf, List<DkimResult> dkim, int dkimIgnored,
                         DmarcResult dmarc) {
        List<String> parts = new ArrayList<>();
        parts.add(spf(spf));
        if (heloSpf != null) {
            parts.add(spf(heloSpf));
        }
        if (dkim.isEmpty()) {
            parts.add("dkim=none");
        }
        for (int i = 0; i < dkim.size(); i++) {
            DkimResult r = dkim.get(i);
            StringBuilder s = new StringBuilder("dkim=").append(r.result().token());
            String reason = r.reason();
            if (r.testing()) {
                reason = reason == null ? "test mode key" : reason + ", test mode key";
            }
            if (i == dkim.size() - 1 && dkimIgnored > 0) {
                reason = (reason == null ? "" : reason + "; ") + dkimIgnored + " more signatures not checked";
            }
            s.append(comment(reason));
            if (r.domain() != null) {
                s.append(" header.d=").append(r.domain()).append(" header.s=").append(r.selector())
                        .append(" header.a=").append(r.algorithm()).append(" header.b=").append(quotedIfNeeded(r.signature()));
            }
            parts.add(s.toString());
        }
        StringBuilder d = new StringBuilder("dmarc=").append(dmarc.result().token());
        if (dmarc.policy() != null) {
            d.append(" (p=").append(dmarc.policy()).append(" dis=").append(dmarc.disposition() == null ? "none" : dmarc.disposition()).append(')');
        }
        d.append(comment(dmarc.policy() == null ? dmarc.reason() : null));
        if (dmarc.fromDomain() != null) {
            d.append(" header.from=").append(dmarc.fromDomain());
        }
        parts.add(d.toString());
        StringBuilder out = new StringBuilder("Authentication-Results: ").append(authservId);
        for (String p : parts) {
            out.append(";\r\n\t").append(p);
        }
        return out.append("\r\n").toString();
    }

    /** A comment (RFC 5322 §3.2.2) holding only safe printable text. */
    private static String comment(String text) {
        if (text == null || text.isBlank()) {
            return "";
        }
        String t = text.length() > MAX_COMMENT ? text.substring(0, MAX_COMMENT) + "..." : text;
        return " (" + t.replaceAll("[^\\x20-\\x7e]", "?").replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")";
    }

    private static String spf(SpfResult spf) {
        return "spf=" + spf.result().token() + comment(spf.reason()) + " smtp." + spf.identity() + "=" + propertyValue(spf.domain());
    }

    /**
     * A property value (RFC 8601 §2.2: a token or a quoted string). The HELO name is whatever word the client sent;
     * written bare, {@code x;dkim=pass} would add a result of its own to the field we vouch for.
     */
    static String propertyValue(String value) {
        if (value.matches("[!#$%&'*+\\-.0-9A-Z^_`a-z{|}~]+")) { // RFC 2045 token: no tspecials, CTLs or spaces
            return value;
        }
        String v = value.length() > 255 ? value.substring(0, 255) + "..." : value; // keeps the field's lines < 998
        return "\"" + v.replaceAll("[^\\x20-\\x7e]", "?").replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** A property value is a token or a quoted string (RFC 8601 §2.2); base64's '/' is a tspecial (RFC 2045). */
    private static String quotedIfNeeded(String value) {
        return value.matches("[A-Za-z0-9+]+") ? value : "\"" + value.replaceAll("[^A-Za-z0-9+/=]", "") + "\"";
    }

    /**
     * True when {@code field} is an Authentication-Results field claiming {@code authservId}: RFC 8601 §5 requires
     * a border MTA to remove those, since only we may write them.
     */
    static boolean claims(HeaderField field, String authservId) {
        if (!field.is("Authentication-Results")) {
            return false;
        }
        String value = field.value();
        // Skip leading comments and whitespace (CFWS) before the authserv-id.
        int i = 0;
        int depth = 0;
        while (i < value.length()) {
            char c = value.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')' && depth > 0) {
                depth--;
            } else if (c == '\\' && depth > 0) {
                i++;
            } else if (depth == 0 && c != ' ' && c != '\t') {
                break;
            }
            i++;
        }
        int end = i;
        while (end < value.length() && " \t;(".indexOf(value.charAt(end)) < 0) {
            end++;
        }
        String id = value.substring(i, end);
        if (id.length() >= 2 && id.startsWith("\"") && id.endsWith("\"")) {
            id = id.substring(1, id.length() - 1);
        }
        return id.equalsIgnoreCase(authservId);
    }
}
