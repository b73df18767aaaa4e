package io.sealmail.engine.imap;

import io.sealmail.store.mailbox.MailFolder.MessageInfo;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The SORT and THREAD keys this session has read, per message, kept while the folder stays selected: a message
 * never changes, so its sent date, base subject, addresses and references are read from the cache and parsed once,
 * and the next SORT or THREAD over the folder (a webmail's every page view) only compares. Held by position in the
 * session's view (ascending UIDs), realigned by UID when the view changed; dropped with the selection.
 */
final class SortKeys {
    /** What one message's keys are, each computed on first use (null or MIN_VALUE until then). */
    static final class Entry {
        long sentDate = Long.MIN_VALUE;
        BaseSubject subject;
        /** The Message-ID as a number of {@link #ids}; -1 for none, -2 until read. */
        int messageId = -2;
        /** The References (or In-Reply-To) IDs as numbers of {@link #ids}, oldest first; null until read. */
        int[] references;
        /** The base subject's key as a number of {@link #subjects}; -1 until read. */
        int subjectNumber = -1;
        /** FROM, TO, CC (addr-mailbox), DISPLAYFROM, DISPLAYTO. */
        final String[] addresses = new String[5];
    }

    private long[] uids = new long[0];
    private Entry[] entries = new Entry[0];
    /**
     * Every Message-ID the entries name (their own and their references), numbered from 0 in the order first read:
     * THREAD REFERENCES links messages through arrays indexed by these numbers, instead of hashing each ID again
     * for each command. Only grows while the folder stays selected (an expunged message's IDs stay), so numbers
     * kept in entries never change meaning.
     */
    final Ids ids = new Ids();
    /** The base subjects' keys, numbered the same way: THREAD REFERENCES merges threads by them (§2.3 step 5). */
    final Ids subjects = new Ids();

    /** Message-IDs numbered in the order first seen. */
    static final class Ids {
        private final Map<String, Integer> numbers = new HashMap<>();

        int number(String id) {
            Integer n = numbers.get(id);
            if (n == null) {
                n = numbers.size();
                numbers.put(id, n);
            }
            return n;
        }

        /** How many there are: every number is below it. */
        int size() {
            return numbers.size();
        }
    }

    /** The entries for the view, index seq - 1; kept entries move with their UID, new ones are empty. */
    Entry[] align(List<MessageInfo> view) {
        if (same(view)) {
            return entries;
        }
        long[] newUids = new long[view.size()];
        Entry[] newEntries = new Entry[view.size()];
        int j = 0;
        for (int i = 0; i < newUids.length; i++) {
            long uid = view.get(i).uid();
            newUids[i] = uid;
            while (j < uids.length && uids[j] < uid) {
                j++;
            }
            newEntries[i] = j < uids.length && uids[j] == uid ? entries[j] : new Entry();
        }
        uids = newUids;
        entries = newEntries;
        return entries;
    }

    /** Whether the view holds exactly the UIDs the entries are for (the view may change in place). */
    private boolean same(List<MessageInfo> view) {
        if (view.size() != uids.length) {
            return false;
        }
        for (int i = 0; i < uids.length; i++) {
            if (view.get(i).uid() != uids[i]) {
                return false;
            }
        }
        return true;
    }
}
