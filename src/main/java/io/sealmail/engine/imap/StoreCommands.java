package io.sealmail.engine.imap;

import io.sealmail.store.mailbox.MailFolder.MessageInfo;
import io.sealmail.store.mailbox.MailFolder;
import io.sealmail.store.mailbox.MailboxException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Commands that change messages of the selected mailbox: STORE, COPY, MOVE, EXPUNGE, CLOSE, UNSELECT, CHECK, IDLE. */
final class StoreCommands {
    private static final Map<String, String> SYSTEM = Map.of("\\ANSWERED", "\\Answered", "\\FLAGGED", "\\Flagged",
            "\\DELETED", "\\Deleted", "\\SEEN", "\\Seen", "\\DRAFT", "\\Draft");

    private StoreCommands() {
    }

    /** Flags as the store keeps them: system flags in their canonical case, keywords as given. */
    static Set<String> flags(ImapRequest r, List<ImapArg> list) {
        Set<String> out = new LinkedHashSet<>();
        for (ImapArg a : list) {
            if (!(a instanceof ImapArg.Atom atom)) {
                throw r.args().bad("Flags are atoms");
            }
            String f = atom.value();
            if (f.startsWith("\\")) {
                String canonical = SYSTEM.get(f.toUpperCase(Locale.ROOT));
                if (canonical == null) {
                    throw r.args().bad("Cannot set flag " + f);
                }
                out.add(canonical);
            } else {
                // RFC 9051 §9: a keyword is an atom; list-wildcards and resp-specials are not atom characters.
                if (f.contains("[") || f.contains("]") || f.contains("*") || f.contains("%") || f.contains("{")) {
                    throw r.args().bad("Invalid keyword");
                }
                out.add(f);
            }
        }
        return out;
    }

    static boolean isUid(ImapRequest r) {
        return r.name().startsWith("UID ");
    }

    /** Resolves the set; sequence numbers past the end are a BAD (RFC 9051 §6.4.8 does it for UIDs silently). */
    static List<Integer> messages(ImapSession s, ImapRequest r) {
        SequenceSet set = r.args().sequenceSet("sequence set");
        SelectedMailbox box = s.selected();
        if (!isUid(r) && !set.within(box.size())) {
            throw r.args().bad("Invalid message sequence number");
        }
        return box.resolve(set, isUid(r));
    }

    static void store(ImapSession s, ImapRequest r) throws IOException {
        List<Integer> seqs = messages(s, r);
        long unchangedSince = unchangedSince(s, r, r.args().optionalList());
        String op = r.args().atom("store operation").toUpperCase(Locale.ROOT);
        List<ImapArg> list = r.args().optionalList();
        Set<String> flags;
        if (list != null) {
            flags = flags(r, list);
        } else {
            // RFC 9051 §9 store-att-flags: a flag list or at least one flag; "STORE 1 FLAGS" alone is not a request.
            List<ImapArg> bare = new ArrayList<>();
            bare.add(r.args().next("flags"));
            while (r.args().hasNext()) {
                bare.add(r.args().next("flag"));
            }
            flags = flags(r, bare);
        }
        r.args().end();
        boolean silent = op.endsWith(".SILENT");
        String base = silent ? op.substring(0, op.length() - 7) : op;
        MailFolder.FlagChange change = switch (base) {
            case "FLAGS" -> MailFolder.FlagChange.REPLACE;
            case "+FLAGS" -> MailFolder.FlagChange.ADD;
            case "-FLAGS" -> MailFolder.FlagChange.REMOVE;
            default -> throw r.args().bad("Unknown STORE operation " + op);
        };
        SelectedMailbox box = s.selected();
        if (box.readOnly) {
            throw new MailboxException("READ-ONLY", "Mailbox is read-only");
        }
        List<Long> uids = new ArrayList<>();
        for (int seq : seqs) {
            uids.add(box.get(seq).uid());
        }
        Set<Long> modified = new HashSet<>();
        if (!uids.isEmpty()) {
            modified.addAll(box.folder.store(uids, change, flags, unchangedSince));
        }
        List<MessageInfo> now = box.folder.messages();
        boolean condstore = CondStore.on(s);
        List<Long> failed = new ArrayList<>();
        for (int seq : seqs) {
            MessageInfo before = box.get(seq);
            MessageInfo m = byUid(now, before.uid());
            if (m == null) {
                continue;
            }
            if (modified.contains(m.uid())) {
                failed.add(isUid(r) ? m.uid() : (long) seq);
                continue;
            }
            box.update(seq, m);
            for (String line : box.newKeywords(m.flags())) {
                s.untagged(line); // RFC 9051 §7.3.5: a keyword this STORE defined, before the FETCH that shows it
            }
            String uid = isUid(r) ? "UID " + m.uid() + " " : "";
            if (!silent) {
                s.untagged(seq + " FETCH (" + uid + "FLAGS " + SelectedMailbox.flagList(m.flags())
                        + (condstore ? " " + CondStore.item(m) : "") + ")");
            } else if (condstore && m.modseq() != before.modseq()) {
                // RFC 7162 §3.1.3: with CONDSTORE on, .SILENT still reports the new MODSEQ of each message changed.
                s.untagged(seq + " FETCH (" + uid + CondStore.item(m) + ")");
            }
        }
        if (!failed.isEmpty()) {
            // RFC 7162 §3.1.3: the messages left alone because they changed after UNCHANGEDSINCE.
            s.ok(r, "[MODIFIED " + SequenceSet.format(failed) + "] Conditional STORE failed for some messages");
            return;
        }
        s.ok(r, r.name() + " completed");
    }

