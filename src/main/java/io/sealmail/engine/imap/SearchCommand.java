package io.sealmail.engine.imap;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** SEARCH and UID SEARCH (RFC 9051 §6.4.4), answered with the RFC 3501 SEARCH response. */
final class SearchCommand {
    private SearchCommand() {
    }

    static void search(ImapSession s, ImapRequest r) throws IOException {
        List<ImapArg> rest = new ArrayList<>();
        while (r.args().hasNext()) {
            rest.add(r.args().next("search key"));
        }
        if (!rest.isEmpty() && rest.get(0) instanceof ImapArg.Atom a && a.upper().equals("RETURN")) {
            throw r.args().bad("ESEARCH is not supported");
        }
        if (!rest.isEmpty() && rest.get(0) instanceof ImapArg.Atom a && a.upper().equals("CHARSET")) {
            if (rest.size() < 2) {
                throw r.args().bad("Missing charset");
            }
            String charset = String.valueOf(ImapArg.stringValue(rest.get(1))).toUpperCase(Locale.ROOT);
            if (!charset.equals("US-ASCII") && !charset.equals("UTF-8")) {
                s.no(r, "[BADCHARSET (US-ASCII UTF-8)] Unsupported charset");
                return;
            }
            rest = rest.subList(2, rest.size());
        }
        SearchKey.Criteria criteria = SearchKey.criteria(rest, r.args());
        SearchKey key = criteria.key();
        if (criteria.modseq()) {
            CondStore.enable(s); // RFC 7162 §3.1: SEARCH MODSEQ is a CONDSTORE-enabling command
        }
        long highest = 0;
        SelectedMailbox box = s.selected();
        boolean uid = StoreCommands.isUid(r);
        StringBuilder out = new StringBuilder("SEARCH");
        for (int seq = 1; seq <= box.size(); seq++) {
            SearchKey.Candidate c = new SearchKey.Candidate(seq, box.get(seq), box.size(), box.maxUid(), box.folder);
            boolean match;
            try {
                match = key.matches(c);
            } catch (MailboxException gone) {
                match = false;
            }
            if (match) {
                out.append(' ').append(uid ? box.get(seq).uid() : seq);
                highest = Math.max(highest, box.get(seq).modseq());
            }
        }
        if (criteria.modseq() && highest > 0) {
            // RFC 7162 §3.1.5: the highest MODSEQ of the messages returned; none for an empty result.
            out.append(" (MODSEQ ").append(highest).append(')');
        }
        s.untagged(out.toString());
        s.ok(r, r.name() + " completed");
    }
}
