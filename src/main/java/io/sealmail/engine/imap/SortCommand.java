package io.sealmail.engine.imap;

import io.sealmail.store.mailbox.MailboxException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * SORT and UID SORT (RFC 5256 §3, with SORT=DISPLAY of RFC 5957): the messages the search criteria match, in the
 * order of the sort criteria, ties broken by sequence number (§2.2). Keys come from the index (ARRIVAL, SIZE) and
 * from the cached header fields (everything else): see {@link SortMessage}. With {@code RETURN (...)} (RFC 5267 ESORT)
 * the answer is an ESEARCH response whose MIN and MAX are the first and last in sort order and whose ALL keeps that
 * order (ranges only for ascending runs, §3.2), as Dovecot answers; {@code SAVE} keeps the result for {@code $}
 * (RFC 5182).
 */
final class SortCommand {
    private SortCommand() {
    }

    static void sort(ImapSession s, ImapRequest r) throws IOException {
        ReturnOptions returns = null;
        if (r.args().peek() instanceof ImapArg.Atom a && a.upper().equals("RETURN")) {
            r.args().next("RETURN");
            if (!(r.args().peek() instanceof ImapArg.ListArg options)) {
                throw r.args().bad("RETURN needs a list of options");
            }
            r.args().next("return options");
            returns = ReturnOptions.parse(options, r);
        }
        boolean save = returns != null && returns.has("SAVE");
        List<Criterion> program = program(r.args().list("sort criteria"), r.args());
        Selection found = Selection.of(s, r, save);
        if (found == null) {
            return;
        }
        List<SortMessage> messages = found.messages();
        // Each key is read once per message (from the cache), not once per comparison.
        for (SortMessage m : messages) {
            m.keys = new Comparable<?>[program.size()];
            for (int i = 0; i < program.size(); i++) {
                Comparable<?> key = program.get(i).key().of(m);
                // RFC 5255 §4.4: string keys (already folded) compare as i;unicode-casemap, by code point.
                m.keys[i] = key instanceof String folded ? UnicodeCasemap.Key.of(folded) : key;
            }
        }
        messages.sort((a, b) -> compare(program, a, b));
        boolean uid = StoreCommands.isUid(r);
        if (returns != null) {
            List<Long> numbers = new ArrayList<>(messages.size());
            List<Long> uids = new ArrayList<>(messages.size());
            for (SortMessage m : messages) {
                numbers.add(uid ? m.info.uid() : m.seq);
                uids.add(m.info.uid());
            }
            if (save) {
                s.selected().save(SearchCommand.saved(returns, uids, null));
            }
            if (!returns.saveOnly()) {
                String modseq = found.modseq() && found.highestModseq() > 0 ? "MODSEQ " + found.highestModseq() : null;
                s.untagged(SearchCommand.esearchResponse(r.tag(), uid, returns, numbers, modseq));
            }
            s.ok(r, r.name() + " completed" + (save ? ", result saved" : ""));
            return;
        }
        StringBuilder out = new StringBuilder(16 + 8 * messages.size()).append("SORT");
        for (SortMessage m : messages) {
            out.append(' ').append(uid ? m.info.uid() : m.seq);
        }
        found.appendModseq(out);
        s.untagged(out.toString());
        s.ok(r, r.name() + " completed");
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int compare(List<Criterion> program, SortMessage a, SortMessage b) {
        for (int i = 0; i < program.size(); i++) {
            int c = ((Comparable) a.keys[i]).compareTo(b.keys[i]);
            if (c != 0) {
                return program.get(i).reverse() ? -c : c;
            }
        }
        return Integer.compare(a.seq, b.seq); // RFC 5256 §3: ties by sequence number, REVERSE or not
    }

    /** What a sort key reads from one message. */
    interface Key {
        Comparable<?> of(SortMessage m) throws IOException;
    }

    record Criterion(Key key, boolean reverse) {
    }

    /** The sort program: {@code [REVERSE] key} pairs, the first deciding first (RFC 5256 §3). */
    static List<Criterion> program(List<ImapArg> items, ImapArgs errors) {
        if (items.isEmpty()) {
            throw errors.bad("Empty sort criteria");
        }
        List<Criterion> program = new ArrayList<>();
        boolean reverse = false;
        for (ImapArg arg : items) {
            if (!(arg instanceof ImapArg.Atom a)) {
                throw errors.bad("Expected a sort key");
            }
            String name = a.upper();
            if (name.equals("REVERSE")) {
                if (reverse) {
                    throw errors.bad("REVERSE REVERSE");
                }
                reverse = true;
                continue;
            }
            Key key = switch (name) {
                case "ARRIVAL" -> m -> m.info.internalDate();
                case "DATE" -> SortMessage::sentDate;
                case "SIZE" -> m -> m.info.size();
                case "SUBJECT" -> m -> m.subject().key();
                case "FROM" -> m -> m.mailbox("FROM");
                case "TO" -> m -> m.mailbox("TO");
                case "CC" -> m -> m.mailbox("CC");
                case "DISPLAYFROM" -> m -> m.displayName("FROM");
                case "DISPLAYTO" -> m -> m.displayName("TO");
                default -> throw errors.bad("Unknown sort key " + a.value());
            };
            program.add(new Criterion(key, reverse));
            reverse = false;
        }
        if (reverse) {
            throw errors.bad("REVERSE must be followed by a sort key");
        }
        return program;
    }

    /**
     * The charset and search criteria that follow the sort or thread program, and the messages they match. SORT
     * and THREAD require the charset (RFC 5256 §3); US-ASCII and UTF-8 are the ones known, as for SEARCH.
     */
    record Selection(List<SortMessage> messages, boolean modseq, long highestModseq) {

        /** The matching messages in sequence order; null when a NO was answered (unknown charset). */
        static Selection of(ImapSession s, ImapRequest r) throws IOException {
            return of(s, r, false);
        }

        /** @param save the command saves its result (RFC 5182): a NO empties {@code $} */
        static Selection of(ImapSession s, ImapRequest r, boolean save) throws IOException {
            String charset = r.args().astring("charset").toUpperCase(Locale.ROOT);
            List<ImapArg> rest = new ArrayList<>();
            while (r.args().hasNext()) {
                rest.add(r.args().next("search key"));
            }
            if (rest.isEmpty()) {
                throw r.args().bad("Missing search criteria");
            }
            SearchKey.Criteria criteria = SearchKey.criteria(rest, r.args(), s.selected().saved());
            if (save) {
                s.selected().save(List.of()); // RFC 5182 §2.1: until the result is known; a NO leaves $ empty
            }
            if (!charset.equals("US-ASCII") && !charset.equals("UTF-8")) {
                s.no(r, "[BADCHARSET (US-ASCII UTF-8)] Unsupported charset");
                return null;
            }
            if (criteria.modseq()) {
                CondStore.enable(s); // RFC 7162 §3.1: SORT/THREAD with MODSEQ enable CONDSTORE, as SEARCH does
            }
            SelectedMailbox box = s.selected();
            SortKeys.Entry[] memo = box.sortKeys.align(box.view());
            List<SortMessage> found = new ArrayList<>();
            long highest = 0;
            for (int seq = 1; seq <= box.size(); seq++) {
                SearchKey.Candidate c = new SearchKey.Candidate(seq, box.get(seq), box.size(), box.maxUid(), box.folder);
                boolean match;
                try {
                    match = criteria.key().matches(c);
                } catch (MailboxException gone) {
                    match = false;
                }
                if (match) {
                    found.add(new SortMessage(seq, box.get(seq), box.folder, memo[seq - 1], box.sortKeys));
                    highest = Math.max(highest, box.get(seq).modseq());
                }
            }
            return new Selection(found, criteria.modseq(), highest);
        }

        /** RFC 7162 §3.1.5: after a MODSEQ search, the highest MODSEQ of the messages returned (none if empty). */
        void appendModseq(StringBuilder out) {
            if (modseq && highestModseq > 0) {
                out.append(" (MODSEQ ").append(highestModseq).append(')');
            }
        }
    }
}
