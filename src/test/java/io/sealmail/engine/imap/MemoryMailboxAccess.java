package io.sealmail.engine.imap;

import io.sealmail.store.mailbox.MailFolder;
import io.sealmail.store.mailbox.MailboxAccess;
import io.sealmail.store.mailbox.MailboxException;
import io.sealmail.store.mailbox.Mailboxes;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** An in-memory store behind the narrow session interfaces, for session tests. Thread-safe by one lock. */
public final class MemoryMailboxAccess implements MailboxAccess {
    private final Map<String, Account> accounts = new ConcurrentHashMap<>();

    @Override
    public Mailboxes forAccount(String account) {
        return accounts.computeIfAbsent(account.toLowerCase(Locale.ROOT), a -> new Account());
    }

    /** Delivers as SMTP would: straight into INBOX. */
    public long deliver(String account, String message) throws IOException {
        return forAccount(account).append("INBOX", message.replace("\r\n", "\n").replace("\n", "\r\n").getBytes(),
                Set.of(), Instant.parse("2026-11-28T10:00:00Z")).uid();
    }

    static final class Msg {
        final long uid;
        final byte[] bytes;
        final Instant date;
        Set<String> flags;

        Msg(long uid, byte[] bytes, Instant date, Set<String> flags) {
            this.uid = uid;
            this.bytes = bytes;
            this.date = date;
            this.flags = Set.copyOf(flags);
        }
    }

    static final class Box {
        final long uidValidity;
        long uidNext = 1;
        boolean subscribed;
        final String specialUse;
        final List<Msg> msgs = new ArrayList<>();
        final List<Runnable> listeners = new CopyOnWriteArrayList<>();

        Box(long uidValidity, String specialUse) {
            this.uidValidity = uidValidity;
            this.specialUse = specialUse;
        }
    }

    static final class Account implements Mailboxes {
        private final Map<String, Box> boxes = new TreeMap<>();
        private long nextValidity = 1000;

        Account() {
            boxes.put("INBOX", new Box(nextValidity++, null));
            for (String s : List.of("Sent", "Drafts", "Trash", "Junk", "Archive")) {
                Box b = new Box(nextValidity++, "\\" + s);
                b.subscribed = true;
                boxes.put(s, b);
            }
            boxes.get("INBOX").subscribed = true;
        }

        /** No limit here: usage is what the folders hold. */
        @Override
        public synchronized Quota quota() {
            long used = 0;
            for (Box b : boxes.values()) {
                for (Msg m : b.msgs) {
                    used += m.bytes.length;
                }
            }
            return new Quota(used, 0);
        }

        private static String norm(String name) {
            return name.equalsIgnoreCase("INBOX") ? "INBOX" : name;
        }

        private synchronized Box box(String name, String missingCode) throws MailboxException {
            Box b = boxes.get(norm(name));
            if (b == null) {
                throw new MailboxException(missingCode, "No such mailbox: " + name);
            }
            return b;
        }

        @Override
        public synchronized List<MailboxInfo> list() {
            List<MailboxInfo> out = new ArrayList<>();
            boxes.forEach((n, b) -> out.add(new MailboxInfo(n, b.specialUse, b.subscribed)));
            out.sort((a, b) -> a.name().equals("INBOX") ? -1 : b.name().equals("INBOX") ? 1 : a.name().compareTo(b.name()));
            return out;
        }

        @Override
        public synchronized void create(String name) throws IOException {
            if (boxes.containsKey(norm(name))) {
                throw new MailboxException("ALREADYEXISTS", "Mailbox exists");
            }
            boxes.put(name, new Box(nextValidity++, null));
        }

        @Override
        public synchronized void delete(String name) throws IOException {
            if (norm(name).equals("INBOX")) {
                throw new MailboxException("CANNOT", "INBOX cannot be deleted");
            }
            box(name, "NONEXISTENT");
            boxes.remove(name);
        }

        @Override
        public synchronized void rename(String from, String to) throws IOException {
            Box b = box(from, "NONEXISTENT");
            if (boxes.containsKey(norm(to))) {
                throw new MailboxException("ALREADYEXISTS", "Target exists");
            }
            if (norm(from).equals("INBOX")) {
                Box moved = new Box(nextValidity++, null);
                moved.msgs.addAll(b.msgs);
                moved.uidNext = b.uidNext;
                b.msgs.clear();
                boxes.put(to, moved);
                return;
            }
            boxes.remove(from);
            boxes.put(to, b);
        }

