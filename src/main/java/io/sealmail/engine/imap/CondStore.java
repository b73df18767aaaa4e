package io.sealmail.engine.imap;

import io.sealmail.store.mailbox.MailFolder.MessageInfo;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * CONDSTORE and QRESYNC (RFC 7162): the parts the commands share. A session turns CONDSTORE on with ENABLE or
 * with any CONDSTORE-enabling command (SELECT (CONDSTORE), FETCH MODSEQ or CHANGEDSINCE, STORE UNCHANGEDSINCE,
 * STATUS HIGHESTMODSEQ: §3.1); from then on unsolicited FETCH responses carry MODSEQ. ENABLE QRESYNC also turns
 * EXPUNGE responses into VANISHED (§3.2.10).
 */
final class CondStore {
    static final String CONDSTORE = "CONDSTORE";
    static final String QRESYNC = "QRESYNC";

    private CondStore() {
    }

    static boolean on(ImapSession s) {
        return s.enabled().contains(CONDSTORE);
    }

    static boolean qresync(ImapSession s) {
        return s.enabled().contains(QRESYNC);
    }

    /** A CONDSTORE-enabling command was used (RFC 7162 §3.1). */
    static void enable(ImapSession s) {
        s.enabled().add(CONDSTORE);
    }

    /** RFC 7162 mod-sequence-value (1 to 2^63-1) or, with {@code zero}, mod-sequence-valzer (0 too). */
    static long modseq(ImapArg arg, ImapArgs args, boolean zero) {
        String text = arg instanceof ImapArg.Atom a ? a.value() : null;
        long value = ImapNumber.parse(text, ImapNumber.MAX_NUMBER64);
        if (value < 0 || value == 0 && !zero) {
            throw args.bad("Invalid mod-sequence value");
        }
        return value;
    }

    /** {@code MODSEQ (n)}, the FETCH data item (RFC 7162 §3.1.4.1). */
    static String item(MessageInfo m) {
        return "MODSEQ (" + m.modseq() + ")";
    }

    /** FETCH modifiers (RFC 7162 §3.1.4.1, §3.2.6): CHANGEDSINCE n [VANISHED]. */
    record FetchModifiers(long changedSince, boolean vanished) {
        static final FetchModifiers NONE = new FetchModifiers(-1, false);

        static FetchModifiers parse(ImapSession s, ImapRequest r, List<ImapArg> list) {
            if (list == null) {
                return NONE;
            }
            long changedSince = -1;
            boolean vanished = false;
            for (int i = 0; i < list.size(); i++) {
                String name = String.valueOf(ImapArg.stringValue(list.get(i))).toUpperCase(Locale.ROOT);
                switch (name) {
                    case "CHANGEDSINCE" -> {
                        if (i + 1 >= list.size()) {
                            throw r.args().bad("CHANGEDSINCE needs a mod-sequence");
                        }
                        changedSince = modseq(list.get(++i), r.args(), true);
                    }
                    case "VANISHED" -> vanished = true;
                    default -> throw r.args().bad("Unknown FETCH modifier " + name);
                }
            }
            if (vanished && (!StoreCommands.isUid(r) || changedSince < 0 || !qresync(s))) {
                // RFC 7162 §3.2.6: only with UID FETCH, CHANGEDSINCE, and QRESYNC enabled.
                throw r.args().bad("VANISHED needs UID FETCH, CHANGEDSINCE and ENABLE QRESYNC");
            }
            if (changedSince >= 0) {
                enable(s);
            }
            return new FetchModifiers(changedSince, vanished);
        }
    }

    /**
     * UIDs of {@code requested} that were expunged after {@code modseq}: from the store's history, or, where that
     * does not reach back so far, every UID below UIDNEXT that is not in the mailbox (RFC 7162 §3.2.5.1 allows
     * reporting UIDs the client never saw).
     */
    static List<Long> vanished(SelectedMailbox box, long modseq, SequenceSet requested) throws IOException {
        List<Long> history = box.folder.expungedSince(modseq);
        long uidNext = box.folder.uidNext();
        List<Long> out = new ArrayList<>();
        if (history != null) {
            for (long uid : history) {
                if (requested == null || requested.contains(uid, uidNext - 1)) {
                    out.add(uid);
                }
            }
            return out;
        }
        Set<Long> present = new HashSet<>();
        for (MessageInfo m : box.folder.messages()) {
            present.add(m.uid());
        }
        SequenceSet set = requested == null ? SequenceSet.of(1, SequenceSet.STAR) : requested;
        for (long[] range : set.ranges(uidNext - 1)) {
            for (long uid = range[0]; uid <= Math.min(range[1], uidNext - 1); uid++) {
                if (!present.contains(uid)) {
                    out.add(uid);
                }
            }
        }
        return out;
    }

