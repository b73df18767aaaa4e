package io.sealmail.engine.imap;

import io.sealmail.store.mailbox.MailFolder.MessageInfo;

import java.util.List;

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
        String messageId;
        boolean messageIdRead;
        List<String> references;
        /** FROM, TO, CC (addr-mailbox), DISPLAYFROM, DISPLAYTO. */
        final String[] addresses = new String[5];
    }

    private long[] uids = new long[0];
    private Entry[] entries = new Entry[0];

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
