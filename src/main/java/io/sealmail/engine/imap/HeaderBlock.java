package io.sealmail.engine.imap;

import io.netty.buffer.ByteBuf;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A block of header fields kept as octets (the cache's header fields, see {@link MessageSummary}), read in place:
 * FETCH BODY[HEADER.FIELDS (...)] and SEARCH FROM/TO/CC/SUBJECT/HEADER over a large folder find, copy and compare
 * fields without making a string or an object per field, which parsing with {@link MimeStructure} does. The
 * answers are the ones {@link MimeStructure} gives: a field is a line with a colon and the lines after it that
 * start with a space or tab; its name is the text before the colon, trimmed; its value the rest, unfolded and
 * trimmed.
 */
final class HeaderBlock {
    private HeaderBlock() {
    }

    static byte[] bytes(ByteBuffer block) {
        byte[] out = new byte[block.remaining()];
        block.duplicate().get(out);
        return out;
    }

    /** RFC 5322 §2.2.3 unfolding: the CRLFs (or bare LFs) of a folded field removed, a lone CR kept. */
    static String unfold(String raw) {
        if (raw.indexOf('\n') < 0) {
            return raw;
        }
        StringBuilder sb = new StringBuilder(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '\n') {
                continue;
            }
            if (c == '\r' && i + 1 < raw.length() && raw.charAt(i + 1) == '\n') {
                continue;
            }
            sb.append(c);
        }
        return sb.toString();
    }

    /** Start of the line after the one at {@code pos}. */
    private static int nextLine(ByteBuffer b, int pos, int limit) {
        int i = pos;
        while (i < limit && b.get(i) != '\n') {
            i++;
        }
        return Math.min(limit, i + 1);
    }

    private static boolean blankLine(ByteBuffer b, int pos, int limit) {
        byte c = b.get(pos);
        return c == '\n' || (c == '\r' && pos + 1 < limit && b.get(pos + 1) == '\n');
    }

    /** End of the field that starts at {@code pos}: its first line and every continuation line. */
    private static int fieldEnd(ByteBuffer b, int pos, int limit) {
        int i = nextLine(b, pos, limit);
        while (i < limit && (b.get(i) == ' ' || b.get(i) == '\t')) {
            i = nextLine(b, i, limit);
        }
        return i;
    }

    /** The colon after the name on the field's first line, or -1 (no name: not a field). */
    private static int colon(ByteBuffer b, int start, int end) {
        for (int i = start; i < end; i++) {
            byte c = b.get(i);
            if (c == ':') {
                return i > start ? i : -1;
            }
            if (c == '\n' || c == '\r') {
                return -1;
            }
        }
        return -1;
    }

    /** Whether the name before {@code colon}, trimmed, is {@code upperName} ignoring ASCII case. */
    private static boolean named(ByteBuffer b, int start, int colon, String upperName) {
        int from = start;
        int to = colon;
        while (from < to && (b.get(from) & 0xff) <= ' ') {
            from++;
        }
        while (to > from && (b.get(to - 1) & 0xff) <= ' ') {
            to--;
        }
        if (to - from != upperName.length()) {
            return false;
        }
        for (int i = 0; i < upperName.length(); i++) {
            int c = b.get(from + i);
            if (c < 0) {
                return false;
            }
            if (c >= 'a' && c <= 'z') {
                c -= 32;
            }
            if (c != upperName.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean namedAny(ByteBuffer b, int start, int colon, List<String> upperNames) {
        for (int i = 0; i < upperNames.size(); i++) {
            if (named(b, start, colon, upperNames.get(i))) {
                return true;
            }
        }
        return false;
    }

    /**
     * BODY[HEADER.FIELDS (names)] (RFC 9051 §6.4.5): the fields with one of these names, as stored and in their
     * order, then an empty line. Writes them to {@code out}, or only counts them when {@code out} is null.
     *
     * @return the length of the answer, the final CRLF included
     */
    static int fields(ByteBuffer block, List<String> upperNames, ByteBuf out) {
        int limit = block.limit();
        int pos = block.position();
        int length = 0;
        while (pos < limit && !blankLine(block, pos, limit)) {
            int end = fieldEnd(block, pos, limit);
            int colon = colon(block, pos, end);
            if (colon > 0 && namedAny(block, pos, colon, upperNames)) {
                length += end - pos;
                if (out != null) {
                    out.writeBytes(block.duplicate().limit(end).position(pos));
                }
            }
            pos = end;
        }
        if (out != null) {
            out.writeByte('\r').writeByte('\n');
        }
        return length + 2;
    }

    /**
     * SEARCH HEADER/FROM/TO/CC/BCC/SUBJECT (RFC 9051 §6.4.4): whether a field named {@code upperName} has a value
     * holding {@code needle} under i;unicode-casemap ({@link UnicodeCasemap}, I18NLEVEL=1), encoded words decoded.
     *
     * @return -1 when no field has that name, 0 when some do and none holds the text, 1 when one does
     */
    static int search(ByteBuffer block, String upperName, UnicodeCasemap.Needle needle) {
        int limit = block.limit();
        int pos = block.position();
        int found = -1;
        while (pos < limit && !blankLine(block, pos, limit)) {
            int end = fieldEnd(block, pos, limit);
            int colon = colon(block, pos, end);
            if (colon > 0 && named(block, pos, colon, upperName)) {
                found = 0;
                if (valueContains(block, colon + 1, end, needle)) {
                    return 1;
                }
            }
            pos = end;
        }
        return found;
    }

    /**
     * The value of the first field named {@code upperName} (unfolded, trimmed, 8-bit octets read as UTF-8), or
     * null: what SORT and THREAD read their keys from, one field at a time, without parsing the whole block.
     */
    static String value(ByteBuffer block, String upperName) {
        int limit = block.limit();
        int pos = block.position();
        while (pos < limit && !blankLine(block, pos, limit)) {
            int end = fieldEnd(block, pos, limit);
            int colon = colon(block, pos, end);
            if (colon > 0 && named(block, pos, colon, upperName)) {
                int from = colon + 1;
                int to = end;
                while (from < to && (block.get(from) & 0xff) <= ' ') {
                    from++;
                }
                while (to > from && (block.get(to - 1) & 0xff) <= ' ') {
                    to--;
                }
                byte[] raw = new byte[to - from];
                block.get(from, raw);
                return unfold(new String(raw, StandardCharsets.UTF_8)).trim();
            }
            pos = end;
        }
        return null;
    }

    /**
     * Whether one field's value holds the needle. A value of plain ASCII without encoded words or line breaks (most
     * values) is compared octet by octet where it lies, folded on the fly (ASCII folds to upper case); any other is
     * unfolded, decoded and folded as a string.
     */
    private static boolean valueContains(ByteBuffer b, int from, int to, UnicodeCasemap.Needle needle) {
        while (from < to && (b.get(from) & 0xff) <= ' ') {
            from++;
        }
        while (to > from && (b.get(to - 1) & 0xff) <= ' ') {
            to--;
        }
        boolean plain = true;
        for (int i = from; plain && i < to; i++) {
            byte c = b.get(i);
            plain = c >= 0 && c != '\r' && c != '\n' && !(c == '=' && i + 1 < to && b.get(i + 1) == '?');
        }
        if (!plain) {
            byte[] raw = new byte[to - from];
            b.get(from, raw);
            return UnicodeCasemap.headerContains(unfold(new String(raw, StandardCharsets.UTF_8)).trim(), needle);
        }
        if (needle.ascii() == null) {
            return false; // ASCII folds to ASCII: a needle whose fold is not ASCII cannot be in it
        }
        int n = needle.ascii().length;
        for (int i = from; i + n <= to; i++) {
            int j = 0;
            while (j < n && needle.matchesAt(j, b.get(i + j))) {
                j++;
            }
            if (j == n) {
                return true;
            }
        }
        return false;
    }
}
