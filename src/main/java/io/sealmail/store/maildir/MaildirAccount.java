package io.sealmail.store.maildir;

import io.sealmail.store.MaildirStore;
import io.sealmail.store.mailbox.MailFolder;
import io.sealmail.store.mailbox.MailboxException;
import io.sealmail.store.mailbox.Mailboxes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * One account's folders as Maildir++ directories under its Maildir root (INBOX), named by
 * {@link MaildirStore#folderDir(Path, String)}: listing, CREATE/DELETE/RENAME, subscriptions, APPEND. One instance per
 * account for the whole process ({@link MaildirMailboxAccess}), so concurrent logins of one user share its lock.
 */
final class MaildirAccount implements Mailboxes {
    static final List<String> SPECIAL_USE = List.of("Sent", "Drafts", "Trash", "Junk", "Archive");

    private final MaildirMailboxAccess access;
    private final Path root;
    private final String account;
    private final Subscriptions subscriptions;
    private boolean ready;

    MaildirAccount(MaildirMailboxAccess access, Path root, String account) {
        this.access = access;
        this.root = root;
        this.account = account;
        this.subscriptions = new Subscriptions(root);
    }

    /** Creates the SPECIAL-USE folders (RFC 6154) missing, subscribed, once per process. */
    synchronized void ensureSpecialUse() throws IOException {
        if (!ready) {
            for (String special : SPECIAL_USE) {
                Path dir = dirOf(special);
                if (!Files.isDirectory(dir.resolve("cur"))) {
                    makeMaildir(dir);
                    setSubscribed(special, true);
                }
            }
            ready = true;
        }
    }

    static void makeMaildir(Path dir) throws IOException {
        for (String sub : new String[] {"tmp", "new", "cur"}) {
            Files.createDirectories(dir.resolve(sub));
        }
    }

    @Override
    public Quota quota() {
        MaildirStore store = access.store();
        return new Quota(store.usage(account), store.quotaLimit(), store.messageUsage(account), store.messageQuotaLimit());
    }

    /**
     * Takes octets and messages from the account's quota ({@code limits.quotaPerAccount},
     * {@code limits.quotaMessagesPerAccount}, shared with SMTP delivery) before anything is written; past either the
     * command fails with OVERQUOTA (RFC 9208 §4.3, RFC 5530).
     */
    void charge(long octets, long messages) throws MailboxException {
        access.charge(account, octets, messages);
    }

    void release(long octets, long messages) {
        access.store().releaseQuota(account, octets, messages);
    }

    Path dirOf(String name) {
        return MaildirStore.folderDir(root, name);
    }

    private static boolean exists(Path dir) {
        return Files.isDirectory(dir.resolve("cur"));
    }

    @Override
    public List<MailboxInfo> list() throws IOException {
        Set<String> subs = subscriptions.read();
        List<MailboxInfo> out = new ArrayList<>();
        out.add(new MailboxInfo("INBOX", null, true));
        TreeSet<String> names = new TreeSet<>();
        try (Stream<Path> s = Files.list(root)) {
            s.filter(p -> p.getFileName().toString().startsWith(".") && exists(p))
                    .forEach(p -> names.add(MaildirStore.folderName(p.getFileName().toString())));
        }
        for (String n : names) {
            out.add(new MailboxInfo(n, SPECIAL_USE.contains(n) ? "\\" + n : null, subs.contains(n)));
        }
        return out;
    }

    @Override
    public Set<String> subscribedNames() throws IOException {
        Set<String> subs = subscriptions.read();
        subs.add("INBOX");
        return subs;
    }

    @Override
    public void create(String name) throws IOException {
        Path dir = dirOf(name);
        if (name.equals("INBOX") || exists(dir)) {
            throw new MailboxException("ALREADYEXISTS", "Mailbox exists");
        }
        makeMaildir(dir);
        Fsync.directoryQuietly(root);
    }

    @Override
    public void delete(String name) throws IOException {
        if (name.equals("INBOX")) {
            throw new MailboxException("CANNOT", "INBOX cannot be deleted");
        }
        Path dir = dirOf(name);
        if (!exists(dir)) {
            throw new MailboxException("NONEXISTENT", "No such mailbox");
        }
        access.forget(dir);
        try (Stream<Path> walk = Files.walk(dir)) {
            List<Path> all = walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList();
            for (Path p : all) {
                Files.deleteIfExists(p);
            }
        }
        // The subscription stays (RFC 9051 §6.3.7, and Dovecot): LIST shows it \NonExistent until UNSUBSCRIBE.
        // The deleted messages leave the quota: count the account again from its file names.
        access.store().recountQuota(account);
    }

    @Override
    public void rename(String from, String to) throws IOException {
        Path target = dirOf(to);
        if (to.equals("INBOX") || exists(target)) {
            throw new MailboxException("ALREADYEXISTS", "Target mailbox exists");
        }
        if (from.equals("INBOX")) {
            // RFC 9051 §6.3.6: INBOX's messages move to the new name; INBOX stays, empty.
            makeMaildir(target);
            try (MailFolder inbox = open("INBOX")) {
                List<Long> uids = inbox.messages().stream().map(MailFolder.MessageInfo::uid).toList();
                if (!uids.isEmpty()) {
                    inbox.move(uids, to);
                }
            }
            return;
        }
        Path source = dirOf(from);
        if (!exists(source)) {
            throw new MailboxException("NONEXISTENT", "No such mailbox");
        }
        String prefix = source.getFileName().toString();
        String newPrefix = target.getFileName().toString();
        List<Path> moves = new ArrayList<>();
        try (Stream<Path> s = Files.list(root)) {
            s.filter(p -> p.getFileName().toString().equals(prefix) || p.getFileName().toString().startsWith(prefix + "."))
                    .forEach(moves::add);
        }
        for (Path p : moves) {
            String rest = p.getFileName().toString().substring(prefix.length());
            access.forget(p);
            Files.move(p, root.resolve(newPrefix + rest), StandardCopyOption.ATOMIC_MOVE);
        }
        Fsync.directoryQuietly(root);
    }

    @Override
    public void setSubscribed(String name, boolean subscribed) throws IOException {
        subscriptions.set(name, subscribed);
    }

    @Override
    public MailFolder open(String name) throws IOException {
        Path dir = dirOf(name);
        if (!exists(dir)) {
            throw new MailboxException("NONEXISTENT", "No such mailbox: " + name);
        }
        return new FolderHandle(access.folder(dir, name, account), this);
    }

    /** The folder a message goes to (APPEND, COPY, MOVE); TRYCREATE when it does not exist (RFC 9051 §7.1). */
    MaildirFolder target(String name) throws MailboxException {
        Path dir = dirOf(name);
        if (!exists(dir)) {
            throw new MailboxException("TRYCREATE", "No such mailbox: " + name);
        }
        return access.folder(dir, name, account);
    }

    @Override
    public AppendResult append(String name, byte[] message, Set<String> flags, Instant internalDate) throws IOException {
        MaildirFolder f = target(name);
        charge(message.length, 1);
        long uid;
        try {
            uid = f.add(tmp -> Files.write(tmp, message), message.length, flags, internalDate, f.cacheEntryOf(message));
        } catch (IOException | RuntimeException e) {
            release(message.length, 1);
            throw e;
        }
        f.fire();
        return new AppendResult(f.uidValidity(), uid);
    }

    /** RFC 3502: quota for all first (refused whole when they do not fit together), then one by one, undone on failure. */
    @Override
    public List<AppendResult> appendAll(String name, List<NewMessage> messages) throws IOException {
        MaildirFolder f = target(name);
        long total = messages.stream().mapToLong(m -> m.content().length).sum();
        charge(total, messages.size());
        List<Long> added = new ArrayList<>();
        long charged = total;
        long chargedMessages = messages.size();
        try {
            for (NewMessage m : messages) {
                byte[] content = m.content();
                added.add(f.add(tmp -> Files.write(tmp, content), content.length, m.flags(), m.internalDate(),
                        f.cacheEntryOf(content)));
                charged -= content.length;
                chargedMessages--;
            }
        } catch (IOException | RuntimeException e) {
            release(charged, chargedMessages);
            if (!added.isEmpty()) {
                f.expunge(added, true);
            }
            f.fire();
            throw e;
        }
        f.fire();
        List<AppendResult> out = new ArrayList<>();
        for (long uid : added) {
            out.add(new AppendResult(f.uidValidity(), uid));
        }
        return out;
    }
}
