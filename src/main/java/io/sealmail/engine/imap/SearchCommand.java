package io.sealmail.engine.imap;

import io.sealmail.store.mailbox.MailboxException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * SEARCH and UID SEARCH (RFC 9051 §6.4.4): the RFC 3501 SEARCH response, or with {@code RETURN (...)} the ESEARCH
 * response of RFC 4731 (MIN, MAX, ALL, COUNT) and RFC 5267 §4.4 (PARTIAL); {@code SAVE} keeps the result for
 * {@code $} (RFC 5182 SEARCHRES). The options are {@link ReturnOptions}.
 */
final class SearchCommand {

    private SearchCommand() {
    }

    static void search(ImapSession s, ImapRequest r) throws IOException {
        List<ImapArg> rest = new ArrayList<>();
        while (r.args().hasNext()) {
            rest.add(r.args().next("search key"));
        }
        ReturnOptions returns = null;
        if (!rest.isEmpty() && rest.get(0) instanceof ImapArg.Atom a && a.upper().equals("RETURN")) {
            if (rest.size() < 2 || !(rest.get(1) instanceof ImapArg.ListArg options)) {
                throw r.args().bad("RETURN needs a list of options");
            }
            returns = ReturnOptions.parse(options, r);
            rest = rest.subList(2, rest.size());
        }
        if (!rest.isEmpty() && rest.get(0) instanceof ImapArg.Atom a && a.upper().equals("CHARSET")) {
            if (rest.size() < 2) {
                throw r.args().bad("Missing charset");
            }
            String charset = String.valueOf(ImapArg.stringValue(rest.get(1))).toUpperCase(Locale.ROOT);
            if (!charset.equals("US-ASCII") && !charset.equals("UTF-8")) {
                if (returns != null && returns.has("SAVE")) {
                    s.selected().save(List.of()); // RFC 5182 §2.1: a SAVE answered NO leaves $ empty
                }
                s.no(r, "[BADCHARSET (US-ASCII UTF-8)] Unsupported charset");
                return;
            }
            rest = rest.subList(2, rest.size());
        }
        SelectedMailbox box = s.selected();
        boolean save = returns != null && returns.has("SAVE");
        SearchKey.Criteria criteria = SearchKey.criteria(rest, r.args(), box.saved());
        SearchKey key = criteria.key();
        if (criteria.modseq()) {
            CondStore.enable(s); // RFC 7162 §3.1: SEARCH MODSEQ is a CONDSTORE-enabling command
        }
        long highest = 0;
        boolean uid = StoreCommands.isUid(r);
        List<Long> found = new ArrayList<>();
        if (save) {
            box.save(List.of()); // until the result is known: a search that fails now answers NO, which empties $
        }
        for (int seq = 1; seq <= box.size(); seq++) {
            SearchKey.Candidate c = new SearchKey.Candidate(seq, box.get(seq), box.size(), box.maxUid(), box.folder);
            boolean match;
            try {
                match = key.matches(c);
            } catch (MailboxException gone) {
                match = false;
            }
            if (match) {
                found.add(uid ? box.get(seq).uid() : seq);
                highest = Math.max(highest, box.get(seq).modseq());
            }
        }
        // RFC 7162 §3.1.5: the highest MODSEQ of the messages returned; none for an empty result.
        String modseq = criteria.modseq() && highest > 0 ? "MODSEQ " + highest : null;
        if (save) {
            box.save(saved(returns, found, uid ? null : box));
        }
        if (returns == null && s.rev2()) {
            // RFC 9051 §6.4.4: IMAP4rev2 answers ESEARCH; no result options mean ALL.
            s.untagged(esearchResponse(r.tag(), uid, new ReturnOptions(Set.of("ALL"), 0, 0), found, modseq));
        } else if (returns == null) {
            s.untagged(searchResponse(found, modseq));
        } else if (!returns.saveOnly()) {
            // RFC 5182 §1: SAVE alone suppresses the ESEARCH response.
            s.untagged(esearchResponse(r.tag(), uid, returns, found, modseq));
        }
        s.ok(r, r.name() + " completed" + (save ? ", result saved" : ""));
    }

    /**
     * What {@code $} keeps ({@link ReturnOptions#kept}), as UIDs. {@code found} holds sequence numbers when
     * {@code box} is given, else UIDs; for a SORT it is in sort order, so MIN and MAX are its ends.
     */
    static List<Long> saved(ReturnOptions returns, List<Long> found, SelectedMailbox box) {
        List<Long> kept = returns.kept(found);
        if (box == null) {
            return kept;
        }
        List<Long> uids = new ArrayList<>(kept.size());
        for (long seq : kept) {
            uids.add(box.get((int) seq).uid());
        }
        return uids;
    }

    private static String searchResponse(List<Long> found, String modseq) {
        StringBuilder out = new StringBuilder("SEARCH");
        for (long n : found) {
            out.append(' ').append(n);
        }
        if (modseq != null) {
            out.append(" (").append(modseq).append(')');
        }
        return out.toString();
    }

    /**
     * {@code ESEARCH (TAG "t") [UID] MIN n MAX n ALL set COUNT n [MODSEQ m]}, PARTIAL in the place of ALL as
     * {@code PARTIAL (m:n set)}; with no match only COUNT and {@code PARTIAL (m:n NIL)} (RFC 4731 §3.1: MIN, MAX and
     * ALL are left out; RFC 5267 §4.4), in Dovecot's order.
     */
    static String esearchResponse(String tag, boolean uid, ReturnOptions returns, List<Long> found, String modseq) {
        StringBuilder out = new StringBuilder("ESEARCH (TAG \"").append(tag).append("\")");
        if (uid) {
            out.append(" UID");
        }
        if (!found.isEmpty()) {
            if (returns.has("MIN")) {
                out.append(" MIN ").append(found.get(0));
            }
            if (returns.has("MAX")) {
                out.append(" MAX ").append(found.get(found.size() - 1));
            }
            if (returns.has("ALL")) {
                out.append(" ALL ").append(sequenceSet(found));
            }
        }
        if (returns.partial()) {
            List<Long> window = returns.window(found);
            out.append(" PARTIAL (").append(returns.range()).append(' ')
                    .append(window.isEmpty() ? "NIL" : sequenceSet(window)).append(')');
        }
        if (returns.has("COUNT")) {
            out.append(" COUNT ").append(found.size());
        }
        if (modseq != null && !found.isEmpty()) {
            out.append(' ').append(modseq);
        }
        return out.toString();
    }

    /** Ascending numbers as the shortest sequence set: 1,2,3,5 is {@code 1:3,5}. */
    static String sequenceSet(List<Long> ascending) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < ascending.size()) {
            int j = i;
            while (j + 1 < ascending.size() && ascending.get(j + 1) == ascending.get(j) + 1) {
                j++;
            }
            if (out.length() > 0) {
                out.append(',');
            }
            out.append(ascending.get(i));
            if (j > i) {
                out.append(':').append(ascending.get(j));
            }
            i = j + 1;
        }
        return out.toString();
    }
}
