package io.sealmail.engine.mailauth;

import java.util.ArrayList;
import java.util.List;

/**
 * The header fields of a message, top to bottom.
 *
 * @param fields   the fields in order
 * @param complete false when the header section was larger than the bound and was not parsed
 */
public record HeaderSection(List<HeaderField> fields, boolean complete) {
    public HeaderSection {
        fields = List.copyOf(fields);
    }

    public List<HeaderField> all(String name) {
        List<HeaderField> out = new ArrayList<>();
        for (HeaderField f : fields) {
            if (f.is(name)) {
                out.add(f);
            }
        }
        return out;
    }

    /** The section without its first field (our own, on top). */
    HeaderSection withoutFirst() {
        return fields.isEmpty() ? this : new HeaderSection(fields.subList(1, fields.size()), complete);
    }

    /** Splits {@code bytes} (the header section up to, not including, the empty line) into fields. */
    static List<HeaderField> split(byte[] bytes, int length, long baseOffset) {
        List<HeaderField> fields = new ArrayList<>();
        int start = 0;
        int i = 0;
        while (i < length) {
            int lineEnd = indexOfCrlf(bytes, i, length);
            int next = lineEnd < 0 ? length : lineEnd + 2;
            // RFC 5322 §2.2.3: a line starting with WSP continues the field above it.
            boolean continues = next < length && (bytes[next] == ' ' || bytes[next] == '\t');
            if (!continues) {
                int end = lineEnd < 0 ? length : lineEnd;
                String raw = new String(bytes, start, end - start, java.nio.charset.StandardCharsets.ISO_8859_1);
                int colon = raw.indexOf(':');
                String name = colon < 0 ? "" : raw.substring(0, colon).stripTrailing();
                fields.add(new HeaderField(name, raw, baseOffset + start, next - start));
                start = next;
            }
            i = next;
        }
        return fields;
    }

    private static int indexOfCrlf(byte[] b, int from, int to) {
        for (int i = from; i + 1 < to; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