        @Override
        public synchronized void setSubscribed(String name, boolean subscribed) throws IOException {
            Box b = boxes.get(norm(name));
            if (b != null) {
                b.subscribed = subscribed;
            }
        }

        @Override
        public MailFolder open(String name) throws IOException {
            Box b = box(name, "NONEXISTENT");
            return new Folder(this, norm(name), b);
        }

        @Override
        public AppendResult append(String folder, byte[] message, Set<String> flags, Instant internalDate) throws IOException {
            Box b;
            synchronized (this) {
                b = box(folder, "TRYCREATE");
                Msg m = new Msg(b.uidNext++, message, internalDate, flags);
                b.msgs.add(m);
            }
            b.listeners.forEach(Runnable::run);
            return new AppendResult(b.uidValidity, b.uidNext - 1);
        }
    }

    static final class Folder implements MailFolder {
        private final Account account;
        private final String name;
        private final Box box;
        private final List<Runnable> mine = new ArrayList<>();

        Folder(Account account, String name, Box box) {
            this.account = account;
            this.name = name;
            this.box = box;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public long uidValidity() {
            return box.uidValidity;
        }

        @Override
        public long uidNext() {
            synchronized (account) {
                return box.uidNext;
            }
        }

        @Override
        public List<MessageInfo> messages() {
            synchronized (account) {
                List<MessageInfo> out = new ArrayList<>();
                for (Msg m : box.msgs) {
                    out.add(new MessageInfo(m.uid, m.flags, m.bytes.length, m.date));
                }
                return out;
            }
        }

        @Override
        public byte[] read(long uid) throws IOException {
            synchronized (account) {
                for (Msg m : box.msgs) {
                    if (m.uid == uid) {
                        return m.bytes;
                    }
                }
            }
            throw new MailboxException("NONEXISTENT", "Message expunged");
        }

        @Override
        public void store(Collection<Long> uids, FlagChange change, Set<String> flags) {
            synchronized (account) {
                for (Msg m : box.msgs) {
                    if (uids.contains(m.uid)) {
                        Set<String> f = new HashSet<>(m.flags);
                        switch (change) {
                            case REPLACE -> {
                                f.clear();
                                f.addAll(flags);
                            }
                            case ADD -> f.addAll(flags);
                            case REMOVE -> f.removeAll(flags);
                        }
                        m.flags = Set.copyOf(f);
                    }
                }
            }
            fire();
        }

        private void fire() {
            box.listeners.forEach(Runnable::run);
        }

        @Override
        public CopyResult copy(List<Long> uids, String target) throws IOException {
            Box t;
            List<Long> src = new ArrayList<>();
            List<Long> dst = new ArrayList<>();
            synchronized (account) {
                t = account.box(target, "TRYCREATE");
                // A snapshot: the target may be this very mailbox (RFC 6851 allows a MOVE into the selected one).
                List<Msg> sources = List.copyOf(box.msgs);
                for (Long uid : uids) {
                    for (Msg m : sources) {
                        if (m.uid == uid) {
                            Msg c = new Msg(t.uidNext++, m.bytes, m.date, m.flags);
                            t.msgs.add(c);
                            src.add(uid);
                            dst.add(c.uid);
                        }
                    }
                }
            }
            t.listeners.forEach(Runnable::run);
            return new CopyResult(t.uidValidity, src, dst);
        }

        @Override
        public CopyResult move(List<Long> uids, String target) throws IOException {
            CopyResult r = copy(uids, target);
            expunge(r.sourceUids());
            return r;
        }

        @Override
        public List<Long> expunge(Collection<Long> uids) {
            List<Long> gone = new ArrayList<>();
            synchronized (account) {
                box.msgs.removeIf(m -> {
                    if (uids.contains(m.uid)) {
                        gone.add(m.uid);
                        return true;
                    }
                    return false;
                });
            }
            fire();
            return gone;
        }

        @Override
        public AutoCloseable onChange(Runnable listener) {
            box.listeners.add(listener);
            mine.add(listener);
            return () -> box.listeners.remove(listener);
        }

        @Override
        public void close() {
            mine.forEach(box.listeners::remove);
        }
    }
}
