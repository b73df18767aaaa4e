package io.sealmail.store.mailbox;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/** One account's folders. Names use {@link #SEPARATOR} for hierarchy; {@code INBOX} is case-insensitive. */
public interface Mailboxes {

    char SEPARATOR = '/';

    /** Every folder, INBOX first. */
    List<MailboxInfo> list() throws IOException;

    /** @throws MailboxException ALREADYEXISTS, CANNOT (invalid name) */
    void create(String name) throws IOException;

    /** @throws MailboxException NONEXISTENT, CANNOT (INBOX) */
    void delete(String name) throws IOException;

    /** Renames a folder and its children; renaming INBOX moves its messages to a new folder (RFC 9051 §6.3.6). */
    void rename(String from, String to) throws IOException;

    void setSubscribed(String name, boolean subscribed) throws IOException;

    /**
     * The subscribed names, also those whose folder no longer exists: a subscription outlives its folder's DELETE
     * (RFC 9051 §6.3.7: the server does not remove it unilaterally), and LIST shows it {@code \NonExistent}.
     */
    default Set<String> subscribedNames() throws IOException {
        Set<String> out = new java.util.LinkedHashSet<>();
        for (MailboxInfo m : list()) {
            if (m.subscribed()) {
                out.add(m.name());
            }
        }
        return out;
    }

    /** @throws MailboxException NONEXISTENT */
    MailFolder open(String name) throws IOException;

    /**
     * Stores a message durably. @return the new message's UID and its folder's UIDVALIDITY (RFC 4315 APPENDUID)
     * @throws MailboxException TRYCREATE if the folder does not exist, OVERQUOTA past the account's quota
     */
    AppendResult append(String folder, byte[] message, Set<String> flags, Instant internalDate) throws IOException;

    /**
     * MULTIAPPEND (RFC 3502): all the messages or none. The quota is taken for all of them before the first is
     * written; when one fails, those already added are expunged again before the error is thrown.
     * @return one result per message, in order
     */
    default List<AppendResult> appendAll(String folder, List<NewMessage> messages) throws IOException {
        List<AppendResult> done = new java.util.ArrayList<>();
        try {
            for (NewMessage m : messages) {
                done.add(append(folder, m.content(), m.flags(), m.internalDate()));
            }
            return done;
        } catch (IOException | RuntimeException e) {
            if (!done.isEmpty()) {
                try (MailFolder f = open(folder)) {
                    f.expunge(done.stream().map(AppendResult::uid).toList());
                }
            }
            throw e;
        }
    }

    record NewMessage(byte[] content, Set<String> flags, Instant internalDate) {
    }

    /** The account's quota (shared by all its folders, enforced by the store): octets and messages used and allowed. */
    Quota quota() throws IOException;

    /**
     * @param limitOctets   0 when the account has no limit on octets (RFC 9208 STORAGE)
     * @param limitMessages 0 when the account has no limit on messages (RFC 9208 MESSAGE)
     */
    record Quota(long usedOctets, long limitOctets, long usedMessages, long limitMessages) {
        /** Octets only, no limit on messages. */
        public Quota(long usedOctets, long limitOctets) {
            this(usedOctets, limitOctets, 0, 0);
        }

        /** Whether any limit applies, so the account has a quota root. */
        public boolean limited() {
            return limitOctets > 0 || limitMessages > 0;
        }
    }

    record MailboxInfo(String name, String specialUse, boolean subscribed) {
    }

    record AppendResult(long uidValidity, long uid) {
    }
}
