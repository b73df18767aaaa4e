package io.sealmail.store.maildir;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.sealmail.store.mailbox.MailFolder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/** What one session holds open of a {@link MaildirFolder}; closing it removes the session's listeners. */
final class FolderHandle implements MailFolder {
    private final MaildirFolder folder;
    private final MaildirAccount account;
    private final List<Runnable> mine = new ArrayList<>();

    FolderHandle(MaildirFolder folder, MaildirAccount account) {
        this.folder = folder;
        this.account = account;
    }

    @Override
    public String name() {
        return folder.name();
    }

    @Override
    public long uidValidity() {
        try {
            return folder.uidValidity();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public long uidNext() throws IOException {
        return folder.uidNext();
    }

    @Override
    public List<MessageInfo> messages() throws IOException {
        return folder.infos();
    }

    @Override
    public <T> T shared(Class<T> type, UnaryOperator<T> keepOrMake) {
        return folder.shared.get(type, keepOrMake);
    }

    @Override
    public Instant saveDate(long uid) {
        return folder.saveDate(uid);
    }

    @Override
    public boolean saveDates() {
        return true;
    }

    @Override
    public byte[] read(long uid) throws IOException {
        return folder.read(uid);
    }

    @Override
    public ByteBuf read(long uid, ByteBufAllocator alloc) throws IOException {
        return folder.read(uid, alloc);
    }

    @Override
    public void store(Collection<Long> uids, FlagChange change, Set<String> flags) throws IOException {
        store(uids, change, flags, -1);
    }

    @Override
    public List<Long> store(Collection<Long> uids, FlagChange change, Set<String> flags, long unchangedSince) throws IOException {
        List<Long> modified = folder.store(uids, change, flags, unchangedSince);
        folder.fire();
        return modified;
    }

    @Override
    public long highestModseq() throws IOException {
        return folder.highestModseq();
    }

    @Override
    public java.util.Collection<Set<String>> flagSets() throws IOException {
        return folder.flagSets();
    }

    @Override
    public List<Long> expungedSince(long modseq) throws IOException {
        return folder.expungedSince(modseq);
    }

    @Override
    public ByteBuffer cached(long uid) throws IOException {
        return folder.cached(uid);
    }

    @Override
    public void cache(long uid, ByteBuffer entry) throws IOException {
        folder.cache(uid, entry);
    }

    @Override
    public CopyResult copy(List<Long> uids, String target) throws IOException {
        return transfer(uids, target, false);
    }

    @Override
    public CopyResult move(List<Long> uids, String target) throws IOException {
        return transfer(uids, target, true);
    }

    /**
     * COPY and MOVE. COPY charges the quota for all messages before writing any (MOVE stays within the account and
     * costs nothing); if a copy fails half-way the copies made are removed again, so the target is as before
     * (RFC 9051 §6.4.7). Each copy takes the source's cache entry along.
     */
    private CopyResult transfer(List<Long> uids, String targetName, boolean move) throws IOException {
        MaildirFolder target = account.target(targetName);
        List<Long> src = new ArrayList<>();
        List<Long> dst = new ArrayList<>();
        folder.scan();
        List<MaildirFolder.Entry> entries = new ArrayList<>();
        long charged = 0;
        for (Long uid : uids) {
            MaildirFolder.Entry e = folder.entryOf(uid);
            if (e != null) {
                entries.add(e);
                charged += e.size();
            }
        }
        if (!move) {
            account.charge(charged, entries.size());
        }
        long chargedMessages = entries.size();
        try {
            for (MaildirFolder.Entry e : entries) {
                long newUid;
                try {
                    newUid = copy(e, target);
                } catch (NoSuchFileException gone) {
                    if (!move) {
                        account.release(e.size(), 1);
                        charged -= e.size();
                        chargedMessages--;
                    }
                    continue;
                }
                src.add(e.uid());
                dst.add(newUid);
            }
        } catch (IOException | RuntimeException failure) {
            target.expunge(dst, false);
            if (!move) {
                account.release(charged, chargedMessages);
            }
            throw failure;
        }
        if (move && !src.isEmpty()) {
            folder.expunge(src, false);
            folder.fire();
        }
        target.fire();
        return new CopyResult(target.uidValidity(), src, dst);
    }

    /**
     * Copies one message into {@code target}. The source's name is looked up again when its file is not there: the
     * flag renamer may have renamed it to its flags meanwhile ({@link FlagRenamer}). Its path is taken under the
     * source's lock only, never while holding the target's (COPY runs both ways between two folders).
     */
    private long copy(MaildirFolder.Entry e, MaildirFolder target) throws IOException {
        MaildirFolder.Entry now = e;
        for (int attempt = 0; ; attempt++) {
            Path source = folder.dir().resolve("cur").resolve(now.file());
            try {
                return target.add(tmp -> Files.copy(source, tmp), e.size(), now.flags(), e.date(), folder.cached(e.uid()));
            } catch (NoSuchFileException gone) {
                MaildirFolder.Entry again = folder.entryOf(e.uid());
                if (again == null || again.file().equals(now.file()) || attempt == 3) {
                    throw gone;
                }
                now = again;
            }
        }
    }

    @Override
    public List<Long> expunge(Collection<Long> uids) throws IOException {
        List<Long> gone = folder.expunge(uids, true);
        folder.fire();
        return gone;
    }

    @Override
    public AutoCloseable onChange(Runnable listener) {
        folder.listen(listener);
        mine.add(listener);
        return () -> folder.unlisten(listener);
    }

    @Override
    public void close() {
        mine.forEach(folder::unlisten);
        mine.clear();
    }
}
