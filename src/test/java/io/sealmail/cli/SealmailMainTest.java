package io.sealmail.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.main.Launch;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainTest;

/**
 * The real application (Quarkus + picocli + CDI), started as {@code sealmail ...}: proves the shared error
 * handling reaches commands through {@link CommandLineCustomizer}, not only in the in-process tests.
 */
@QuarkusMainTest
class SealmailMainTest {
    @Test
    @Launch(value = {"ca", "issue", "--dns", "mail.example.com", "--out", "target/never"}, exitCode = 2)
    @DisplayName("a missing option is one line on stderr and exit code 2")
    void usageError(LaunchResult result) {
        assertThat(result.getErrorStream()).containsExactly(
                "sealmail ca issue: Missing required option: '--ca=DIR' (see 'sealmail ca issue --help')");
        assertThat(result.getOutput()).isEmpty();
    }

    @Test
    @Launch(value = {"ca", "issue", "--ca-dir", "target/ca", "--dns", "mail.example.com", "--out", "target/never"}, exitCode = 2)
    @DisplayName("a misspelt option is named as unknown, with the option meant, not as a missing one")
    void unknownOption(LaunchResult result) {
        assertThat(result.getErrorStream()).containsExactly(
                "sealmail ca issue: Unknown option: '--ca-dir'; did you mean '--ca'? (see 'sealmail ca issue --help')");
        assertThat(result.getOutput()).isEmpty();
    }

    @Test
    @Launch(value = {"ca", "issue", "--ca", "target/no-such-ca", "--dns", "mail.example.com", "--out", "target/never"}, exitCode = 1)
    @DisplayName("a user error is one line on stderr and exit code 1")
    void userError(LaunchResult result) {
        assertThat(result.getErrorStream()).containsExactly("sealmail ca issue: target/no-such-ca: no such directory"
                + " (create a CA with 'sealmail ca init --out target/no-such-ca')");
    }
}
