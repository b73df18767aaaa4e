package io.sealmail.engine.imap;

import io.sealmail.store.mailbox.MailFolder;
import io.sealmail.store.mailbox.MailFolder.MessageInfo;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The SORT and THREAD keys read so far, per message: a message never changes, so its sent date, base subject,
 * addresses and references are read from the cache and parsed once, and every later SORT or THREAD over the folder
 * only compares. The keys are {@link Shared} by all sessions of the folder (kept by the store beside it,
 * {@link MailFolder#shared}): a webmail that opens a new session per page view, or a phone
 * and a desktop on one account, find them made. Each session holds them by position in its view (ascending UIDs),
 * realigned by UID when its view changed.
 */
final class SortKeys {
    /**
     * What one message's keys are, each computed on first use (null or MIN_VALUE until then). Sessions on other threads
     * may compute the same key at once: each writes the same value, and the fields are volatile so that an array or
     * object one session wrote is seen whole by the others.
     */
    static final class Entry {
        volatile long sentDate = Long.MIN_VALUE;
        volatile BaseSubject subject;
        /** The Message-ID as a number of {@link Shared#ids}; -1 for none, -2 until read. */
        volatile int messageId = -2;
        /** The References (or In-Reply-To) IDs as numbers of {@link Shared#ids}, oldest first; null until read. */
        volatile int[] references;
        /** The base subject's key as a number of {@link Shared#subjects}; -1 until read. */
        volatile int subjectNumber = -1;
        /** FROM, TO, CC (addr-mailbox), DISPLAYFROM, DISPLAYTO: immutable strings, safe to share without a lock. */
        final String[] addresses = new String[5];
    }

    /**
     * The keys of one folder for all its sessions. Entries of expunged messages are not removed one by one: a
     * SELECT that finds more than twice as many entries as messages (plus {@link #SLACK}) starts a new one.
     */
    static final class Shared {
        static final int SLACK = 10_000;
        /** The folder's UIDVALIDITY the keys are for: after a new one, a UID may name another message. */
        private final long uidValidity;
        private final ConcurrentHashMap<Long, Entry> byUid = new ConcurrentHashMap<>();
        /**
         * Every Message-ID the entries name (their own and their references), numbered from 0 in the order first read:
         * THREAD REFERENCES links messages through arrays indexed by these numbers, instead of hashing each ID again
         * for each command. Only grows (an expunged message's IDs stay), so numbers kept in entries never change
         * meaning.
         */
        final Ids ids = new Ids();
        /** The base subjects' keys, numbered the same way: THREAD REFERENCES merges threads by them (§2.3 step 5). */
        final Ids subjects = new Ids();

        Shared(long uidValidity) {
            this.uidValidity = uidValidity;
        }

        Entry entry(long uid) {
            return byUid.computeIfAbsent(uid, u -> new Entry());
        }

        int entries() {
            return byUid.size();
        }

        /** Whether a folder of {@code messages} messages should start new keys instead (see the class comment). */
        boolean outgrown(int messages) {
            return byUid.size() > 2L * messages + SLACK;
        }

        /**
         * This folder's keys from the store, or new ones when none are kept, they have {@link #outgrown}, or the
         * folder has another UIDVALIDITY than they were made for (RFC 9051 §2.3.1.1: UIDs may then be reused).
         */
        static Shared of(MailFolder folder, int messages) {
            long validity = folder.uidValidity();
            return folder.shared(Shared.class, kept -> kept != null && kept.uidValidity == validity
                    && !kept.outgrown(messages) ? kept : new Shared(validity));
        }
    }

    /** Message-IDs (or subjects) numbered in the order first seen, by any session of the folder. */
    static final class Ids {
        private final ConcurrentHashMap<String, Integer> numbers = new ConcurrentHashMap<>();
        private final AtomicInteger next = new AtomicInteger();

        int number(String id) {
            Integer n = numbers.get(id);
            return n != null ? n : numbers.computeIfAbsent(id, k -> next.getAndIncrement());
        }

        /** Every number handed out before this call is below it. */
        int size() {
            return next.get();
        }
    }

    private final Shared shared;
    final Ids ids;
    final Ids subjects;
    private long[] uids = new long[0];
    private Entry[] entries = new Entry[0];

    SortKeys(Shared shared) {
        this.shared = shared;
        this.ids = shared.ids;
        this.subjects = shared.subjects;
    }

    /**
     * The entries for the view, index seq - 1; kept entries move with their UID, the others come from the folder's
     * shared keys (empty when no session has read them yet).
     */
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
            newEntries[i] = j < uids.length && uids[j] == uid ? entries[j] : shared.entry(uid);
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
