package io.sealmail.store;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Per-account Maildirs under {@code <dataDir>/mail/<account>/}, readable by Dovecot, mutt and other Maildir tools.
 *
 * <h2>Layout</h2>
 * <pre>
 * dataDir/
 *   spool/                       large messages being received (MessageSpool), emptied at start
 *   mail/&lt;account&gt;/               INBOX is the Maildir root ({@link SafeName#encodeAccount} names it)
 *     cur/ new/ tmp/
 *     .Sent/ .Drafts/ .Trash/ .Junk/ .Archive/    Maildir++ folders ("maildirfolder" file inside)
 *     .Work.2024/                 folder "Work/2024" (IMAP separator "/", on disk ".")
 * </pre>
 *
 * <h2>Delivery</h2>
 * Each recipient's copy is {@code Return-Path: <sender>\r\n} followed by the spool, written to
 * {@code tmp/<unique>}, forced, renamed into {@code new/}, and {@code new/} is forced; the future completes after
 * that. Deliveries are batched by a {@link GroupCommit}, so concurrent deliveries share flushes. A delivery to
 * several accounts succeeds or fails as a whole, up to the renames.
 *
 * <h2>Crash safety</h2>
 * A message is visible in {@code new/} or {@code cur/} only after it was fully written and forced (rename is atomic),
 * so a crash leaves at most files in {@code tmp/}. This process is the only writer of these Maildirs, so at start
 * every file in every {@code tmp/} is a leftover of a crash and is removed (not only those older than 36 hours, as
 * the Maildir spec suggests for shared Maildirs); so is everything in {@code spool/}.
 *
 * <p>Thread-safe.
 */
public class MaildirStore implements MailStore {
    private static final Logger LOG = Logger.getLogger(MaildirStore.class);
    public static final String INBOX = "INBOX";

    private final Path dataDir;
    private final Path mailRoot;
    private final Path spoolDir;
    private final StoreOptions options;
    private final GroupCommit commit;
    final QuotaLedger quota;
    private final Set<Path> knownMaildirs = ConcurrentHashMap.newKeySet();
    private final AtomicLong spoolSequence = new AtomicLong();
    /** Octets of memory the spools of messages being received may still take (see {@link MessageSpool}). */
    private final AtomicLong spoolMemory;
    private final String spoolPrefix = Long.toHexString(System.currentTimeMillis()) + "-"
            + Integer.toHexString(ThreadLocalRandom.current().nextInt() & 0x7fffffff) + "-";
    private volatile DeliveryObserver observer = (account, folder, fileName) -> { };

    /** Told about each delivered file once it is durable (the mailbox component, {@code store.maildir}, wakes IDLE sessions with it). */
    public interface DeliveryObserver {
        void delivered(String account, Path folderDir, String fileName);
    }

    /** No quota, default tuning. */
    public MaildirStore(Path dataDir) throws IOException {
        this(dataDir, StoreOptions.DEFAULTS);
    }

    public MaildirStore(Path dataDir, long quotaPerAccount) throws IOException {
        this(dataDir, StoreOptions.DEFAULTS.withQuota(quotaPerAccount));
    }

    public MaildirStore(Path dataDir, StoreOptions options) throws IOException {
        this.dataDir = dataDir;
        this.options = options;
        this.mailRoot = dataDir.resolve("mail");
        this.spoolDir = dataDir.resolve("spool");
        this.spoolMemory = new AtomicLong(options.spoolMemoryTotal());
        Files.createDirectories(mailRoot);
        Files.createDirectories(spoolDir);
        cleanSpool();
        cleanTmp();
        this.quota = new QuotaLedger(options.quotaPerAccount(), options.quotaMessagesPerAccount(), this::countUsage);
        this.commit = new GroupCommit("sealmail-store", options.queueCapacity(), options.ioThreads());
    }

    public Path dataDir() {
        return dataDir;
    }

    public StoreOptions options() {
        return options;
    }

    /** Replaces the delivery observer (one per store: its mailbox component). Runs on the committer thread. */
    public void observer(DeliveryObserver observer) {
        this.observer = observer;
    }

    @Override
    public Spool createSpool() throws IOException {
        return new MessageSpool(spoolDir.resolve(spoolPrefix + spoolSequence.incrementAndGet()),
                options.spoolMemoryPerMessage(), spoolMemory);
    }

    /**
     * Fails the future with {@link QuotaExceededException} when an account is over quota, with
     * {@link StoreUnavailableException} when the store is busy (queue full), closing, or the disk failed, and
     * with {@link IllegalArgumentException} for an unusable account name.
     */
    @Override
    public CompletableFuture<Void> deliver(Spool message, String returnPath, List<String> accounts) {
        return deliver(message, returnPath, accounts, INBOX);
    }

    @Override
    public CompletableFuture<Void> deliver(Spool message, String returnPath, List<String> accounts, String folder) {
        if (accounts == null || accounts.isEmpty()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("no accounts to deliver to"));
        }
        byte[] header = returnPathHeader(returnPath);
        List<GroupCommit.FileWrite> writes = new ArrayList<>();
        try {
            for (String account : new LinkedHashSet<>(accounts)) {
                writes.add(new DeliveryWrite(account, folderDir(account, folder), message, header));
            }
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        return commit.submit(writes);
    }

    /**
     * Throws {@link QuotaExceededException} when one more message of {@code size} octets would not fit into the
     * account now, by octets or by number of messages (SMTP may call it at RCPT with the SIZE parameter, to refuse
     * early; delivery checks again).
     */
    @Override
    public void checkQuota(String account, long size) {
        if (quota.limit() > 0 || quota.messageLimit() > 0) {
            quota.check(account, size, 1);
        }
    }

    /**
     * Takes {@code octets} in {@code messages} from the account's quota for messages written outside delivery (IMAP
     * APPEND, COPY), or throws {@link QuotaExceededException}; give them back with {@link #releaseQuota} if the write
     * fails.
     */
    public void reserveQuota(String account, long octets, long messages) {
        quota.reserve(account, octets, messages);
    }

    /** Gives octets and messages back: messages removed, or a write that failed after {@link #reserveQuota}. */
    public void releaseQuota(String account, long octets, long messages) {
        quota.release(account, octets, messages);
    }

    /** Forgets the account's figure so it is counted again from the file names (after a folder was deleted). */
    public void recountQuota(String account) {
        quota.forget(account);
    }

    /** Octets allowed per account, 0 for no limit ({@code limits.quotaPerAccount}). */
    public long quotaLimit() {
        return quota.limit();
    }

    /** Messages allowed per account, 0 for no limit ({@code limits.quotaMessagesPerAccount}). */
    public long messageQuotaLimit() {
        return quota.messageLimit();
    }

    /** Octets the account uses across all folders. */
    public long usage(String account) {
        return quota.used(account).octets();
    }

    /** Messages the account holds across all folders. */
    public long messageUsage(String account) {
        return quota.used(account).messages();
    }

    /** Group commits (batches flushed together) so far: deliveries / this = average batch size. */
    public int groupCommits() {
        return commit.batches();
    }

    GroupCommit groupCommit() {
        return commit;
    }

    static byte[] returnPathHeader(String returnPath) {
        String rp = returnPath == null ? "" : returnPath.replaceAll("[\\r\\n<>]", "");
        return ("Return-Path: <" + rp + ">\r\n").getBytes(StandardCharsets.UTF_8);
    }

    /** The Maildir of an account's INBOX; created (durably) if it does not exist yet. */
    public Path inbox(String account) throws IOException {
        Path dir = accountDir(account);
        ensureMaildir(dir);
        return dir;
    }

    /** The account's Maildir root (its INBOX). */
    public Path accountDir(String account) {
        return mailRoot.resolve(SafeName.encodeAccount(account));
    }

    /** The Maildir of a folder: INBOX (any case) is the root, "A/B" is {@code .A.B}. */
    public Path folderDir(String account, String folder) {
        return folderDir(accountDir(account), folder);
    }

    /**
     * The one mapping of folder names to Maildir++ directories, for delivery and for the mailboxes: INBOX (any case)
     * is the account root, "A/B" is {@code .A.B} with each level in {@link SafeName#encodeFolderComponent}.
     */
    public static Path folderDir(Path accountRoot, String folder) {
        if (folder.equalsIgnoreCase(INBOX)) {
            return accountRoot;
        }
        StringBuilder name = new StringBuilder();
        for (String part : folder.split("/", -1)) {
            name.append('.').append(SafeName.encodeFolderComponent(part));
        }
        return accountRoot.resolve(name.toString());
    }

    /** The folder name of a Maildir++ directory name ({@code .A.B} is "A/B"): {@link #folderDir} reversed. */
    public static String folderName(String directoryName) {
        StringBuilder sb = new StringBuilder();
        for (String part : directoryName.substring(1).split("\\.", -1)) {
            if (sb.length() > 0) {
                sb.append('/');
            }
            sb.append(SafeName.decodeFolderComponent(part));
        }
        return sb.toString();
    }

    Path mailRoot() {
        return mailRoot;
    }

    /**
     * Creates {@code cur/ new/ tmp/} (and the Maildir++ marker for subfolders) if missing, durably: the new
     * directory entries are forced up to {@code mail/}.
     */
    void ensureMaildir(Path dir) throws IOException {
        if (knownMaildirs.contains(dir)) {
            return;
        }
        if (!Files.isDirectory(dir.resolve("new")) || !Files.isDirectory(dir.resolve("cur")) || !Files.isDirectory(dir.resolve("tmp"))) {
            Files.createDirectories(dir.resolve("cur"));
            Files.createDirectories(dir.resolve("new"));
            Files.createDirectories(dir.resolve("tmp"));
            if (!dir.getParent().equals(mailRoot)) {
                Path marker = dir.resolve("maildirfolder");
                if (!Files.exists(marker)) {
                    Files.createFile(marker);
                }
            }
            GroupCommit.forceDirectory(dir);
            GroupCommit.forceDirectory(dir.getParent());
            if (!dir.getParent().equals(mailRoot)) {
                GroupCommit.forceDirectory(mailRoot);
            }
        }
        knownMaildirs.add(dir);
    }

    void forgetMaildir(Path dir) {
        knownMaildirs.remove(dir);
    }

    /**
     * Octets and messages of an account: the {@code ,S=} sizes in the names (a stat only for names without it), and
     * the files in {@code cur/} and {@code new/}.
     */
    QuotaLedger.Usage countUsage(String account) {
        Path root = accountDir(account);
        if (!Files.isDirectory(root)) {
            return new QuotaLedger.Usage(0, 0);
        }
        long total = 0;
        long messages = 0;
        try {
            for (Path folder : folderDirs(root)) {
                for (String sub : new String[] {"cur", "new"}) {
                    Path d = folder.resolve(sub);
                    if (!Files.isDirectory(d)) {
                        continue;
                    }
                    try (DirectoryStream<Path> files = Files.newDirectoryStream(d)) {
                        for (Path f : files) {
                            long s = MaildirName.size(f.getFileName().toString());
                            if (s < 0) {
                                try {
                                    s = Files.size(f);
                                } catch (IOException gone) {
                                    s = 0;
                                }
                            }
                            total += s;
                            messages++;
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new QuotaLedger.Usage(total, messages);
    }

    /** The account root and every Maildir++ folder directory under it. */
    static List<Path> folderDirs(Path accountRoot) throws IOException {
        List<Path> dirs = new ArrayList<>();
        dirs.add(accountRoot);
        try (DirectoryStream<Path> children = Files.newDirectoryStream(accountRoot,
                p -> p.getFileName().toString().startsWith(".") && Files.isDirectory(p))) {
            for (Path p : children) {
                String n = p.getFileName().toString();
                if (!n.equals(".") && !n.equals("..")) {
                    dirs.add(p);
                }
            }
        }
        return dirs;
    }

    private void cleanSpool() throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(spoolDir)) {
            for (Path f : files) {
                Files.deleteIfExists(f);
            }
        }
    }

    private void cleanTmp() throws IOException {
        int removed = 0;
        try (DirectoryStream<Path> accounts = Files.newDirectoryStream(mailRoot, Files::isDirectory)) {
            for (Path account : accounts) {
                for (Path folder : folderDirs(account)) {
                    Path tmp = folder.resolve("tmp");
                    if (!Files.isDirectory(tmp)) {
                        continue;
                    }
                    try (DirectoryStream<Path> files = Files.newDirectoryStream(tmp)) {
                        for (Path f : files) {
                            Files.deleteIfExists(f);
                            removed++;
                        }
                    }
                }
            }
        }
        if (removed > 0) {
            LOG.infof("removed %d unfinished files from Maildir tmp/ directories (left by a crash)", removed);
        }
    }

    /** Stops taking deliveries, finishes those already queued. */
    @Override
    public void close() {
        commit.close();
    }

    /** One recipient's copy of a delivered message. */
    private final class DeliveryWrite extends GroupCommit.FileWrite {
        private final String account;
        private final Path dir;
        private final Spool spool;
        private final byte[] header;
        private final long size;
        private String name;
        private boolean reserved;

        DeliveryWrite(String account, Path dir, Spool spool, byte[] header) {
            this.account = account;
            this.dir = dir;
            this.spool = spool;
            this.header = header;
            this.size = header.length + spool.size();
        }

        @Override
        void prepare() throws IOException {
            ensureMaildir(dir);
            quota.reserve(account, size, 1);
            reserved = true;
            name = MaildirName.unique(Instant.now(), size);
        }

        @Override
        Path tmp() {
            return dir.resolve("tmp").resolve(name);
        }

        @Override
        Path target() {
            return dir.resolve("new").resolve(name);
        }

        @Override
        void write(FileChannel out) throws IOException {
            ByteBuffer h = ByteBuffer.wrap(header);
            while (h.hasRemaining()) {
                out.write(h);
            }
            spool.copyTo(out);
        }

        @Override
        void abandoned() {
            if (reserved) {
                quota.release(account, size, 1);
                reserved = false;
            }
        }

        @Override
        void committed() {
            observer.delivered(account, dir, name);
        }
    }
}
