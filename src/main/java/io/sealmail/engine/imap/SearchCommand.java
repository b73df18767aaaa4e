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
        SearchKey key = SearchKey.parse(rest, r.args());
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
            }
        }
        s.untagged(out.toString());
        s.ok(r, r.name() + " completed");
    }
}
