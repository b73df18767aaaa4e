package io.sealmail.engine.auth;

import io.sealmail.config.ConfigException;
import io.sealmail.config.EngineConfig;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * Accounts from a file ({@link AccountsFile}), aliases and local domains from the engine configuration.
 *
 * <p>The file is polled (every second by default) and reloaded when it changes, without a restart: a new account
 * can log in, and a removed one cannot, within a couple of seconds. The poll follows symlinks on every check, so the
 * kubelet's atomic update of a mounted Secret (a new timestamped directory, then the {@code ..data} symlink swapped)
 * is seen like a rewrite in place. A file that becomes unreadable or too large keeps the previous accounts serving.
 *
 * <p>An unknown user, or one whose hash is unusable, is checked against a decoy hash of the same cost as most real
 * ones, so the reply time does not tell which accounts exist. A successful login is remembered for an hour
 * ({@link VerifiedLogins}), so reconnecting clients do not pay the hash each time; wrong passwords always do.
 */
public final class FileAccountDirectory implements AccountDirectory, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(FileAccountDirectory.class);
    public static final Duration DEFAULT_POLL = Duration.ofSeconds(1);
    /** Refused beyond this: 64 MiB is half a million accounts; anything larger is a mistake or an attack. */
    static final long MAX_FILE_SIZE = 64L * 1024 * 1024;
    /** Re-read and compare content this often even when the file's metadata looks unchanged. */
    private static final int FULL_CHECK_EVERY = 30;

    private record Snapshot(AccountsFile file, PasswordHash decoy, String sha256) {
    }

    /** What the poll compares: where the symlinks lead now, which inode, when it changed, how big. */
    private record Fingerprint(Path realPath, Object fileKey, long modifiedNanos, long size) {
    }

    private final Path file;
    private final Set<String> domains;
    private final Map<String, String> aliases;
    private final ScheduledExecutorService poller;
    private final AtomicLong reloads = new AtomicLong();
    private final VerifiedLogins verified = new VerifiedLogins(VerifiedLogins.DEFAULT_TTL, java.time.Clock.systemUTC());
    private volatile Snapshot snapshot;
    // Poller thread only:
    private Fingerprint seen;
    private int pollsSinceFullCheck;
    private String lastFailure;

    private FileAccountDirectory(Path file, Collection<String> domains, Map<String, String> aliases) {
        this.file = file;
        this.domains = domains.stream().map(FileAccountDirectory::normalizeDomain).collect(Collectors.toUnmodifiableSet());
        Map<String, String> lowered = new HashMap<>();
        aliases.forEach((k, v) -> lowered.put(normalize(k), normalize(v)));
        this.aliases = Map.copyOf(lowered);
        this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sealmail-accounts-reload");
            t.setDaemon(true);
            return t;
        });
    }

    /** The accounts file, domains and aliases of an engine configuration, polled every second. */
    public static FileAccountDirectory open(EngineConfig config) {
        return open(Path.of(config.accountsFile()), config.domains(), config.aliases(), DEFAULT_POLL);
    }

    /**
     * Loads the file now (a file that cannot be read is a {@link ConfigException}: the engine does not start without
     * its accounts) and polls it every {@code poll} from then on.
     */
    public static FileAccountDirectory open(Path file, Collection<String> domains, Map<String, String> aliases, Duration poll) {
        FileAccountDirectory directory = new FileAccountDirectory(file, domains, aliases);
        try {
            directory.seen = directory.fingerprint();
            directory.load(directory.read(directory.seen), false);
        } catch (IOException e) {
            directory.poller.shutdownNow();
            throw new ConfigException("accountsFile: cannot read " + file + ": " + describe(e), e);
        }
        long millis = Math.max(10, poll.toMillis());
        directory.poller.scheduleWithFixedDelay(directory::poll, millis, millis, TimeUnit.MILLISECONDS);
        return directory;
    }

    // ---------------------------------------------------------------- AccountDirectory

    @Override
    public Optional<String> authenticate(String username, char[] password) {
        Snapshot s = snapshot;
        if (password == null) {
            return Optional.empty();
        }
        String address = username == null ? "" : normalize(username);
        PasswordHash hash = s.file().accounts().get(address);
        if (hash == null) {
            // Same work as a real check, so an unknown or locked user looks like a wrong password.
            s.decoy().verify(password);
            return Optional.empty();
        }
        if (verified.matches(address, hash, password)) {
            return Optional.of(address);
        }
        if (!hash.verify(password)) {
            return Optional.empty();
        }
        verified.remember(address, hash, password);
        return Optional.of(address);
    }

    @Override
    public Optional<String> recentlyVerified(String username, char[] password) {
        Snapshot s = snapshot;
        if (password == null || username == null) {
            return Optional.empty();
        }
        String address = normalize(username);
        PasswordHash hash = s.file().accounts().get(address);
        return hash != null && verified.matches(address, hash, password) ? Optional.of(address) : Optional.empty();
    }

    @Override
    public Optional<ScramCredentials> scram(String username) {
        return username == null ? Optional.empty() : Optional.ofNullable(snapshot.file().scram().get(normalize(username)));
    }

    @Override
    public Optional<String> canonical(String username) {
        if (username == null) {
            return Optional.empty();
        }
        String address = normalize(username);
        return snapshot.file().accounts().containsKey(address) ? Optional.of(address) : Optional.empty();
    }

    @Override
    public Optional<String> resolveRecipient(String address) {
        if (address == null) {
            return Optional.empty();
        }
        String a = normalize(address);
        int at = a.lastIndexOf('@');
        if (at <= 0 || !isLocalDomain(a.substring(at + 1))) {
            return Optional.empty();
        }
        AccountsFile accounts = snapshot.file();
        if (accounts.exists(a)) {
            return Optional.of(a);
        }
        String target = aliases.get(a);
        if (target == null) {
            // "@example.org: postmaster@example.org" catches every other address of the domain, as in Postfix.
            target = aliases.get(a.substring(at));
        }
        return target != null && accounts.exists(target) ? Optional.of(target) : Optional.empty();
    }

    @Override
    public boolean isLocalDomain(String domain) {
        return domain != null && domains.contains(normalizeDomain(domain));
    }

    @Override
    public boolean maySendAs(String account, String address) {
        if (account == null || address == null) {
            return false;
        }
        String acc = normalize(account);
        String a = normalize(address);
        // Exact aliases only: owning a catch-all does not make every address of the domain yours to send as.
        return a.equals(acc) || acc.equals(aliases.get(a));
    }

    // ---------------------------------------------------------------- observation

    /** The accounts serving now, with the problems found in the file. */
    public AccountsFile current() {
        return snapshot.file();
    }

    /** How many times a changed file was loaded after the first load. */
    public long reloads() {
        return reloads.get();
    }

    @Override
    public void close() {
        poller.shutdownNow();
    }

    // ---------------------------------------------------------------- reload

    private void poll() {
        try {
            Fingerprint now = fingerprint();
            boolean full = ++pollsSinceFullCheck >= FULL_CHECK_EVERY;
            if (now.equals(seen) && !full) {
                return;
            }
            pollsSinceFullCheck = 0;
            byte[] content = read(now);
            seen = now;
            if (!sha256(content).equals(snapshot.sha256())) {
                load(content, true);
            }
            if (lastFailure != null) {
                LOG.infof("accounts: %s is readable again", file);
                lastFailure = null;
            }
        } catch (IOException | RuntimeException e) {
            String failure = e instanceof IOException io ? describe(io) : e.toString();
            if (!failure.equals(lastFailure)) {
                // Logged once per distinct problem, not every second; the previous accounts keep serving.
                LOG.warnf("accounts: cannot reload %s: %s; the previous accounts stay in use", file, failure);
                lastFailure = failure;
            }
        }
    }

    private Fingerprint fingerprint() throws IOException {
        Path real = file.toRealPath();
        BasicFileAttributes attrs = Files.readAttributes(real, BasicFileAttributes.class);
        return new Fingerprint(real, attrs.fileKey(), attrs.lastModifiedTime().to(TimeUnit.NANOSECONDS), attrs.size());
    }

    private byte[] read(Fingerprint fingerprint) throws IOException {
        if (fingerprint.size() > MAX_FILE_SIZE) {
            throw new IOException("larger than " + MAX_FILE_SIZE / (1024 * 1024) + " MiB");
        }
        byte[] content = Files.readAllBytes(fingerprint.realPath());
        if (content.length > MAX_FILE_SIZE) {
            throw new IOException("larger than " + MAX_FILE_SIZE / (1024 * 1024) + " MiB");
        }
        return content;
    }

    private void load(byte[] content, boolean reload) {
        AccountsFile parsed = AccountsFile.parse(new String(content, StandardCharsets.UTF_8));
        for (String problem : parsed.problems()) {
            LOG.warnf("accounts: %s %s", file, problem);
        }
        aliases.forEach((alias, target) -> {
            if (!parsed.exists(target)) {
                LOG.warnf("accounts: alias %s points to %s, which is not in %s; mail to the alias is refused", alias, target, file);
            }
        });
        snapshot = new Snapshot(parsed, decoyFor(parsed), sha256(content));
        if (reload) {
            reloads.incrementAndGet();
        }
        LOG.infof("accounts: %s %s: %d accounts%s", reload ? "reloaded" : "loaded", file, parsed.accounts().size() + parsed.locked().size(),
                parsed.problems().isEmpty() ? "" : ", " + parsed.problems().size() + " lines with problems");
    }

    /** A decoy with the cost most accounts use, so a miss costs what a hit costs for the typical account. */
    static PasswordHash decoyFor(AccountsFile accounts) {
        Map<String, PasswordHash> byCost = new HashMap<>();
        Map<String, Long> counts = accounts.accounts().values().stream().collect(Collectors.groupingBy(h -> {
            String cost = h instanceof Argon2Hash a ? a.cost() : "bcrypt " + ((BcryptHash) h).cost();
            byCost.putIfAbsent(cost, h);
            return cost;
        }, Collectors.counting()));
        return counts.entrySet().stream().max(Map.Entry.<String, Long>comparingByValue().thenComparing(Map.Entry.comparingByKey(Comparator.reverseOrder())))
                .map(e -> byCost.get(e.getKey()).decoy())
                .orElseGet(FileAccountDirectory::defaultDecoy);
    }

    private static PasswordHash defaultDecoy() {
        SecureRandom random = new SecureRandom();
        byte[] salt = new byte[Argon2Hash.SALT_LENGTH];
        byte[] hash = new byte[Argon2Hash.HASH_LENGTH];
        random.nextBytes(salt);
        random.nextBytes(hash);
        Argon2Hash.Parameters p = Argon2Hash.Parameters.OWASP;
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return Argon2Hash.parse("$argon2id$v=19$m=" + p.memoryKib() + ",t=" + p.iterations() + ",p=" + p.parallelism()
                + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(hash));
    }

    private static String sha256(byte[] content) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String normalize(String address) {
        return address.strip().toLowerCase(Locale.ROOT);
    }

    private static String normalizeDomain(String domain) {
        String d = domain.strip().toLowerCase(Locale.ROOT);
        return d.endsWith(".") ? d.substring(0, d.length() - 1) : d;
    }

    private static String describe(IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        return Objects.requireNonNullElse(e.getMessage(), e.getClass().getSimpleName());
    }
}