    /** SELECT's QRESYNC parameters (RFC 7162 §3.2.5), checked before anything is selected. */
    record Resync(long uidValidity, long modseq, SequenceSet known) {
        static Resync parse(List<ImapArg> params, ImapRequest r) {
            if (params.size() < 2 || params.size() > 4) {
                throw r.args().bad("QRESYNC needs (uidvalidity modseq [known-uids [seq-match]])");
            }
            long validity = ImapNumber.parse(ImapArg.stringValue(params.get(0)), ImapNumber.MAX_NUMBER);
            if (validity <= 0) {
                throw r.args().bad("Invalid UIDVALIDITY");
            }
            long modseq = CondStore.modseq(params.get(1), r.args(), false);
            SequenceSet known = params.size() >= 3 ? knownSet(params.get(2), "known UIDs", r) : null;
            if (params.size() == 4) {
                // seq-match-data = "(" known-sequence-set SP known-uid-set ")", each without "*", pairing message
                // numbers with UIDs one for one (RFC 7162 §3.2.5.2, §7). Checked, then not needed: the expunge
                // history answers what it would.
                if (!(params.get(3) instanceof ImapArg.ListArg match) || match.items().size() != 2) {
                    throw r.args().bad("QRESYNC seq-match-data needs (known-sequence-set known-uid-set)");
                }
                long numbers = count(knownSet(match.items().get(0), "known sequence set", r));
                long uids = count(knownSet(match.items().get(1), "known UID set", r));
                if (numbers != uids) {
                    throw r.args().bad("QRESYNC seq-match-data pairs " + numbers + " message numbers with " + uids + " UIDs");
                }
            }
            return new Resync(validity, modseq, known);
        }

        /** A sequence set of known numbers: RFC 7162 §7 allows no {@code *} in it. */
        private static SequenceSet knownSet(ImapArg arg, String what, ImapRequest r) {
            String text = arg instanceof ImapArg.ListArg ? null : ImapArg.stringValue(arg);
            if (text == null || text.indexOf('*') >= 0) {
                throw r.args().bad("Invalid " + what + (text != null ? ": * is not allowed here" : ""));
            }
            return SequenceSet.parse(text, r.args().limits().maxSequenceRanges());
        }

        /** How many numbers a set names, a number repeated counting again (sets of known numbers have no *). */
        private static long count(SequenceSet set) {
            long n = 0;
            for (long[] range : set.ranges(Long.MAX_VALUE)) {
                n += range[1] - range[0] + 1;
            }
            return n;
        }
    }

    /** The untagged SELECT responses for QRESYNC (RFC 7162 §3.2.5): VANISHED (EARLIER), then changed flags. */
    static void resync(ImapSession s, SelectedMailbox box, Resync q) throws IOException {
        if (q.uidValidity() != box.folder.uidValidity()) {
            return; // §3.2.5.1: a different UIDVALIDITY means a full resync; nothing more to say
        }
        List<Long> gone = vanished(box, q.modseq(), q.known());
        if (!gone.isEmpty()) {
            s.untagged("VANISHED (EARLIER) " + SequenceSet.format(gone));
        }
        List<MessageInfo> view = box.view();
        for (int i = 0; i < view.size(); i++) {
            MessageInfo m = view.get(i);
            if (m.modseq() > q.modseq() && (q.known() == null || q.known().contains(m.uid(), Long.MAX_VALUE - 1))) {
                s.untagged((i + 1) + " FETCH (UID " + m.uid() + " FLAGS " + SelectedMailbox.flagList(m.flags()) + " "
                        + item(m) + ")");
            }
        }
    }
}
