package io.sealmail.engine.imap;

import java.io.IOException;
import java.util.List;
import java.util.Locale;

/**
 * THREAD and UID THREAD (RFC 5256 §4) with ORDEREDSUBJECT (§2.2), REFERENCES (§2.3) and REFS
 * (draft-ietf-morg-inthread, as Dovecot 2.3) over the messages the search criteria match. The keys (sent date, base
 * subject, Message-ID, References, In-Reply-To) come from the cached header fields, as for SORT.
 */
final class ThreadCommand {
    private ThreadCommand() {
    }

    static void thread(ImapSession s, ImapRequest r) throws IOException {
        String algorithm = r.args().atom("thread algorithm").toUpperCase(Locale.ROOT);
        if (!algorithm.equals("ORDEREDSUBJECT") && !algorithm.equals("REFERENCES") && !algorithm.equals("REFS")) {
            throw r.args().bad("Unknown thread algorithm " + algorithm + " (ORDEREDSUBJECT, REFERENCES, REFS)");
        }
        SortCommand.Selection found = SortCommand.Selection.of(s, r);
        if (found == null) {
            return;
        }
        List<SortMessage> messages = found.messages();
        List<ThreadTree.Node> threads = switch (algorithm) {
            case "REFERENCES" -> ThreadTree.references(messages, s.selected().sortKeys);
            case "REFS" -> ThreadTree.refs(messages, s.selected().sortKeys);
            default -> ThreadTree.orderedSubject(messages);
        };
        StringBuilder out = new StringBuilder(16 + 10 * messages.size()).append("THREAD");
        if (!threads.isEmpty()) {
            out.append(' ');
        }
        ThreadTree.write(threads, StoreCommands.isUid(r), out);
        s.untagged(out.toString());
        s.ok(r, r.name() + " completed");
    }
}
