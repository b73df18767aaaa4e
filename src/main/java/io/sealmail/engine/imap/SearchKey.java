package io.sealmail.engine.imap;

import io.sealmail.store.mailbox.MailFolder.MessageInfo;
import io.sealmail.store.mailbox.MailFolder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A SEARCH criterion (RFC 9051 §6.4.4) as a predicate over one message. */
interface SearchKey {

    boolean matches(Candidate c) throws IOException;

    /** One message under test; content is read at most once, and only if a key needs it. */
    final class Candidate {
        final int seq;
        final MessageInfo info;
        final long maxSeq;
        final long maxUid;
        private final MailFolder folder;
        private byte[] content;
        private MimeStructure.Entity root;
        private MimeStructure.Entity cachedHeaders;
        private MessageSummary summary;

        Candidate(int seq, MessageInfo info, long maxSeq, long maxUid, MailFolder folder) {
            this.seq = seq;
            this.info = info;
            this.maxSeq = maxSeq;
            this.maxUid = maxUid;
            this.folder = folder;
        }

        byte[] content() throws IOException {
            if (content == null) {
                content = folder.read(info.uid());
            }
            return content;
        }

        MimeStructure.Entity root() throws IOException {
            if (root == null) {
                root = MimeStructure.parse(content());
            }
            return root;
        }

        /**
         * The header holding a field: the store's cached header fields when it keeps that field (no message file
         * opened: SEARCH FROM/SUBJECT/SENTSINCE... over a large folder reads only the cache), else the message's.
         */
        MimeStructure.Entity headerWith(String name) throws IOException {
            if (!MessageSummary.covers(name)) {
                return root();
            }
            if (cachedHeaders == null) {
                cachedHeaders = content != null ? root() : summary().headers();
            }
            return cachedHeaders;
        }

        private MessageSummary summary() throws IOException {
            if (summary == null) {
                summary = MessageSummary.of(folder, info.uid());
            }
            return summary;
        }

        /**
         * Whether a field named {@code upperName} holds {@code needle} (ignoring case): -1 no such field, 0 no, 1
         * yes. A field the cache keeps is looked up in the cached octets in place (no message file, no parsing).
         */
        int headerContains(String upperName, UnicodeCasemap.Needle needle) throws IOException {
            if (content == null && MessageSummary.covers(upperName)) {
                return HeaderBlock.search(summary().headerFields(), upperName, needle);
            }
            int found = -1;
            for (MimeStructure.HeaderField f : headerWith(upperName).fields) {
                if (f.name().equalsIgnoreCase(upperName)) {
                    if (UnicodeCasemap.headerContains(f.value(), needle)) {
                        return 1;
                    }
                    found = 0;
                }
            }
            return found;
        }

        String header(String name) throws IOException {
            StringBuilder all = new StringBuilder();
            for (MimeStructure.HeaderField f : headerWith(name).fields) {
                if (f.name().equalsIgnoreCase(name)) {
                    all.append(f.value()).append('\n');
                }
            }
            return all.length() == 0 ? null : all.toString();
        }
    }

    DateTimeFormatter DATE = DateTimeFormatter.ofPattern("d-MMM-yyyy", Locale.ENGLISH);


    /** Parses the criteria; all top-level keys must match (AND). */
    static SearchKey parse(List<ImapArg> args, ImapArgs errors) {
        return criteria(args, errors).key();
    }

    /**
     * The parsed criteria, and whether a MODSEQ key is among them (RFC 7162 §3.1.5: the SEARCH response then
     * carries the highest MODSEQ of the messages found, and the command enables CONDSTORE).
     */
    record Criteria(SearchKey key, boolean modseq) {
    }

    static Criteria criteria(List<ImapArg> args, ImapArgs errors) {
        return criteria(args, errors, SequenceSet.ofAscending(List.of()));
    }

    /** @param saved the UIDs {@code $} stands for (RFC 5182), as a key or after {@code UID} */
    static Criteria criteria(List<ImapArg> args, ImapArgs errors, SequenceSet saved) {
        Cursor c = new Cursor(args, errors, saved);
        List<SearchKey> keys = new ArrayList<>();
        while (c.hasNext()) {
            keys.add(c.key());
        }
        if (keys.isEmpty()) {
            throw errors.bad("SEARCH needs a criterion");
        }
        return new Criteria(all(keys), c.modseq[0]);
    }

    private static SearchKey all(List<SearchKey> keys) {
        return m -> {
            for (SearchKey k : keys) {
                if (!k.matches(m)) {
                    return false;
                }
            }
            return true;
        };
    }

    final class Cursor {
        /** Deep enough for the OR chains clients build from a list of terms; far from the stack's limit. */
        static final int MAX_DEPTH = 100;

        private final List<ImapArg> args;
        private final ImapArgs errors;
        private int i;
        /** Keys open around the one being read (NOT, OR, parenthesised lists). */
        private int depth;
        /** Whether a MODSEQ key was read, here or in a nested list (shared with the nested cursors). */
        private final boolean[] modseq;
        private final SequenceSet saved;

        Cursor(List<ImapArg> args, ImapArgs errors, SequenceSet saved) {
            this(args, errors, 0, new boolean[1], saved);
        }

