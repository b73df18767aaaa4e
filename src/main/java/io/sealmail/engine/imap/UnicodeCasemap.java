package io.sealmail.engine.imap;

import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.codec.DecoderUtil;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;

/**
 * The i;unicode-casemap comparator of RFC 5051, which SEARCH and SORT use under I18NLEVEL=1 (RFC 5255 §4.3, §4.4):
 * a string is compared by its {@link #fold}, each code point titlecased with its simple mapping and the result put
 * in Unicode normalization form KD, so "Ärger", "ärger" and "A" + combining diaeresis + "rger" are equal, and
 * "café" holds "cafe". Folded strings sort by their code points (octets of UTF-8), equality and substrings are
 * those of the folded strings. As the RFC says and Dovecot does, the fold is not a full case-insensitivity:
 * "ß" has no simple titlecase ("Straße" does not hold "strasse"), and "ﬁ" decomposes to a lower-case "fi" after
 * titlecasing ("ﬁle" does not hold "file").
 *
 * <p>Plain ASCII, most header values, takes a fast path: titlecase is upper case there and NFKD changes nothing.
 */
final class UnicodeCasemap {
    private UnicodeCasemap() {
    }

    /** RFC 5051 §2: the canonical form a string is compared by. */
    static String fold(String s) {
        int i = 0;
        int n = s.length();
        boolean lower = false;
        for (; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                break;
            }
            lower |= c >= 'a' && c <= 'z';
        }
        if (i == n) {
            return lower ? asciiUpper(s) : s;
        }
        StringBuilder titled = new StringBuilder(n + 8);
        for (int k = 0; k < n; ) {
            int cp = s.codePointAt(k);
            titled.appendCodePoint(Character.toTitleCase(cp));
            k += Character.charCount(cp);
        }
        return Normalizer.normalize(titled, Normalizer.Form.NFKD);
    }

    /**
     * Folded strings in the comparator's order: by code point, as their UTF-8 octets compare (Dovecot compares
     * those), where String.compareTo would put U+E000..U+FFFF after the surrogates of U+10000 and above.
     */
    static int compare(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x != y) {
                return codePointOrder(x) - codePointOrder(y);
            }
        }
        return a.length() - b.length();
    }

    /**
     * A folded SORT key in the comparator's order. Most keys hold no UTF-16 unit from U+D800 up, where String order
     * and code point order agree, and compare with String.compareTo (an intrinsic); the others by {@link #compare}.
     */
    record Key(String folded, boolean high) implements Comparable<Key> {
        static Key of(String folded) {
            for (int i = 0; i < folded.length(); i++) {
                if (folded.charAt(i) >= 0xD800) {
                    return new Key(folded, true);
                }
            }
            return new Key(folded, false);
        }

        @Override
        public int compareTo(Key other) {
            return high || other.high ? compare(folded, other.folded) : folded.compareTo(other.folded);
        }
    }

    /** A UTF-16 unit moved so that surrogates sort above U+E000..U+FFFF, as the code points they form do. */
    private static int codePointOrder(char c) {
        return c < 0xD800 ? c : c >= 0xE000 ? c - 0x800 : c + 0x2000;
    }

    private static String asciiUpper(String s) {
        char[] chars = s.toCharArray();
        for (int i = 0; i < chars.length; i++) {
            if (chars[i] >= 'a' && chars[i] <= 'z') {
                chars[i] -= 32;
            }
        }
        return new String(chars);
    }

    /** Whether {@code haystack} holds {@code needle} under the comparator. */
    static boolean contains(String haystack, Needle needle) {
        return haystack != null && fold(haystack).contains(needle.folded());
    }

    /**
     * Whether a header field's value holds {@code needle}: its RFC 2047 encoded words decoded first (as Dovecot
     * does; SEARCH SUBJECT "utf-8" does not find every encoded subject), then compared as {@link #contains}.
     */
    static boolean headerContains(String value, Needle needle) {
        if (value == null) {
            return false;
        }
        return contains(value.contains("=?") ? DecoderUtil.decodeEncodedWords(value, DecodeMonitor.SILENT) : value, needle);
    }

    /**
     * A SEARCH text, folded once per command: {@code folded} for strings, and {@code ascii} (its folded octets) when
     * the fold is plain ASCII, for comparing ASCII values octet by octet with {@link #matchesAt}.
     */
    record Needle(String folded, byte[] ascii) {
        static Needle of(String text) {
            String folded = fold(text);
            for (int i = 0; i < folded.length(); i++) {
                if (folded.charAt(i) >= 0x80) {
                    return new Needle(folded, null);
                }
            }
            return new Needle(folded, folded.getBytes(StandardCharsets.US_ASCII));
        }

        /**
         * Whether the ASCII octet {@code c} folds to the needle's octet {@code j}: ASCII folds to upper case, so a
         * lower-case letter left in a fold (the "fi" of "ﬁ") is never matched by ASCII text.
         */
        boolean matchesAt(int j, int c) {
            return (c >= 'a' && c <= 'z' ? c - 32 : c) == ascii[j];
        }
    }
}
