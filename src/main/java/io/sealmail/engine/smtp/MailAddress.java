package io.sealmail.engine.smtp;

import java.util.Locale;

/**
 * An RFC 5321 Mailbox: local part and domain (or address literal). The local part keeps its case (RFC 5321
 * §2.4 says it may be case-sensitive) but lookups are case-insensitive; {@link #toString()} re-quotes it if needed.
 */
public record MailAddress(String localPart, String domain) {

    public boolean isAscii() {
        return localPart.chars().allMatch(c -> c < 0x80) && domain.chars().allMatch(c -> c < 0x80);
    }

    /** The form used for lookups in the account directory: lower case, local part unquoted. */
    public String lookupKey() {
        return (localPart + "@" + domain).toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return (EnvelopeParser.isDotString(localPart) ? localPart : quote(localPart)) + "@" + domain;
    }

    private static String quote(String local) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : local.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.append('"').toString();
    }
}