        private Cursor(List<ImapArg> args, ImapArgs errors, int depth, boolean[] modseq, SequenceSet saved) {
            this.args = args;
            this.errors = errors;
            this.depth = depth;
            this.modseq = modseq;
            this.saved = saved;
        }

        boolean hasNext() {
            return i < args.size();
        }

        private String string(String what) {
            if (!hasNext()) {
                throw errors.bad("Missing " + what);
            }
            String s = ImapArg.stringValue(args.get(i++));
            if (s == null) {
                throw errors.bad("Expected a string for " + what);
            }
            return s;
        }

        private LocalDate date() {
            String s = string("date").trim();
            try {
                return LocalDate.parse(s, DATE);
            } catch (DateTimeParseException e) {
                throw errors.bad("Invalid date " + s);
            }
        }

        private long number() {
            String s = string("number");
            long n = ImapNumber.parse(s, ImapNumber.MAX_NUMBER64);
            if (n < 0) {
                throw errors.bad("Invalid number " + s);
            }
            return n;
        }

        /** The instant {@code n} seconds ago, for OLDER/YOUNGER (RFC 5032 §3: nz-number). */
        private java.time.Instant within() {
            long n = number();
            if (n == 0) {
                throw errors.bad("OLDER and YOUNGER take a number of seconds above 0");
            }
            // A number of seconds longer than time itself means "before any date" (found by fuzzing:
            // Instant.minusSeconds throws past Instant.MIN).
            long then = java.time.Instant.now().getEpochSecond() - n;
            return java.time.Instant.ofEpochSecond(Math.max(then, java.time.Instant.MIN.getEpochSecond()));
        }

        private static LocalDate internalDay(Candidate m) {
            return m.info.internalDate().atZone(ZoneOffset.UTC).toLocalDate();
        }

        /** RFC 8514 §4.3: the save date's day; the internal date's where the store keeps no save dates. */
        private static LocalDate savedDay(Candidate m) {
            java.time.Instant saved = m.folder.saveDate(m.info.uid());
            return saved == null ? internalDay(m) : saved.atZone(ZoneOffset.UTC).toLocalDate();
        }

        /** The Date: field's day as written, its time and zone disregarded (RFC 9051 §6.4.4). */
        private static LocalDate sentDay(Candidate m) throws IOException {
            return SentDate.day(m.headerWith("Date").header("Date"));
        }

        private static SearchKey flag(String flag, boolean set) {
            return m -> m.info.flags().contains(flag) == set;
        }

        /**
         * One search key. NOT and OR take keys of their own, so {@code NOT NOT NOT ...} nests without parentheses:
         * the depth is bounded here, as parentheses are by the parser, or a short line would exhaust the stack.
         */
        SearchKey key() {
            if (depth >= MAX_DEPTH) {
                throw new ImapSyntaxException("LIMIT", "Search keys nested deeper than " + MAX_DEPTH + " (NOT, OR, parentheses)");
            }
            depth++;
            try {
                return oneKey();
            } finally {
                depth--;
            }
        }

