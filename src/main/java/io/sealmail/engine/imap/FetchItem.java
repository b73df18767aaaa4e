package io.sealmail.engine.imap;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One FETCH data item (RFC 9051 §6.4.5), parsed from an atom such as {@code BODY.PEEK[1.HEADER.FIELDS (From)]<0.100>}.
 *
 * @param kind     what to return
 * @param part     MIME part numbers ({@code 1.2} is [1, 2]); empty for the whole message
 * @param text     HEADER, HEADER.FIELDS, HEADER.FIELDS.NOT, TEXT, MIME, or "" for the whole part
 * @param fields   the field names of HEADER.FIELDS(.NOT), upper case
 * @param label    how the item is named in the response ({@code BODY[HEADER]<0>})
 * @param offset   partial start, or -1
 * @param length   partial length, or -1
 * @param peek     BODY.PEEK/BINARY.PEEK: do not set \Seen
 */
record FetchItem(Kind kind, List<Integer> part, String text, List<String> fields, String section, long offset,
                 long length, boolean peek) {

    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    enum Kind { FLAGS, UID, INTERNALDATE, SAVEDATE, RFC822_SIZE, MODSEQ, ENVELOPE, BODYSTRUCTURE, BODY, PREVIEW, SECTION, BINARY, BINARY_SIZE }

    static FetchItem simple(Kind kind) {
        return new FetchItem(kind, List.of(), "", List.of(), null, -1, -1, true);
    }

    /** Whether the item needs the message content (not just the index). */
    boolean needsContent() {
        return switch (kind) {
            case FLAGS, UID, INTERNALDATE, SAVEDATE, RFC822_SIZE, MODSEQ -> false;
            default -> true;
        };
    }

    /** Whether the item needs the MIME structure; the whole message (BODY[], RFC822) is sent as stored, unparsed. */
    boolean needsStructure() {
        return needsContent() && !wholeMessage();
    }

    /**
     * Whether the store's message cache answers it ({@link MessageSummary}): ENVELOPE, BODYSTRUCTURE, BODY, and
     * the message's own HEADER.FIELDS when every field asked for is one the cache keeps.
     */
    boolean inSummary() {
        return switch (kind) {
            case ENVELOPE, BODYSTRUCTURE, BODY, PREVIEW -> true;
            case SECTION -> part.isEmpty() && text.equals("HEADER.FIELDS") && MessageSummary.covers(fields);
            default -> false;
        };
    }

    boolean wholeMessage() {
        return kind == Kind.SECTION && part.isEmpty() && text.isEmpty();
    }

    String label() {
        return switch (kind) {
            case FLAGS -> "FLAGS";
            case UID -> "UID";
            case INTERNALDATE -> "INTERNALDATE";
            case SAVEDATE -> "SAVEDATE";
            case RFC822_SIZE -> "RFC822.SIZE";
            case MODSEQ -> "MODSEQ";
            case ENVELOPE -> "ENVELOPE";
            case BODYSTRUCTURE -> "BODYSTRUCTURE";
            case BODY -> "BODY";
            case PREVIEW -> "PREVIEW";
            case SECTION -> section == null ? "" : section;
            case BINARY -> "BINARY[" + partText() + "]" + (offset >= 0 ? "<" + offset + ">" : "");
            case BINARY_SIZE -> "BINARY.SIZE[" + partText() + "]";
        };
    }

    private String partText() {
        List<String> p = new ArrayList<>();
        for (int n : part) {
            p.add(Integer.toString(n));
        }
        return String.join(".", p);
    }

    /** Parses one item; macros (ALL, FAST, FULL) are expanded by the caller. */
    static List<FetchItem> parse(String atom, ImapArgs args) {
        String upper = atom.toUpperCase(Locale.ROOT);
        switch (upper) {
            case "FLAGS":
                return List.of(simple(Kind.FLAGS));
            case "UID":
                return List.of(simple(Kind.UID));
            case "INTERNALDATE":
                return List.of(simple(Kind.INTERNALDATE));
            case "SAVEDATE":
                return List.of(simple(Kind.SAVEDATE)); // RFC 8514 §4.2
            case "RFC822.SIZE":
                return List.of(simple(Kind.RFC822_SIZE));
            case "ENVELOPE":
                return List.of(simple(Kind.ENVELOPE));
            case "BODYSTRUCTURE":
                return List.of(simple(Kind.BODYSTRUCTURE));
            case "BODY":
                return List.of(simple(Kind.BODY));
            case "RFC822":
                return List.of(new FetchItem(Kind.SECTION, List.of(), "", List.of(), "RFC822", -1, -1, false));
            case "RFC822.HEADER":
                return List.of(new FetchItem(Kind.SECTION, List.of(), "HEADER", List.of(), "RFC822.HEADER", -1, -1, true));
            case "RFC822.TEXT":
                return List.of(new FetchItem(Kind.SECTION, List.of(), "TEXT", List.of(), "RFC822.TEXT", -1, -1, false));
            case "ALL":
                return List.of(simple(Kind.FLAGS), simple(Kind.INTERNALDATE), simple(Kind.RFC822_SIZE), simple(Kind.ENVELOPE));
            case "FAST":
                return List.of(simple(Kind.FLAGS), simple(Kind.INTERNALDATE), simple(Kind.RFC822_SIZE));
            case "FULL":
                return List.of(simple(Kind.FLAGS), simple(Kind.INTERNALDATE), simple(Kind.RFC822_SIZE),
                        simple(Kind.ENVELOPE), simple(Kind.BODY));
            case "MODSEQ":
                return List.of(simple(Kind.MODSEQ));
            case "PREVIEW":
                return List.of(simple(Kind.PREVIEW));
            default:
                break;
        }
        // Positions in the atom itself: upper-casing may change the length (ß is SS), found by Jazzer.
        int open = atom.indexOf('[');
        int close = atom.lastIndexOf(']');
        if (open < 0 || close < open) {
            throw args.bad("Unknown FETCH item " + atom);
        }
        String name = atom.substring(0, open).toUpperCase(Locale.ROOT);
        String spec = atom.substring(open + 1, close);
        String rest = atom.substring(close + 1).toUpperCase(Locale.ROOT);
        long offset = -1;
        long length = -1;
        if (!rest.isEmpty()) {
            if (!rest.startsWith("<") || !rest.endsWith(">")) {
                throw args.bad("Invalid partial range");
            }
            String[] nums = rest.substring(1, rest.length() - 1).split("\\.");
            if (nums.length != 2) {
                throw args.bad("Invalid partial range");
            }
            offset = number(nums[0], args);
            length = number(nums[1], args);
            if (length == 0) {
                throw args.bad("Invalid partial length");
            }
        }
        boolean peek;
        Kind kind;
        switch (name) {
            case "BODY" -> { kind = Kind.SECTION; peek = false; }
            case "BODY.PEEK" -> { kind = Kind.SECTION; peek = true; }
            case "BINARY" -> { kind = Kind.BINARY; peek = false; }
            case "BINARY.PEEK" -> { kind = Kind.BINARY; peek = true; }
            case "BINARY.SIZE" -> { kind = Kind.BINARY_SIZE; peek = true; }
            default -> throw args.bad("Unknown FETCH item " + atom);
        }
        List<Integer> part = new ArrayList<>();
        String text = "";
        List<String> fields = new ArrayList<>();
        String s = spec.trim();
        int i = 0;
        while (i < s.length() && ImapNumber.isDigit(s.charAt(i))) {
            int j = i;
            while (j < s.length() && ImapNumber.isDigit(s.charAt(j))) {
                j++;
            }
            if (j - i > 5) {
                throw args.bad("Invalid section");
            }
            int n = Integer.parseInt(s.substring(i, j));
            if (n == 0) {
                throw args.bad("Invalid section part 0");
            }
            part.add(n);
            i = j;
            if (i < s.length()) {
                // RFC 9051 §6.4.5: section-part = nz-number *("." nz-number), then "." and a text part if any.
                if (s.charAt(i) != '.' || i + 1 == s.length()) {
                    throw args.bad("Invalid section " + spec);
                }
                i++;
            }
        }
        String tail = s.substring(i);
        String tailUpper = tail.toUpperCase(Locale.ROOT);
        if (kind != Kind.SECTION && !tail.isEmpty()) {
            throw args.bad("BINARY takes part numbers only");
        }
        if (tailUpper.isEmpty()) {
            text = "";
        } else if (tailUpper.equals("HEADER") || tailUpper.equals("TEXT") || tailUpper.equals("MIME")) {
            text = tailUpper;
            if (text.equals("MIME") && part.isEmpty()) {
                throw args.bad("MIME needs a part number");
            }
        } else if (tailUpper.startsWith("HEADER.FIELDS")) {
            boolean not = tailUpper.startsWith("HEADER.FIELDS.NOT");
            text = not ? "HEADER.FIELDS.NOT" : "HEADER.FIELDS";
            String list = tail.substring(text.length()).trim();
            if (!list.startsWith("(") || !list.endsWith(")")) {
                throw args.bad("HEADER.FIELDS needs a list of field names");
            }
            for (String f : list.substring(1, list.length() - 1).trim().split("\\s+")) {
                String name1 = f.replace("\"", "");
                if (!name1.isEmpty()) {
                    fields.add(name1.toUpperCase(Locale.ROOT));
                }
            }
            if (fields.isEmpty()) {
                throw args.bad("HEADER.FIELDS needs at least one field name");
            }
        } else {
            throw args.bad("Invalid section " + spec);
        }
        String label = "BODY[" + WHITESPACE.matcher(spec.trim()).replaceAll(" ") + "]" + (offset >= 0 ? "<" + offset + ">" : "");
        return List.of(new FetchItem(kind, List.copyOf(part), text, List.copyOf(fields), label, offset, length, peek));
    }

    private static long number(String s, ImapArgs args) {
        // RFC 9051 §9: partial = "<" number64 "." nz-number64 ">"
        long n = ImapNumber.parse(s, ImapNumber.MAX_NUMBER64);
        if (n < 0) {
            throw args.bad("Invalid partial range");
        }
        return n;
    }
}
