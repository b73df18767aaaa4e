package io.sealmail.operator;

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
    void keysAreAddressesWithTheAtWrittenAsAnUnderscoreOrBareLocalParts() {
        assertThat(AccountsFile.address("alice_example.org", DOMAINS)).isEqualTo("alice@example.org");
        assertThat(AccountsFile.address("john_doe_example.com", DOMAINS)).isEqualTo("john_doe@example.com");
        assertThat(AccountsFile.address("john.doe", DOMAINS)).isEqualTo("john.doe@example.com");
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

    @Test
    void goDurations() {
        assertThat(GoDuration.parse("2160h")).hasDays(90);
        assertThat(GoDuration.parse("1h30m").toMinutes()).isEqualTo(90);
    }
}
