package io.sealmail.engine.mailauth;

import java.util.Locale;

/** DKIM canonicalisation algorithms (RFC 6376 §3.4). */
enum Canonicalization {
    SIMPLE, RELAXED;

    static Canonicalization of(String token) throws MailAuthSyntaxException {
        return switch (token.toLowerCase(Locale.ROOT)) {
            case "simple" -> SIMPLE;
            case "relaxed" -> RELAXED;
            default -> throw new MailAuthSyntaxException("unknown canonicalization " + TagList.abbreviate(token));
        };
    }

    String token() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The field as it enters the signature, without a trailing CRLF (RFC 6376 §3.4.1 and §3.4.2). */
    String header(String raw) {
        if (this == SIMPLE) {
            return raw;
        }
        int colon = raw.indexOf(':');
        String name = (colon < 0 ? raw : raw.substring(0, colon)).strip().toLowerCase(Locale.ROOT);
        String value = colon < 0 ? "" : raw.substring(colon + 1);
        StringBuilder out = new StringBuilder(raw.length());
        out.append(name).append(':');
        boolean space = false;
        boolean any = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n') {
                continue; // unfold
            }
            if (c == ' ' || c == '\t') {
                space = true;
                continue;
            }
            if (space && any) {
                out.append(' ');
            }
            space = false;
            any = true;
            out.append(c);
        }
        return out.toString();
    }
}
