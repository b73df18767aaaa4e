package io.sealmail.engine.mailauth;

import java.util.Locale;

/** Checks and normalises domain names taken from untrusted input before they become DNS questions. */
final class DomainName {
    private DomainName() {
    }

    /**
     * The name in lower case without a trailing dot, or null unless it is a syntactically valid name: labels of
     * 1-63 octets, 253 in all (RFC 1035 §2.3.4). Letters, digits, hyphens and underscores (used in
     * {@code _domainkey} and SPF macro names) only.
     */
    static String normalise(String name) {
        if (name == null) {
            return null;
        }
        String n = name.trim().toLowerCase(Locale.ROOT);
        if (n.endsWith(".")) {
            n = n.substring(0, n.length() - 1);
        }
        if (n.isEmpty() || n.length() > 253) {
            return null;
        }
        int labelLength = 0;
        for (int i = 0; i < n.length(); i++) {
            char c = n.charAt(i);
            if (c == '.') {
                if (labelLength == 0) {
                    return null;
                }
                labelLength = 0;
            } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_') {
                if (++labelLength > 63) {
                    return null;
                }
            } else {
                return null;
            }
        }
        return labelLength == 0 ? null : n;
    }

    /** True when {@code name} is {@code parent} or below it. */
    static boolean isWithin(String name, String parent) {
        return name.equals(parent) || name.endsWith("." + parent);
    }
}