        private SearchKey oneKey() {
            if (!hasNext()) {
                // NOT or OR at the end of the command: the key they apply to is missing.
                throw errors.bad("Missing search key");
            }
            ImapArg arg = args.get(i++);
            if (arg instanceof ImapArg.ListArg list) {
                Cursor inner = new Cursor(list.items(), errors, depth, modseq, saved);
                List<SearchKey> keys = new ArrayList<>();
                while (inner.hasNext()) {
                    keys.add(inner.key());
                }
                if (keys.isEmpty()) {
                    throw errors.bad("Empty search list");
                }
                return all(keys);
            }
            String word = ImapArg.stringValue(arg);
            if (!(arg instanceof ImapArg.Atom)) {
                throw errors.bad("Expected a search key");
            }
            String key = word.toUpperCase(Locale.ROOT);
            switch (key) {
                case "ALL": return m -> true;
                case "ANSWERED": return flag("\\Answered", true);
                case "DELETED": return flag("\\Deleted", true);
                case "DRAFT": return flag("\\Draft", true);
                case "FLAGGED": return flag("\\Flagged", true);
                case "SEEN": return flag("\\Seen", true);
                case "UNANSWERED": return flag("\\Answered", false);
                case "UNDELETED": return flag("\\Deleted", false);
                case "UNDRAFT": return flag("\\Draft", false);
                case "UNFLAGGED": return flag("\\Flagged", false);
                case "UNSEEN": return flag("\\Seen", false);
                case "NEW": return flag("\\Seen", false);
                case "OLD": return m -> true;
                case "RECENT": return m -> false;
                case "KEYWORD": { String k = string("keyword"); return m -> m.info.flags().contains(k); }
                case "UNKEYWORD": { String k = string("keyword"); return m -> !m.info.flags().contains(k); }
                // RFC 5032 WITHIN: the interval in seconds back from now, against the internal date.
                case "OLDER": { java.time.Instant t = within(); return m -> m.info.internalDate().isBefore(t); }
                case "YOUNGER": { java.time.Instant t = within(); return m -> !m.info.internalDate().isBefore(t); }
                case "LARGER": { long n = number(); return m -> m.info.size() > n; }
                case "SMALLER": { long n = number(); return m -> m.info.size() < n; }
                case "BEFORE": { LocalDate d = date(); return m -> internalDay(m).isBefore(d); }
                case "ON": { LocalDate d = date(); return m -> internalDay(m).isEqual(d); }
                case "SINCE": { LocalDate d = date(); return m -> !internalDay(m).isBefore(d); }
                case "SAVEDBEFORE": { LocalDate d = date(); return m -> savedDay(m).isBefore(d); }
                case "SAVEDON": { LocalDate d = date(); return m -> savedDay(m).isEqual(d); }
                case "SAVEDSINCE": { LocalDate d = date(); return m -> !savedDay(m).isBefore(d); }
                case "SAVEDATESUPPORTED": return m -> m.folder.saveDates();
                case "SENTBEFORE": { LocalDate d = date(); return m -> { LocalDate s = sentDay(m); return s != null && s.isBefore(d); }; }
                case "SENTON": { LocalDate d = date(); return m -> { LocalDate s = sentDay(m); return s != null && s.isEqual(d); }; }
                case "SENTSINCE": { LocalDate d = date(); return m -> { LocalDate s = sentDay(m); return s != null && !s.isBefore(d); }; }
                case "FROM", "TO", "CC", "BCC", "SUBJECT": {
                    // RFC 5255 §4.3 (I18NLEVEL=1): i;unicode-casemap, the text folded once per command.
                    UnicodeCasemap.Needle s = UnicodeCasemap.Needle.of(string("text"));
                    return m -> m.headerContains(key, s) > 0;
                }
                case "HEADER": {
                    // An empty text matches every message with the field (RFC 9051 §6.4.4).
                    String field = string("header field").toUpperCase(Locale.ROOT);
                    UnicodeCasemap.Needle s = UnicodeCasemap.Needle.of(string("text"));
                    return m -> m.headerContains(field, s) > 0;
                }
                case "BODY": {
                    UnicodeCasemap.Needle s = UnicodeCasemap.Needle.of(string("text"));
                    return m -> {
                        MimeStructure.Entity r = m.root();
                        byte[] c = m.content();
                        return UnicodeCasemap.contains(new String(c, r.bodyStart, r.end - r.bodyStart, StandardCharsets.UTF_8), s);
                    };
                }
                case "TEXT": {
                    UnicodeCasemap.Needle s = UnicodeCasemap.Needle.of(string("text"));
                    return m -> UnicodeCasemap.contains(new String(m.content(), StandardCharsets.UTF_8), s);
                }
                case "NOT": { SearchKey k = key(); return m -> !k.matches(m); }
                case "OR": {
                    SearchKey a = key();
                    SearchKey b = key();
                    return m -> a.matches(m) || b.matches(m);
                }
                case "MODSEQ": {
                    long value = modseqValue();
                    modseq[0] = true;
                    return m -> m.info.modseq() >= value;
                }
                case "UID": {
                    SequenceSet set = sequence(string("UID set"));
                    return m -> set.contains(m.info.uid(), m.maxUid);
                }
                case "$": {
                    // RFC 5182 §2.2 example 3: "$" and "UID $" are the same messages.
                    SequenceSet set = saved;
                    return m -> set.contains(m.info.uid(), m.maxUid);
                }
                default:
                    if (!key.isEmpty() && (ImapNumber.isDigit(key.charAt(0)) || key.charAt(0) == '*')) {
                        SequenceSet set = sequence(key);
                        return m -> set.contains(m.seq, m.maxSeq);
                    }
                    throw errors.bad("Unknown search key " + word);
            }
        }

        /**
         * RFC 7162 §3.1.5: {@code MODSEQ ["/flags/<flag>" priv|shared|all] <mod-sequence-valzer>}. A message has
         * one MODSEQ for all its flags here (as Dovecot), so the optional entry is checked and then not used: a
         * message matches when its MODSEQ is at least the value.
         */
        private long modseqValue() {
            if (!hasNext()) {
                throw errors.bad("MODSEQ needs a mod-sequence");
            }
            if (!(args.get(i) instanceof ImapArg.Atom)) {
                String entry = string("MODSEQ entry name");
                if (!entry.toLowerCase(Locale.ROOT).startsWith("/flags/") || entry.length() == "/flags/".length()) {
                    throw errors.bad("MODSEQ entry name must be \"/flags/<flag>\"");
                }
                String type = string("MODSEQ entry type").toLowerCase(Locale.ROOT);
                if (!type.equals("priv") && !type.equals("shared") && !type.equals("all")) {
                    throw errors.bad("MODSEQ entry type must be priv, shared or all");
                }
                if (!hasNext()) {
                    throw errors.bad("MODSEQ needs a mod-sequence");
                }
            }
            return CondStore.modseq(args.get(i++), errors, true);
        }

        private SequenceSet sequence(String text) {
            SequenceSet set = SequenceSet.parseOrSaved(text, errors.limits().maxSequenceRanges());
            return set.isSaved() ? saved : set;
        }
    }
}
