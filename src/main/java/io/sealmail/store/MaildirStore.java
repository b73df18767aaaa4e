package io.sealmail.store;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * Local delivery into Maildirs: {@code <dataDir>/mail/<account>/{tmp,new,cur}}, the INBOX at the Maildir root and
 * other folders as Maildir++ {@code .Name} directories, so Dovecot, mutt and other Maildir tools read them as is.
 * Each copy is written to {@code tmp/}, fsynced, renamed into {@code new/}, and the directory fsynced (batched across
 * concurrent deliveries by {@link GroupCommit}) before its future completes.
 */
public final class MaildirStore implements MailStore {
    private static final Logger LOG = Logger.getLogger(MaildirStore.class);

    private final Path mailRoot;
    private final Path spoolDir;
    private final GroupCommit commit;
    private final boolean ownsCommit;

    public MaildirStore(Path dataDir) throws IOException {
        this(dataDir, new GroupCommit(16, 4096), true);
    }

    MaildirStore(Path dataDir, GroupCommit commit, boolean ownsCommit) throws IOException {
        this.mailRoot = Files.createDirectories(dataDir.resolve("mail"));
        this.spoolDir = Files.createDirectories(dataDir.resolve("spool"));
        this.commit = commit;
        this.ownsCommit = ownsCommit;
        recover();
    }

    /**
     * After a crash: spools of unacknowledged messages and half-written files in tmp/ are garbage (nothing in them
     * was acknowledged; a delivery is acknowledged only after its rename into new/ is durable). This process is the
     * only writer, so everything there can go.
     */
    private void recover() throws IOException {
        int removed = clearDirectory(spoolDir);
        try (Stream<Path> accounts = Files.list(mailRoot)) {
            for (Path account : (Iterable<Path>) accounts::iterator) {
                removed += clearDirectory(account.resolve("tmp"));
            }
        }
        if (removed > 0) {
            LOG.infof("removed %d incomplete files left by an earlier stop", removed);
        }
    }

    private static int clearDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int n = 0;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(f)) {
                    Files.deleteIfExists(f);
                    n++;
                }
            }
        }
        return n;
    }

    /** The Maildir of an account's INBOX; created (durably) if it does not exist yet. */
    public Path inbox(String account) throws IOException {
        Path dir = mailRoot.resolve(MaildirNames.accountDirectory(account));
        if (!Files.isDirectory(dir.resolve("new"))) {
            createMaildir(dir);
        }
        return dir;
    }

    private synchronized void createMaildir(Path dir) throws IOException {
        for (String sub : new String[] {"tmp", "new", "cur"}) {
            Files.createDirectories(dir.resolve(sub));
        }
        GroupCommit.syncDirectory(dir);
        GroupCommit.syncDirectory(dir.getParent());
    }

    @Override
    public Spool createSpool() throws IOException {
        return new FileSpool(spoolDir.resolve(UUID.randomUUID().toString()));
    }

    @Override
    public CompletableFuture<Void> deliver(Spool message, String returnPath, List<String> accounts) {
        if (accounts.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        byte[] header = ("Return-Path: <" + (returnPath == null ? "" : returnPath) + ">\r\n")
                .getBytes(StandardCharsets.UTF_8);
        Path source = message.path();
        List<CompletableFuture<Void>> copies = new ArrayList<>(accounts.size());
        for (String account : accounts) {
            try {
                Path maildir = inbox(account);
                String name = MaildirNames.unique(header.length + message.size());
                copies.add(commit.write(maildir.resolve("tmp").resolve(name), maildir.resolve("new").resolve(name),
                        ch -> writeWithHeader(ch, header, source)));
            } catch (IOException | IllegalArgumentException e) {
                copies.add(CompletableFuture.failedFuture(e));
            }
        }
        return CompletableFuture.allOf(copies.toArray(CompletableFuture[]::new));
    }

    static void writeWithHeader(FileChannel out, byte[] header, Path source) throws IOException {
        ByteBuffer h = ByteBuffer.wrap(header);
        while (h.hasRemaining()) {
            out.write(h);
        }
        try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ)) {
            long size = in.size();
            long pos = 0;
            while (pos < size) {
                pos += in.transferTo(pos, size - pos, out);
            }
        }
    }

    /** Root of all accounts' Maildirs. */
    public Path mailRoot() {
        return mailRoot;
    }

    GroupCommit groupCommit() {
        return commit;
    }

    @Override
    public void close() {
        if (ownsCommit) {
            commit.close();
        }
    }
}
