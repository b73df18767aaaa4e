package io.sealmail.engine.imap;

import org.apache.james.mime4j.MimeException;
import org.apache.james.mime4j.dom.field.ContentDispositionField;
import org.apache.james.mime4j.dom.field.ContentTypeField;
import org.apache.james.mime4j.dom.field.ParsedField;
import org.apache.james.mime4j.field.LenientFieldParser;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where each MIME entity of a stored message lies, as byte offsets, so FETCH can answer BODY[1.2.MIME] and
 * partial ranges without copying. Header fields are interpreted by Apache Mime4j (Content-Type, parameters,
 * disposition, addresses); this class only finds the header/body split and the multipart boundaries, whose byte
 * positions mime4j's parser does not expose. Nesting is bounded so a hostile message costs bounded work.
 */
public final class MimeStructure {
    static final int MAX_DEPTH = 32;
    static final int MAX_PARTS = 1000;

    /** One entity: header [start, bodyStart), body [bodyStart, end). */
    public static final class Entity {
        public final int start;
        public final int bodyStart;
        public final int end;
        public final List<HeaderField> fields;
        public final String type;
        public final String subtype;
        public final Map<String, String> params;
        public final List<Entity> children = new ArrayList<>();
        /** The message inside a message/rfc822 entity. */
        public Entity message;

        Entity(int start, int bodyStart, int end, List<HeaderField> fields, String type, String subtype,
               Map<String, String> params) {
            this.start = start;
            this.bodyStart = bodyStart;
            this.end = end;
            this.fields = fields;
            this.type = type;
            this.subtype = subtype;
            this.params = params;
        }

        public boolean isMultipart() {
            return type.equals("multipart");
        }

        public boolean isMessage() {
            return type.equals("message") && subtype.equals("rfc822");
        }

        /** The unfolded value of the first field of this name, or null. */
        public String header(String name) {
            for (HeaderField f : fields) {
                if (f.name().equalsIgnoreCase(name)) {
                    return f.value();
                }
            }
            return null;
        }

        public ParsedField parsed(String name) {
            for (HeaderField f : fields) {
                if (f.name().equalsIgnoreCase(name)) {
                    try {
                        return LenientFieldParser.parse(f.raw());
                    } catch (MimeException | RuntimeException e) {
                        return null;
                    }
                }
            }
            return null;
        }

        public ContentDispositionField disposition() {
            return parsed("Content-Disposition") instanceof ContentDispositionField d ? d : null;
        }
    }

    /** A header field: its name, unfolded value, and the raw bytes' range (folding and CRLF included). */
    public record HeaderField(String name, String value, String raw, int start, int end) {
    }

    private final byte[] bytes;
    private int parts;

    private MimeStructure(byte[] bytes) {
        this.bytes = bytes;
    }

    public static Entity parse(byte[] message) {
        return new MimeStructure(message).entity(0, message.length, 0, false);
    }

    private Entity entity(int start, int end, int depth, boolean digestChild) {
        parts++;
        List<HeaderField> fields = new ArrayList<>();
        int pos = start;
        int bodyStart = end;
        while (pos < end) {
            if (isBlank(pos, end)) {
                bodyStart = next(pos, end);
                break;
            }
            int fieldStart = pos;
            pos = next(pos, end);
            while (pos < end && (bytes[pos] == ' ' || bytes[pos] == '\t')) {
                pos = next(pos, end);
            }
            String raw = new String(bytes, fieldStart, pos - fieldStart, StandardCharsets.UTF_8);
            // The colon is looked for after unfolding: a name may run on into a continuation line (found by Jazzer).
            String unfolded = HeaderBlock.unfold(raw).stripTrailing();
            int colon = unfolded.indexOf(':');
            if (colon > 0) {
                String name = unfolded.substring(0, colon).trim();
                String value = unfolded.substring(colon + 1).trim();
                fields.add(new HeaderField(name, value, unfolded, fieldStart, pos));
            }
        }
        if (bodyStart > end) {
            bodyStart = end;
        }
        String type = digestChild ? "message" : "text";
        String subtype = digestChild ? "rfc822" : "plain";
        Map<String, String> params = new LinkedHashMap<>();
        Entity probe = new Entity(start, bodyStart, end, fields, type, subtype, params);
        if (probe.parsed("Content-Type") instanceof ContentTypeField ct && ct.getMediaType() != null
                && !ct.getMediaType().isEmpty() && ct.getSubType() != null && !ct.getSubType().isEmpty()) {
            type = ct.getMediaType().toLowerCase(Locale.ROOT);
            subtype = ct.getSubType().toLowerCase(Locale.ROOT);
            ct.getParameters().forEach((k, v) -> params.put(k.toLowerCase(Locale.ROOT), v));
        }
        if (type.equals("text") && !params.containsKey("charset")) {
            params.put("charset", "us-ascii");
        }
        Entity e = new Entity(start, bodyStart, end, fields, type, subtype, params);
        if (depth >= MAX_DEPTH || parts > MAX_PARTS) {
            return e;
        }
        if (e.isMultipart() && params.get("boundary") != null) {
            split(e, params.get("boundary"), depth, subtype.equals("digest"));
        } else if (e.isMessage()) {
            e.message = entity(bodyStart, end, depth + 1, false);
        }
        return e;
    }

    /** RFC 2046 §5.1.1: parts lie between lines "--boundary"; the CRLF before a delimiter belongs to it. */
    private void split(Entity e, String boundary, int depth, boolean digest) {
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.US_ASCII);
        int pos = e.bodyStart;
        int partStart = -1;
        while (pos < e.end) {
            int lineEnd = lineEnd(pos, e.end);
            if (startsWith(pos, lineEnd, delimiter)) {
                boolean close = startsWith(pos + delimiter.length, lineEnd, new byte[] {'-', '-'});
                if (partStart >= 0) {
                    int partEnd = pos;
                    if (partEnd > partStart && bytes[partEnd - 1] == '\n') {
                        partEnd--;
                        if (partEnd > partStart && bytes[partEnd - 1] == '\r') {
                            partEnd--;
                        }
                    }
                    e.children.add(entity(partStart, Math.max(partStart, partEnd), depth + 1, digest));
                    if (parts > MAX_PARTS) {
                        return;
                    }
                }
                if (close) {
                    return;
                }
                partStart = next(pos, e.end);
            }
            pos = next(pos, e.end);
        }
        if (partStart >= 0 && partStart < e.end) {
            e.children.add(entity(partStart, e.end, depth + 1, digest));
        }
    }

    private boolean startsWith(int pos, int limit, byte[] prefix) {
        if (limit - pos < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[pos + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** Index of the line break (CR or LF) ending the line at pos, or end. */
    private int lineEnd(int pos, int end) {
        int i = pos;
        while (i < end && bytes[i] != '\n' && bytes[i] != '\r') {
            i++;
        }
        return i;
    }

    private boolean isBlank(int pos, int end) {
        return bytes[pos] == '\n' || (bytes[pos] == '\r' && pos + 1 < end && bytes[pos + 1] == '\n');
    }

    /** Start of the next line. */
    private int next(int pos, int end) {
        int i = pos;
        while (i < end && bytes[i] != '\n') {
            i++;
        }
        return Math.min(end, i + 1);
    }

    /** Lines in a range, as BODYSTRUCTURE's size in text lines counts them. */
    public static int lines(byte[] bytes, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            if (bytes[i] == '\n') {
                n++;
            }
        }
        if (to > from && bytes[to - 1] != '\n') {
            n++;
        }
        return n;
    }
}
