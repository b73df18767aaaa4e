package io.sealmail.store.maildir;

import io.sealmail.store.MaildirStore;
import io.sealmail.store.QuotaExceededException;
import io.sealmail.store.mailbox.CacheEntryMaker;
import io.sealmail.store.mailbox.MailboxAccess;
import io.sealmail.store.mailbox.MailboxException;
import io.sealmail.store.mailbox.Mailboxes;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The mailboxes of the Maildirs {@link MaildirStore} delivers into: the one mailbox model of a single engine, used by
 * IMAP and POP3 through {@link MailboxAccess} and fed by delivery (the store tells it of each delivered file).
 * Layout is Maildir++ as Dovecot reads it: INBOX at the account root, folder {@code A/B} in {@code .A.B}, system flags
 * in the file name's info part ({@code :2,FRS}), subscriptions in {@code subscriptions}. Beside each folder's
 * {@code cur/ new/ tmp/}: the UID list ({@link UidList}), the MODSEQ index ({@link MailboxIndex}) and the message
 * cache ({@link MessageCache}), each of which may be deleted without losing a message or a flag.
 *
 * <p>The parts: {@link MaildirAccount} (an account's folders: names, listing, create/delete/rename, subscriptions,
 * append), {@link MaildirFolder} (one folder's messages, UIDs, flags and MODSEQs, shared by all sessions),
 * {@link FolderHandle} (one session's open folder: copy and move), {@link NewMailWatcher} (IDLE's fallback poll).
 */
public final class MaildirMailboxAccess implements MailboxAccess, AutoCloseable {
    private final MaildirStore store;
    private final CacheEntryMaker cacheEntries;
    private final Map<Path, MaildirFolder> folders = new ConcurrentHashMap<>();
    private final Map<Path, MaildirAccount> accounts = new ConcurrentHashMap<>();
    private final NewMailWatcher watcher;
    private final SnapshotWriter snapshots;
    private final FlagRenamer renamer;

    /** Mailboxes whose cache entries are made only on first use (through {@code MailFolder.cache}). */
    public MaildirMailboxAccess(MaildirStore store) {
        this(store, CacheEntryMaker.NONE);
    }

    /**
     * @param cacheEntries makes a message's cache entry when the message is in hand anyway (APPEND, a delivery just
     *                     seen): the protocol's, since the entry's content is the protocol's business
     */
    public MaildirMailboxAccess(MaildirStore store, CacheEntryMaker cacheEntries) {
        this(store, cacheEntries, SnapshotWriter.MIN_MESSAGES);
    }

    /** @param snapshotMinMessages folders with fewer messages get no snapshot file ({@link SnapshotWriter}) */
    MaildirMailboxAccess(MaildirStore store, CacheEntryMaker cacheEntries, int snapshotMinMessages) {
        this(store, cacheEntries, snapshotMinMessages, FlagRenamer.background());
    }

    /** @param renamer renames files to their flags after a STORE ({@link FlagRenamer#inline} for crash tests) */
    MaildirMailboxAccess(MaildirStore store, CacheEntryMaker cacheEntries, int snapshotMinMessages, FlagRenamer renamer) {
        this.store = store;
        this.renamer = renamer;
        this.cacheEntries = cacheEntries;
        this.watcher = new NewMailWatcher(folders::values);
        this.snapshots = new SnapshotWriter(folders::values, snapshotMinMessages);
        // A delivery wakes the sessions watching that folder as soon as it is durable; the poll stays as the
        // fallback for files that arrive any other way.
        store.observer((account, folderDir, fileName) -> {
            MaildirFolder f = folders.get(folderDir.toAbsolutePath().normalize());
            if (f != null && f.watched()) {
                f.fire();
            }
        });
    }

    @Override
    public void close() {
        watcher.close();
        // Renames first (each folder's last ones in this thread): a folder's snapshot waits for its intents to finish.
        renamer.close();
        folders.values().forEach(MaildirFolder::settleQuietly);
        snapshots.close();
        folders.values().forEach(MaildirFolder::closeFiles);
    }

    /**
     * Renames every file a STORE left to rename, now, in the caller's thread ({@link FlagRenamer} does it in the
     * background): for the engine's warm-up, whose scratch folder must be as a client left it before it is closed,
     * and whose STOREs must run the renames the first real ones after a start will.
     */
    public void settle() throws IOException {
        for (MaildirFolder f : folders.values()) {
            f.settle();
        }
    }

    MaildirStore store() {
        return store;
    }

    /**
     * One {@link MaildirAccount} per account for the whole process, so concurrent logins of one user share its lock
     * (the special-use folders and the subscriptions file are created once, not raced).
     */
    @Override
    public Mailboxes forAccount(String account) throws IOException {
        Path root = store.inbox(account);
        String key = account.strip().toLowerCase(Locale.ROOT);
        MaildirAccount a = accounts.computeIfAbsent(root.toAbsolutePath().normalize(), r -> new MaildirAccount(this, r, key));
        a.ensureSpecialUse();
        return a;
    }

    /** The one {@link MaildirFolder} of a directory in this process. */
    MaildirFolder folder(Path dir, String name, String account) {
        return folders.computeIfAbsent(dir.toAbsolutePath().normalize(),
                d -> new MaildirFolder(d, name, account, store, cacheEntries, renamer));
    }

    /** Drops a folder that is deleted or renamed, closing its index files. */
    void forget(Path dir) {
        MaildirFolder f = folders.remove(dir.toAbsolutePath().normalize());
        if (f != null) {
            f.closeFiles();
        }
    }

    /**
     * Takes octets and messages from the account's quota ({@code limits.quotaPerAccount} and
     * {@code limits.quotaMessagesPerAccount}, shared with SMTP delivery) before anything is written; past either the
     * command fails with {@code NO [OVERQUOTA]} (RFC 9208 §4.3, RFC 5530).
     */
    void charge(String account, long octets, long messages) throws MailboxException {
        try {
            store.reserveQuota(account, octets, messages);
        } catch (QuotaExceededException e) {
            long wanted = e.resource() == QuotaExceededException.Resource.MESSAGE ? messages : octets;
            throw new MailboxException("OVERQUOTA", "Quota exceeded: " + e.used() + " of " + e.limit() + " "
                    + e.resource().unit() + " used, " + wanted + " more needed");
        }
    }
}
