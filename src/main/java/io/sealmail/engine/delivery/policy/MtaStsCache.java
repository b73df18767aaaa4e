package io.sealmail.engine.delivery.policy;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Fetched MTA-STS policies, kept until their max_age runs out (RFC 8461 §5.1). Each is also written to
 * {@code <dir>/<domain>.policy} so that a restart, or an attacker blocking the DNS record or the policy host, cannot
 * turn an enforced domain back into an opportunistic one (RFC 8461 §10.2). Memory holds the most recently used
 * {@link #MEMORY_ENTRIES}; the rest are read back from disk when needed.
 */
final class MtaStsCache {
    /** Domains held in memory; the disk copy has no count bound (one small file per domain that has a policy). */
    static final int MEMORY_ENTRIES = 10_000;
    private static final Logger LOG = Logger.getLogger(MtaStsCache.class);
    private static final String SUFFIX = ".policy";

    /** A policy as fetched under a TXT record id at an instant. */
    record Entry(String id, MtaStsPolicy policy, Instant fetched) {
        Instant expires() {
            return fetched.plus(policy.maxAge());
        }
    }

    private final Path dir;
    private final Clock clock;
    private final int memoryEntries;
    private final Map<String, Entry> memory;

    /** @param dir where policies persist; null keeps them in memory only */
    MtaStsCache(Path dir, Clock clock) {
        this(dir, clock, MEMORY_ENTRIES);
    }

    MtaStsCache(Path dir, Clock clock, int memoryEntries) {
        this.dir = dir;
        this.clock = clock;
        this.memoryEntries = memoryEntries;
        this.memory = new LinkedHashMap<>(16, 0.75f, true) {
            // MtaStsCache.Entry, qualified: inside a LinkedHashMap subclass javac 21+ takes a bare Entry for the
            // map's own nested Entry class (javac 17 did not), and the build on Java 25 failed.
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, MtaStsCache.Entry> eldest) {
                return size() > MtaStsCache.this.memoryEntries;
            }
        };
    }

    /** The unexpired policy for {@code domain}, from memory or disk. */
    Optional<Entry> get(String domain) {
        String key = MtaStsPolicy.normalize(domain);
        Entry entry;
        synchronized (memory) {
            entry = memory.get(key);
        }
        if (entry == null) {
            entry = read(key);
            if (entry != null) {
                synchronized (memory) {
                    memory.put(key, entry);
                }
            }
        }
        if (entry == null || !clock.instant().isBefore(entry.expires())) {
            return Optional.empty();
        }
        return Optional.of(entry);
    }

    void put(String domain, Entry entry) {
        String key = MtaStsPolicy.normalize(domain);
        synchronized (memory) {
            memory.put(key, entry);
        }
        write(key, entry);
    }

    private Path file(String domain) {
        // Only plain host names become file names: nothing like "../x" or "a/b" can reach the file system.
        return dir == null || !MtaStsPolicy.isDomain(domain) ? null : dir.resolve(domain + SUFFIX);
    }

    private Entry read(String domain) {
        Path file = file(domain);
        if (file == null) {
            return null;
        }
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            int blank = text.indexOf("\n\n");
            if (blank < 0) {
                throw new MtaStsSyntaxException("no blank line after the header");
            }
            String id = null;
            Instant fetched = null;
            for (String line : text.substring(0, blank).split("\n")) {
                if (line.startsWith("id: ")) {
                    id = MtaStsRecord.parse("v=STSv1; id=" + line.substring(4) + ";").id();
                } else if (line.startsWith("fetched: ")) {
                    fetched = Instant.ofEpochSecond(Long.parseLong(line.substring(9)));
                }
            }
            if (id == null || fetched == null) {
                throw new MtaStsSyntaxException("id or fetched missing");
            }
            return new Entry(id, MtaStsPolicy.parse(text.substring(blank + 2)), fetched);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | MtaStsSyntaxException | RuntimeException e) {
            LOG.warnf("MTA-STS: ignoring unreadable cached policy %s: %s", file, e.getMessage());
            return null;
        }
    }

    private void write(String domain, Entry entry) {
        Path file = file(domain);
        if (file == null) {
            return;
        }
        String text = "id: " + entry.id() + "\nfetched: " + entry.fetched().getEpochSecond() + "\n\n"
                + entry.policy().text();
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.createDirectories(dir);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            // The policy still applies from memory; only a restart would forget it.
            LOG.warnf("MTA-STS: cannot persist the policy of %s in %s: %s", domain, dir, e.getMessage());
        }
    }
}
