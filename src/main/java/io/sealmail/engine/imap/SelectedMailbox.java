package io.sealmail.engine.imap;

import io.sealmail.store.mailbox.MailFolder.MessageInfo;
import io.sealmail.store.mailbox.MailFolder;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The selected folder as this session's client knows it: message sequence numbers are positions in {@link #view}.
 * The folder's real state may have moved on (other sessions, delivery); {@link #sync} brings the client up to date
 * with EXISTS, EXPUNGE and FETCH FLAGS responses (RFC 9051 §7.3.1, §7.5.1, §7.5.2).
 */
final class SelectedMailbox implements AutoCloseable {
    final MailFolder folder;
    final boolean readOnly;
    /**
     * Shared with the folder's own (immutable) list while the client knows exactly that state, copied on the first
     * change only: an idle session on a 10,000-message folder holds no copy of it.
     */
    private List<MessageInfo> view;
    private boolean viewOwned;
    private final AutoCloseable subscription;
    volatile boolean changed;
    /** The folder's list at the last sync: a store that returns the same instance until a change costs nothing here. */
    private List<MessageInfo> lastSynced;
    /** Vanished messages were kept in the view because EXPUNGE could not be reported then. */
    private boolean expungesDeferred;
    /** RFC 7162: unsolicited FETCH carries MODSEQ (CONDSTORE), expunges are told as VANISHED (QRESYNC). */
    boolean condstore;
    boolean qresync;
    /** The SORT and THREAD keys read so far, by any session of the folder (see {@link SortKeys}). */
    final SortKeys sortKeys;
    /**
     * RFC 5182 SEARCHRES: the messages of the last {@code RETURN (SAVE)}, as UIDs, so that {@code $} means the same
     * messages in FETCH and UID FETCH and an expunged message simply drops out (UIDs are never reused). Empty for a
     * newly selected mailbox (§2.1).
     */
    private SequenceSet saved = SequenceSet.ofAscending(List.of());

    SelectedMailbox(MailFolder folder, boolean readOnly, Runnable onChange) throws IOException {
        this.folder = folder;
        this.readOnly = readOnly;
        this.subscription = folder.onChange(() -> {
            changed = true;
            onChange.run();
        });
        this.lastSynced = folder.messages();
        this.view = lastSynced;
        this.sortKeys = new SortKeys(SortKeys.Shared.of(folder, lastSynced.size()));
    }

    List<MessageInfo> view() {
        return view;
    }

    private List<MessageInfo> mutableView() {
        if (!viewOwned) {
            view = new ArrayList<>(view);
            viewOwned = true;
        }
        return view;
    }

    int size() {
        return view.size();
    }

    long maxUid() {
        return view.isEmpty() ? 0 : view.get(view.size() - 1).uid();
    }

    /** Sequence number (1-based) of a UID in the view, or 0. */
    int seqOf(long uid) {
        int lo = 0;
        int hi = view.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long u = view.get(mid).uid();
            if (u == uid) {
                return mid + 1;
            }
            if (u < uid) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return 0;
    }

    /** The saved search result ({@code $}) as a UID set. */
    SequenceSet saved() {
        return saved;
    }

    /** Saves a search result: the UIDs of these messages, in any order. */
    void save(List<Long> uids) {
        List<Long> sorted = new ArrayList<>(uids);
        sorted.sort(null);
        saved = SequenceSet.ofAscending(sorted);
    }

    /** Messages of a sequence set (by number or by UID; {@code $} is the saved result), in ascending order. */
    List<Integer> resolve(SequenceSet set, boolean uid) {
        if (set.isSaved()) {
            return resolve(saved, true);
        }
        // Range by range, not message by message: one FETCH of one message in a 10,000-message folder must not
        // test 10,000 numbers against the set.
        List<Integer> seqs = new ArrayList<>();
        if (view.isEmpty()) {
            return seqs;
        }
        BitSet hits = new BitSet(view.size());
        for (long[] range : set.ranges(uid ? maxUid() : view.size())) {
            int from = uid ? indexOfUidAtLeast(range[0]) : (int) Math.min(range[0] - 1, view.size());
            int to = uid ? indexOfUidAtLeast(range[1] + 1) : (int) Math.min(range[1], view.size());
            if (from < to) {
                hits.set(from, to);
            }
        }
        for (int i = hits.nextSetBit(0); i >= 0; i = hits.nextSetBit(i + 1)) {
            seqs.add(i + 1);
        }
        return seqs;
    }