    /** The message with this UID in a folder's list (ascending UIDs), or null: no map of the whole folder per STORE. */
    static MessageInfo byUid(List<MessageInfo> messages, long uid) {
        int lo = 0;
        int hi = messages.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long at = messages.get(mid).uid();
            if (at < uid) {
                lo = mid + 1;
            } else if (at > uid) {
                hi = mid - 1;
            } else {
                return messages.get(mid);
            }
        }
        return null;
    }

    /** The STORE modifier (UNCHANGEDSINCE n) of RFC 7162 §3.1.3, or -1. */
    private static long unchangedSince(ImapSession s, ImapRequest r, List<ImapArg> modifiers) {
        if (modifiers == null) {
            return -1;
        }
        if (modifiers.size() != 2 || !"UNCHANGEDSINCE".equalsIgnoreCase(ImapArg.stringValue(modifiers.get(0)))) {
            throw r.args().bad("Unknown STORE modifier");
        }
        CondStore.enable(s);
        return CondStore.modseq(modifiers.get(1), r.args(), true);
    }

    static void copy(ImapSession s, ImapRequest r) throws IOException {
        List<Integer> seqs = messages(s, r);
        String target = MailboxName.decode(r.args().astring("mailbox name"), s.utf8());
        r.args().end();
        boolean move = r.name().endsWith("MOVE");
        SelectedMailbox box = s.selected();
        if (move && box.readOnly) {
            throw new MailboxException("READ-ONLY", "Mailbox is read-only");
        }
        List<Long> uids = new ArrayList<>();
        for (int seq : seqs) {
            uids.add(box.get(seq).uid());
        }
        if (uids.isEmpty()) {
            s.ok(r, r.name() + " completed; nothing to do");
            return;
        }
        MailFolder.CopyResult result = move ? box.folder.move(uids, target) : box.folder.copy(uids, target);
        String copyUid = "COPYUID " + result.targetUidValidity() + " " + SequenceSet.formatInOrder(result.sourceUids())
                + " " + SequenceSet.formatInOrder(result.targetUids());
        if (move) {
            // RFC 6851 §4.3: COPYUID goes in an untagged OK before the EXPUNGEs.
            s.untagged("OK [" + copyUid + "] Moved");
            s.ok(r, r.name() + " completed");
        } else {
            s.ok(r, "[" + copyUid + "] " + r.name() + " completed");
        }
    }

    static void expunge(ImapSession s, ImapRequest r) throws IOException {
        SelectedMailbox box = s.selected();
        SequenceSet only = isUid(r) ? r.args().sequenceSet("UID set") : null;
        if (only != null && only.isSaved()) {
            only = box.saved();
        }
        r.args().end();
        if (box.readOnly) {
            throw new MailboxException("READ-ONLY", "Mailbox is read-only");
        }
        expungeDeleted(box, only);
        s.ok(r, r.name() + " completed");
    }

    /** Removes messages flagged \Deleted (limited to {@code only} for UID EXPUNGE, RFC 4315 §2.1). */
    private static void expungeDeleted(SelectedMailbox box, SequenceSet only) throws IOException {
        List<Long> doomed = new ArrayList<>();
        List<MessageInfo> current = box.folder.messages();
        long max = current.isEmpty() ? 0 : current.get(current.size() - 1).uid();
        for (MessageInfo m : current) {
            if (m.flags().contains("\\Deleted") && (only == null || only.contains(m.uid(), max))) {
                doomed.add(m.uid());
            }
        }
        if (!doomed.isEmpty()) {
            box.folder.expunge(doomed);
        }
    }

    /** CLOSE expunges silently (RFC 9051 §6.4.1); UNSELECT does not (RFC 3691). */
    static void close(ImapSession s, ImapRequest r) throws IOException {
        r.args().end();
        SelectedMailbox box = s.selected();
        if (r.name().equals("CLOSE") && !box.readOnly) {
            expungeDeleted(box, null);
        }
        s.deselect();
        s.write(r.tag() + " OK " + r.name() + " completed\r\n");
    }

    static void idle(ImapSession s, ImapRequest r) throws IOException {
        r.args().end();
        s.write("+ idling\r\n");
        // Idle first, then report: a change landing in between is pushed by the listener, never lost.
        s.startIdle(r.tag());
        s.reportUpdates();
    }
}
