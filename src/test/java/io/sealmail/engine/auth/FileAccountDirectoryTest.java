package io.sealmail.engine.auth;

import io.sealmail.config.ConfigException;
import io.sealmail.testing.LogCapture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class FileAccountDirectoryTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Argon2Hash.Parameters FAST = new Argon2Hash.Parameters(256, 1, 1);
    private static final Duration POLL = Duration.ofMillis(50);

    @TempDir
    Path dir;
    private final List<FileAccountDirectory> opened = new ArrayList<>();

    @AfterEach
    void close() {
        opened.forEach(FileAccountDirectory::close);
    }

    static String argon2(String password) {
        return Argon2Hash.create(password.toCharArray(), FAST, RANDOM).encoded();
    }

    private FileAccountDirectory open(Path file, Map<String, String> aliases) {
        FileAccountDirectory d = FileAccountDirectory.open(file, List.of("example.org", "Example.NET."), aliases, POLL);
        opened.add(d);
        return d;
    }

    @Test
    void readsAccountsCommentsBlankLinesAndBothHashKinds() throws IOException {
        Path file = dir.resolve("accounts");
        Files.writeString(file, "# Sealmail accounts\n\n"
                + "Alice@Example.ORG " + argon2("alice pw") + "\n"
                + "   \t\n"
                + "bob@example.net\t\t" + BcryptHash.create("bob pw".toCharArray(), 4, RANDOM).encoded() + "   \r\n"
                + "  # indented comment\n");
        FileAccountDirectory d = open(file, Map.of());

        assertThat(d.current().problems()).isEmpty();
        assertThat(d.authenticate("alice@example.org", "alice pw".toCharArray())).contains("alice@example.org");
        assertThat(d.authenticate("ALICE@EXAMPLE.ORG", "alice pw".toCharArray())).as("addresses ignore case").contains("alice@example.org");
        assertThat(d.authenticate("alice@example.org", "Alice pw".toCharArray())).as("passwords do not").isEmpty();
        assertThat(d.authenticate("bob@example.net", "bob pw".toCharArray())).contains("bob@example.net");
        assertThat(d.authenticate("carol@example.org", "alice pw".toCharArray())).isEmpty();
        assertThat(d.authenticate(null, "x".toCharArray())).isEmpty();
        assertThat(d.authenticate("alice@example.org", null)).isEmpty();
    }

    @Test
    void badLinesAreReportedWithTheirNumberAndSkipped() throws IOException {
        Path file = dir.resolve("accounts");
        String good = argon2("pw");
        Files.writeString(file, String.join("\n",
                "ok@example.org " + good,                                   // 1
                "just-one-field",                                           // 2
                "a@example.org " + good + " extra",                         // 3
                "no-at-sign " + good,                                       // 4
                "@example.org " + good,                                     // 5
                "two@@example.org " + good,                                 // 6
                "ok@example.org " + good,                                   // 7 duplicate
                "OK@EXAMPLE.ORG " + good,                                   // 8 duplicate, other case
                "garbled@example.org $argon2id$v=19$m=1,t=1$x$y",            // 9
                "huge@example.org $argon2id$v=19$m=4194304,t=2,p=1$c29tZXNhbHQ$UcHvWlbaxt/McNcpTwyGpz3U1z7wnsx36M6uXUgFqgM", // 10
                "plain@example.org hunter2",                                // 11
                "x".repeat(5000),                                           // 12
                "weird<x>@example.org " + good,                             // 13
                "fine@example.org " + good));                               // 14
        FileAccountDirectory d = open(file, Map.of());

        assertThat(d.current().problems()).containsExactly(
                "line 2: expected 'address hash [scram]', found 1 field; skipped",
                "line 3: a@example.org: not a SCRAM-SHA-256 entry (expected SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>); SCRAM-SHA-256 is off for this account",
                "line 4: 'no-at-sign' is not an address (expected local-part@domain); skipped",
                "line 5: '@example.org' is not an address (expected local-part@domain); skipped",
                "line 6: 'two@@example.org' is not an address (expected local-part@domain); skipped",
                "line 7: ok@example.org is already defined on line 1; skipped",
                "line 8: ok@example.org is already defined on line 1; skipped",
                "line 9: garbled@example.org: garbled Argon2 hash (expected $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>); this account cannot log in",
                "line 10: huge@example.org: Argon2 m=4194304 KiB is outside 8-262144; this account cannot log in",
                "line 11: plain@example.org: not a PHC or bcrypt hash (expected a string starting with $argon2id$ or $2y$); this account cannot log in",
                "line 12: longer than 4096 characters; skipped",
                "line 13: 'weird<x>@example.org' contains a character not allowed in an address; skipped");
        assertThat(d.authenticate("ok@example.org", "pw".toCharArray())).isPresent();
        assertThat(d.authenticate("fine@example.org", "pw".toCharArray())).as("lines after bad ones still count").isPresent();
        // A locked account cannot log in (not even with its "hash" as password) but still receives its mail.
        assertThat(d.authenticate("plain@example.org", "hunter2".toCharArray())).isEmpty();
        assertThat(d.resolveRecipient("plain@example.org")).contains("plain@example.org");
        assertThat(d.current().problems()).noneMatch(p -> p.contains("UcHvWlbaxt") || p.contains("hunter2"));
    }

    @Test
    void recipientsAliasesAndSenders() throws IOException {
        Path file = dir.resolve("accounts");
        Files.writeString(file, "alice@example.org " + argon2("a") + "\npostmaster@example.net " + argon2("p") + "\n");
        FileAccountDirectory d = open(file, Map.of(
                "Sales@Example.org", "ALICE@example.org",
                "@example.net", "postmaster@example.net",
                "ghost@example.org", "nobody@example.org"));

        assertThat(d.isLocalDomain("EXAMPLE.org")).isTrue();
        assertThat(d.isLocalDomain("example.net.")).isTrue();
        assertThat(d.isLocalDomain("example.com")).isFalse();
        assertThat(d.isLocalDomain(null)).isFalse();

        assertThat(d.resolveRecipient("ALICE@example.ORG")).contains("alice@example.org");
        assertThat(d.resolveRecipient("sales@example.org")).contains("alice@example.org");
        assertThat(d.resolveRecipient("anything@example.net")).as("catch-all alias").contains("postmaster@example.net");
        assertThat(d.resolveRecipient("bob@example.org")).isEmpty();
        assertThat(d.resolveRecipient("ghost@example.org")).as("alias to a missing account").isEmpty();
        assertThat(d.resolveRecipient("alice@example.com")).as("not our domain").isEmpty();
        assertThat(d.resolveRecipient("alice")).isEmpty();
        assertThat(d.resolveRecipient(null)).isEmpty();

        assertThat(d.maySendAs("alice@example.org", "Alice@Example.org")).isTrue();
        assertThat(d.maySendAs("alice@example.org", "sales@example.org")).isTrue();
        assertThat(d.maySendAs("alice@example.org", "postmaster@example.net")).isFalse();
        assertThat(d.maySendAs("postmaster@example.net", "random@example.net")).as("a catch-all is not a licence to send").isFalse();
        assertThat(d.maySendAs("alice@example.org", null)).isFalse();
    }

    @Test
    void aRewriteInPlaceAddsAndRemovesUsersWithinSeconds() throws IOException {
        Path file = dir.resolve("accounts");
        Files.writeString(file, "alice@example.org " + argon2("a") + "\n");
        FileAccountDirectory d = open(file, Map.of());
        assertThat(d.authenticate("bob@example.org", "b".toCharArray())).isEmpty();

        Files.writeString(file, "alice@example.org " + argon2("a") + "\nbob@example.org " + argon2("b") + "\n");
        await().atMost(Duration.ofSeconds(5)).until(() -> d.authenticate("bob@example.org", "b".toCharArray()).isPresent());

        Files.writeString(file, "bob@example.org " + argon2("b2") + "\n");
        await().atMost(Duration.ofSeconds(5)).until(() -> d.authenticate("alice@example.org", "a".toCharArray()).isEmpty());
        assertThat(d.authenticate("bob@example.org", "b".toCharArray())).as("old password gone").isEmpty();
        assertThat(d.authenticate("bob@example.org", "b2".toCharArray())).isPresent();
        assertThat(d.resolveRecipient("alice@example.org")).isEmpty();
    }

    @Test
    void aSameSizeRewriteWithTheSameTimestampIsStillSeen() throws IOException {
        Path file = dir.resolve("accounts");
        String alice = "alice@example.org " + argon2("a") + "\n";
        Files.writeString(file, alice);
        var mtime = Files.getLastModifiedTime(file);
        FileAccountDirectory d = open(file, Map.of());
        String carol = "carol@example.org " + argon2("c") + "\n";
        assertThat(carol.length()).isEqualTo(alice.length());
        Files.writeString(file, carol);
        Files.setLastModifiedTime(file, mtime);
        // Same inode, size and mtime: only the periodic content check (every 30 polls) can see it.
        await().atMost(Duration.ofSeconds(10)).until(() -> d.authenticate("carol@example.org", "c".toCharArray()).isPresent());
    }

    @Test
    void aKubeletSymlinkSwapIsSeen() throws IOException {
        Path volume = dir.resolve("volume");
        Files.createDirectories(volume);
        KubeletSecret secret = new KubeletSecret(volume);
        secret.write("alice@example.org " + argon2("a") + "\n");
        FileAccountDirectory d = open(volume.resolve("accounts"), Map.of());
        assertThat(d.authenticate("alice@example.org", "a".toCharArray())).isPresent();

        secret.write("bob@example.org " + argon2("b") + "\n");
        await().atMost(Duration.ofSeconds(5)).until(() -> d.authenticate("bob@example.org", "b".toCharArray()).isPresent());
        assertThat(d.authenticate("alice@example.org", "a".toCharArray())).isEmpty();
        assertThat(d.reloads()).isEqualTo(1);
    }

    @Test
    void aVanishedOrUnreadableFileKeepsThePreviousAccounts() throws IOException {
        Path file = dir.resolve("accounts");
        Files.writeString(file, "alice@example.org " + argon2("a") + "\n");
        FileAccountDirectory d = open(file, Map.of());
        try (LogCapture log = new LogCapture(FileAccountDirectory.class)) {
            Files.delete(file);
            // The poller has seen the file gone (its one warning), and the previous accounts still serve.
            await().atMost(Duration.ofSeconds(10)).until(() -> !log.warnings().isEmpty());
            assertThat(log.warnings()).singleElement().asString().contains("cannot reload").contains("previous accounts stay in use");
        }
        assertThat(d.authenticate("alice@example.org", "a".toCharArray())).isPresent();
        Files.writeString(file, "bob@example.org " + argon2("b") + "\n");
        await().atMost(Duration.ofSeconds(5)).until(() -> d.authenticate("bob@example.org", "b".toCharArray()).isPresent());
    }

    @Test
    void aMissingFileAtStartIsAConfigError() {
        assertThatThrownBy(() -> open(dir.resolve("nope"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("accountsFile: cannot read " + dir.resolve("nope") + ": no such file");
    }

    @Test
    void anEmptyFileIsValid() throws IOException {
        Path file = dir.resolve("accounts");
        Files.writeString(file, "");
        FileAccountDirectory d = open(file, Map.of());
        assertThat(d.current().accounts()).isEmpty();
        assertThat(d.authenticate("a@example.org", "x".toCharArray())).isEmpty();
    }

    @Test
    void theDecoyHasTheCostMostAccountsUse() {
        Argon2Hash.Parameters other = new Argon2Hash.Parameters(512, 1, 1);
        AccountsFile file = AccountsFile.parse(
                "a@x.org " + argon2("a") + "\nb@x.org " + argon2("b") + "\nc@x.org "
                        + Argon2Hash.create("c".toCharArray(), other, RANDOM).encoded() + "\n");
        PasswordHash decoy = FileAccountDirectory.decoyFor(file);
        assertThat(((Argon2Hash) decoy).cost()).isEqualTo("argon2id v=19 m=256,t=1,p=1");
        PasswordHash none = FileAccountDirectory.decoyFor(AccountsFile.parse(""));
        assertThat(((Argon2Hash) none).cost()).isEqualTo("argon2id v=19 m=19456,t=2,p=1");
        AccountsFile bcrypt = AccountsFile.parse("a@x.org " + BcryptHash.create("a".toCharArray(), 5, RANDOM).encoded());
        assertThat(((BcryptHash) FileAccountDirectory.decoyFor(bcrypt)).cost()).isEqualTo(5);
    }

    @Test
    void anUnknownUserCostsAboutWhatAWrongPasswordCosts() throws IOException {
        Path file = dir.resolve("accounts");
        Argon2Hash.Parameters real = new Argon2Hash.Parameters(8192, 2, 1);
        Files.writeString(file, "alice@example.org " + Argon2Hash.create("a".toCharArray(), real, RANDOM).encoded() + "\n");
        FileAccountDirectory d = open(file, Map.of());
        for (int i = 0; i < 3; i++) { // warm up
            d.authenticate("alice@example.org", "x".toCharArray());
            d.authenticate("nobody@example.org", "x".toCharArray());
        }
        long wrong = Long.MAX_VALUE;
        long unknown = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            long t0 = System.nanoTime();
            d.authenticate("alice@example.org", "x".toCharArray());
            long t1 = System.nanoTime();
            d.authenticate("nobody@example.org", "x".toCharArray());
            long t2 = System.nanoTime();
            wrong = Math.min(wrong, t1 - t0);
            unknown = Math.min(unknown, t2 - t1);
        }
        // Not a benchmark: a free miss would be thousands of times faster than one Argon2 pass over 8 MiB.
        assertThat(unknown).as("unknown %d ns vs wrong password %d ns", unknown, wrong).isGreaterThan(wrong / 3);
    }

    /** A Secret volume updated as kubelet's AtomicWriter does: new timestamped directory, ..data symlink renamed over. */
    static final class KubeletSecret {
        private final Path dir;
        private int generation;

        KubeletSecret(Path dir) {
            this.dir = dir;
        }

        void write(String accounts) throws IOException {
            Path data = dir.resolve("..data");
            Path old = Files.isSymbolicLink(data) ? dir.resolve(Files.readSymbolicLink(data)) : null;
            Path fresh = dir.resolve("..2026_11_29_01_00_0" + generation++ + ".1");
            Files.createDirectories(fresh);
            Files.writeString(fresh.resolve("accounts"), accounts);
            Path tmp = dir.resolve("..data_tmp");
            Files.createSymbolicLink(tmp, fresh.getFileName());
            Files.move(tmp, data, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Path link = dir.resolve("accounts");
            if (!Files.isSymbolicLink(link)) {
                Files.createSymbolicLink(link, Path.of("..data", "accounts"));
            }
            if (old != null) {
                Files.delete(old.resolve("accounts"));
                Files.delete(old);
            }
        }
    }

}
