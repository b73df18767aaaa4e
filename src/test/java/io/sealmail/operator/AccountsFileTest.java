package io.sealmail.operator;

import io.fabric8.kubernetes.api.model.Secret;
import io.sealmail.operator.api.v1alpha1.MailServer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class AccountsFileTest {
    private static final List<String> DOMAINS = List.of("example.com", "example.org");
    private final Argon2idHasher hasher = new Argon2idHasher();

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aKeySplitsAtItsLastUnderscoreOnlyWhenAConfiguredDomainFollows() {
        assertThat(AccountsFile.address("alice_example.org", DOMAINS)).isEqualTo("alice@example.org");
        assertThat(AccountsFile.address("alice_EXAMPLE.org", DOMAINS)).isEqualTo("alice@example.org");
        assertThat(AccountsFile.address("john_doe_example.com", DOMAINS)).isEqualTo("john_doe@example.com");
        assertThat(AccountsFile.address("john.doe", DOMAINS)).as("no '_': the first domain").isEqualTo("john.doe@example.com");
        // Anything else is refused rather than guessed: a typo in the domain, or a local part with '_' and no domain.
        assertThat(AccountsFile.address("alice_example.net", DOMAINS)).isNull();
        assertThat(AccountsFile.address("john_doe", DOMAINS)).isNull();
    }

    @Test
    void aRefusedKeyIsNamedWithWhatToWriteInstead() {
        var entries = AccountsFile.entries(Map.of("john_doe", b64("pw"), "alice_example.net", b64("pw")), DOMAINS);
        assertThat(entries.passwords()).isEmpty();
        assertThat(entries.problems()).extracting(AccountsFile.Problem::describe).containsExactly(
                "key alice_example.net: 'example.net' after the last '_' is not one of spec.domains (example.com, "
                        + "example.org): write the address with its '@' as '_' and a configured domain, e.g. "
                        + "alice_example.com, or list it under the key 'accounts'",
                "key john_doe: 'doe' after the last '_' is not one of spec.domains (example.com, example.org): write "
                        + "the address with its '@' as '_' and a configured domain, e.g. john_doe_example.com, or list "
                        + "it under the key 'accounts'");
    }

    @Test
    void theAccountsKeyListsAddressesAndPasswordsOnePerLine() {
        String given = hasher.hash("from elsewhere");
        String list = """
                # address            password or PHC hash
                alice@example.com    correct horse battery staple
                Bob@Example.ORG      %s

                carol_x@example.org  p4ss
                """.formatted(given);
        var entries = AccountsFile.entries(Map.of("accounts", b64(list), "dave_example.com", b64("pw")), DOMAINS);
        assertThat(entries.problems()).isEmpty();
        assertThat(entries.passwords()).containsOnly(
                Map.entry("alice@example.com", "correct horse battery staple"),
                Map.entry("bob@example.org", given),
                Map.entry("carol_x@example.org", "p4ss"),
                Map.entry("dave@example.com", "pw"));
        var rendered = new AccountsFile(hasher).render(Map.of("accounts", b64(list)), null, DOMAINS);
        Map<String, String> lines = AccountsFile.parse(rendered.content());
        assertThat(hasher.matches("correct horse battery staple", lines.get("alice@example.com"))).isTrue();
        assertThat(lines.get("bob@example.org")).isEqualTo(given);
    }

    @Test
    void badLinesAndRepeatedAddressesAreNamedAndSkipped() {
        String list = """
                alice@example.com one
                mallory@example.net two
                no-at-sign three
                bob@example.com
                .dot@example.com four
                alice@example.com again
                """;
        var entries = AccountsFile.entries(Map.of("accounts", b64(list), "bob_example.com", b64("pw")), DOMAINS);
        assertThat(entries.passwords()).containsOnlyKeys("alice@example.com", "bob@example.com");
        assertThat(entries.passwords().get("alice@example.com")).isEqualTo("one");
        assertThat(entries.problems()).extracting(AccountsFile.Problem::describe).containsExactly(
                "key accounts, line 2: example.net is not one of spec.domains (example.com, example.org)",
                "key accounts, line 3: 'no-at-sign' is not an address (local-part@domain)",
                "key accounts, line 4: no password after the address",
                "key accounts, line 5: '.dot' is not a valid local part",
                "key accounts, line 6: alice@example.com is already given by key accounts, line 1");
        // The same address from a key and from the list: the key (after "accounts" in key order) is refused.
        var both = AccountsFile.entries(Map.of("accounts", b64("carol@example.com one"), "carol", b64("two")), DOMAINS);
        assertThat(both.passwords()).containsOnly(Map.entry("carol@example.com", "one"));
        assertThat(both.problems()).extracting(AccountsFile.Problem::describe)
                .containsExactly("key carol: carol@example.com is already given by key accounts, line 1");
    }

    @Test
    void plaintextIsHashedWithArgon2idAndAGivenHashIsKeptAsIs() {
        String given = hasher.hash("from elsewhere");
        Map<String, String> user = new LinkedHashMap<>();
        user.put("alice", b64("correct horse"));
        user.put("bob_example.org", b64(given));
        var rendered = new AccountsFile(hasher).render(user, null, DOMAINS);
        Map<String, String> lines = AccountsFile.parse(rendered.content());
        assertThat(lines).containsOnlyKeys("alice@example.com", "bob@example.org");
        assertThat(hasher.matches("correct horse", lines.get("alice@example.com"))).isTrue();
        assertThat(hasher.matches("wrong", lines.get("alice@example.com"))).isFalse();
        assertThat(lines.get("bob@example.org")).isEqualTo(given);
        assertThat(rendered.content()).doesNotContain("correct horse");
    }

    @Test
    void anUnchangedPasswordKeepsItsHashSoNothingIsRewritten() {
        AccountsFile file = new AccountsFile(hasher);
        Map<String, String> user = Map.of("alice", b64("correct horse"));
        String first = file.render(user, null, DOMAINS).content();
        // A fresh renderer (as after an operator restart) must verify, not re-salt.
        String second = new AccountsFile(hasher).render(user, first, DOMAINS).content();
        assertThat(second).isEqualTo(first);
        String changed = new AccountsFile(hasher).render(Map.of("alice", b64("new")), first, DOMAINS).content();
        assertThat(changed).isNotEqualTo(first);
    }

    @Test
    void badEntriesAreReportedAndSkipped() {
        Map<String, String> user = new LinkedHashMap<>();
        user.put("alice_example.net", b64("pw"));
        user.put("empty", b64(""));
        user.put("ok", b64("pw"));
        var rendered = new AccountsFile(hasher).render(user, null, DOMAINS);
        assertThat(rendered.addresses()).containsExactly("ok@example.com");
        assertThat(rendered.problems()).extracting(AccountsFile.Problem::key).containsExactlyInAnyOrder("alice_example.net", "empty");
        assertThat(AccountsFile.problems(user, DOMAINS)).hasSize(2);
    }

    @Test
    void aHostileHashIsNotComputed() {
        assertThat(hasher.matches("pw", "$argon2id$v=19$m=4194304,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g")).isFalse();
        assertThat(hasher.matches("pw", "not a hash")).isFalse();
    }

    /**
     * Issue 16, item 3: a hash whose cost the operator did not choose (here 64 MiB, well under the 1 GiB the old
     * bound let through) is never computed; the password is hashed again with the operator's parameters instead.
     */
    @Test
    void onlyHashesWithTheOperatorsOwnParametersAreVerified() {
        String costly = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHRzYWx0c2FsdA$" + "A".repeat(43);
        long before = Argon2idHasher.derivations();
        assertThat(hasher.matches("pw", costly)).isFalse();
        assertThat(hasher.matches("pw", "$argon2id$v=19$m=1048576,t=20,p=16$c2FsdHNhbHQ$aGFzaGhhc2g")).isFalse();
        assertThat(Argon2idHasher.derivations()).as("nothing derived").isEqualTo(before);

        String rendered = new AccountsFile(hasher).render(Map.of("alice", b64("pw")), "alice@example.com " + costly + "\n",
                DOMAINS).content();
        assertThat(AccountsFile.parse(rendered).get("alice@example.com")).startsWith("$argon2id$v=19$m=19456,t=2,p=1$");
    }

    /** At most {@value Argon2idHasher#CONCURRENT} derivations of 19 MiB run at once, however many threads ask. */
    @Test
    void derivationsAreBoundedAcrossThreads() throws Exception {
        var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            List<java.util.concurrent.Future<String>> hashes = new java.util.ArrayList<>();
            for (int i = 0; i < 16; i++) {
                String password = "password " + i;
                hashes.add(pool.submit(() -> hasher.hash(password)));
            }
            for (int i = 0; i < 16; i++) {
                assertThat(hasher.matches("password " + i, hashes.get(i).get())).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(Argon2idHasher.peakConcurrency()).isBetween(1, Argon2idHasher.CONCURRENT);
    }

    /**
     * A restarted operator (a fresh dependent, nothing remembered) keeps an accounts file derived from the same
     * version of the user's Secret without any Argon2id; a new version of that Secret is rendered again.
     */
    @Test
    void aRestartDerivesNothingForAnUnchangedSecret() {
        MailServer ms = OperatorTestSupport.mailServer("ns", "mail");
        Secret user = OperatorTestSupport.usersSecret("ns", "mail-users", Map.of("alice", "correct horse", "bob", "staple"));
        user.getMetadata().setUid("u-1");
        user.getMetadata().setResourceVersion("41");
        Secret written = new AccountsSecretDependent().desired(ms, user, null);
        assertThat(written.getMetadata().getAnnotations()).containsKey(AccountsSecretDependent.DERIVED_FROM);

        long before = Argon2idHasher.derivations();
        Secret again = new AccountsSecretDependent().desired(ms, user, written);
        assertThat(Argon2idHasher.derivations()).as("Argon2id runs after a restart").isEqualTo(before);
        assertThat(again.getData()).isEqualTo(written.getData());

        user.getMetadata().setResourceVersion("42");
        user.getData().put("bob", b64("a new one"));
        Secret changed = new AccountsSecretDependent().desired(ms, user, written);
        assertThat(Argon2idHasher.derivations()).isGreaterThan(before);
        Map<String, String> lines = AccountsFile.parse(OperatorTestSupport.text(changed, EngineContainer.ACCOUNTS_KEY));
        assertThat(hasher.matches("a new one", lines.get("bob@example.com"))).isTrue();
        assertThat(lines.get("alice@example.com")).as("alice's hash verified and kept")
                .isEqualTo(AccountsFile.parse(OperatorTestSupport.text(written, EngineContainer.ACCOUNTS_KEY)).get("alice@example.com"));
    }

    @Test
    void goDurations() {
        assertThat(GoDuration.parse("2160h")).hasDays(90);
        assertThat(GoDuration.parse("1h30m").toMinutes()).isEqualTo(90);
    }
}