    /** Index in the view (ascending UIDs) of the first message whose UID is at least {@code uid}; size() if none. */
    private int indexOfUidAtLeast(long uid) {
        int lo = 0;
        int hi = view.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (view.get(mid).uid() < uid) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    MessageInfo get(int seq) {
        return view.get(seq - 1);
    }

    /** Keywords the client was told are defined here (RFC 9051 §7.3.5 FLAGS), in order. */
    private final java.util.TreeSet<String> keywords = new java.util.TreeSet<>();

    /**
     * SELECT's FLAGS and PERMANENTFLAGS: the system flags and every keyword a message of the folder carries (as
     * Dovecot lists them; clients build their tag lists from it), and {@code \*} where new ones may be made.
     */
    List<String> flagResponses() throws IOException {
        for (Set<String> flags : folder.flagSets()) {
            addKeywords(flags);
        }
        return flagLines();
    }

    /** FLAGS and PERMANENTFLAGS again when {@code flags} holds a keyword the client was not told of; else none. */
    List<String> newKeywords(Set<String> flags) {
        return addKeywords(flags) ? flagLines() : List.of();
    }

    private boolean addKeywords(Set<String> flags) {
        boolean grew = false;
        for (String f : flags) {
            if (!f.startsWith("\\")) {
                grew |= keywords.add(f);
            }
        }
        return grew;
    }

    private List<String> flagLines() {
        String all = MailboxCommands.SYSTEM_FLAGS + (keywords.isEmpty() ? "" : " " + String.join(" ", keywords));
        return List.of("FLAGS (" + all + ")", "OK [PERMANENTFLAGS (" + (readOnly ? "" : all + " \\*") + ")] Flags permitted");
    }

    /** Replaces what the client knows of a message (its flags and MODSEQ, after its own STORE). */
    void update(int seq, MessageInfo now) {
        mutableView().set(seq - 1, now);
    }

    /**
     * Brings the view up to date and returns the untagged responses that tell the client. When expunges may not
     * be reported (during FETCH, STORE, SEARCH by sequence number: RFC 9051 §7.5.1), vanished messages stay in
     * the view for now.
     */
    List<String> sync(boolean reportExpunges) throws IOException {
        changed = false;
        List<MessageInfo> current = folder.messages();
        if (current == lastSynced && !viewOwned && !expungesDeferred) {
            return List.of();
        }
        lastSynced = current;
        Map<Long, MessageInfo> byUid = new HashMap<>();
        for (MessageInfo m : current) {
            byUid.put(m.uid(), m);
        }
        List<String> out = new ArrayList<>();
        if (reportExpunges) {
            List<MessageInfo> kept = new ArrayList<>(view.size());
            List<String> expunged = new ArrayList<>();
            List<Long> vanished = new ArrayList<>();
            for (int i = 0; i < view.size(); i++) {
                if (byUid.containsKey(view.get(i).uid())) {
                    kept.add(view.get(i));
                } else {
                    // RFC 9051 §7.5.1: each EXPUNGE renumbers the later messages, so report highest first.
                    expunged.add(0, (i + 1) + " EXPUNGE");
                    vanished.add(view.get(i).uid());
                }
            }
            if (!expunged.isEmpty()) {
                view = kept;
                viewOwned = true;
                if (qresync) {
                    // RFC 7162 §3.2.10: once QRESYNC is enabled, VANISHED replaces EXPUNGE.
                    out.add("VANISHED " + SequenceSet.format(vanished));
                } else {
                    out.addAll(expunged);
                }
            }
            expungesDeferred = false;
        } else {
            for (MessageInfo m : view) {
                if (!byUid.containsKey(m.uid())) {
                    expungesDeferred = true;
                    break;
                }
            }
        }
        boolean grew = false;
        for (int i = 0; i < view.size(); i++) {
            MessageInfo known = view.get(i);
            MessageInfo now = byUid.get(known.uid());
            if (now != null && !now.flags().equals(known.flags())) {
                mutableView().set(i, now);
                grew |= addKeywords(now.flags());
                out.add((i + 1) + " FETCH (UID " + now.uid() + " FLAGS " + flagList(now.flags())
                        + (condstore ? " " + CondStore.item(now) : "") + ")");
            }
        }
        long last = maxUid();
        int before = view.size();
        for (MessageInfo m : current) {
            if (m.uid() > last) {
                mutableView().add(m);
                grew |= addKeywords(m.flags());
            }
        }
        if (view.size() != before) {
            out.add(view.size() + " EXISTS");
        }
        if (grew) {
            // RFC 9051 §7.3.5: another session defined a keyword; say so before the FETCH that shows it.
            out.addAll(0, flagLines());
        }
        if (!expungesDeferred) {
            // The client now knows exactly the folder's list: share it again instead of holding a copy.
            view = current;
            viewOwned = false;
        }
        return out;
    }

    /** {@code (\Answered \Seen)}: the flags in a stable order. Called once per message in a FETCH of FLAGS. */
    static String flagList(Set<String> flags) {
        return switch (flags.size()) {
            case 0 -> "()";
            case 1 -> "(" + flags.iterator().next() + ")";
            default -> {
                String[] sorted = flags.toArray(new String[0]);
                Arrays.sort(sorted);
                yield "(" + String.join(" ", sorted) + ")";
            }
        };
    }

    @Override
    public void close() {
        try {
            subscription.close();
        } catch (Exception ignored) {
            // a listener that cannot be removed only costs a wasted wake-up
        }
        folder.close();
    }
}
