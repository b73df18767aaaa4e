package io.sealmail.engine.mailauth;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A tag=value list (RFC 6376 §3.2), the syntax of DKIM-Signature fields, DKIM key records and DMARC records
 * (RFC 7489 §6.4). Tag names are case-sensitive; values keep their inner text with surrounding whitespace
 * removed. A duplicate tag or a tag without '=' makes the whole list invalid (RFC 6376 §3.2: "MUST be
 * interpreted as a syntax error").
 */
final class TagList {
    /** Longer than any honest DKIM-Signature (a few KiB) or record; beyond it we do not parse. */
    static final int MAX_LENGTH = 16 * 1024;
    static final int MAX_TAGS = 64;

    private final Map<String, String> tags;

    private TagList(Map<String, String> tags) {
        this.tags = Collections.unmodifiableMap(tags);
    }

    static TagList parse(String text) throws MailAuthSyntaxException {
        if (text.length() > MAX_LENGTH) {
            throw new MailAuthSyntaxException("tag list longer than " + MAX_LENGTH + " characters");
        }
        Map<String, String> tags = new LinkedHashMap<>();
        for (String spec : text.split(";", -1)) {
            if (spec.isBlank()) {
                continue; // an empty spec after the last ';' is allowed
            }
            int eq = spec.indexOf('=');
            if (eq < 0) {
                throw new MailAuthSyntaxException("tag without '=': " + abbreviate(spec.strip()));
            }
            String name = spec.substring(0, eq).strip();
            if (!validName(name)) {
                throw new MailAuthSyntaxException("invalid tag name: " + abbreviate(name));
            }
            if (tags.size() >= MAX_TAGS) {
                throw new MailAuthSyntaxException("more than " + MAX_TAGS + " tags");
            }
            if (tags.put(name, spec.substring(eq + 1).strip()) != null) {
                throw new MailAuthSyntaxException("duplicate tag " + name);
            }
        }
        return new TagList(tags);
    }

    /** ALPHA *ALNUMPUNC (RFC 6376 §3.2). */
    private static boolean validName(String name) {
        if (name.isEmpty() || !isAlpha(name.charAt(0))) {
            return false;
        }
        for (int i = 1; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!isAlpha(c) && !(c >= '0' && c <= '9') && c != '_') {
                return false;
            }
        }
        return true;
    }

    private static boolean isAlpha(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    String get(String name) {
        return tags.get(name);
    }

    boolean has(String name) {
        return tags.containsKey(name);
    }

    String first() {
        return tags.isEmpty() ? null : tags.keySet().iterator().next();
    }

    Map<String, String> asMap() {
        return tags;
    }

    /** Removes all folding whitespace: base64 values (b=, bh=, p=) may be folded anywhere (RFC 6376 §3.5). */
    static String withoutWhitespace(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
                out.append(c);
            }
        }
        return out.toString();
    }

    static String abbreviate(String s) {
        String t = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        return t.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
