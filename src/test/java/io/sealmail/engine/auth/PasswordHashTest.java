package io.sealmail.engine.auth;

import io.sealmail.testing.ExternalTool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Hashes are checked against independent implementations: the argon2 reference CLI (Debian package argon2) and
 * Apache's htpasswd -B (apache2-utils). Hashes those tools made once are kept in
 * {@code reference-hashes/hashes.tsv} (with the commands that made them) and checked everywhere; the tests that run
 * the tools live are skipped on a machine without them and required in CI (.ci/run installs both).
 */
class PasswordHashTest {
    private static final Argon2Hash.Parameters SMALL = new Argon2Hash.Parameters(1024, 1, 1);

    @ParameterizedTest(name = "argon2 CLI {0} hash of a UTF-8 password verifies")
    @CsvSource({
            "-id -t 2 -k 19456 -p 1",
            "-id -t 3 -m 12 -p 4",
            "-i -t 2 -m 10 -p 1",
            "-d -t 1 -m 10 -p 2",
            "-id -t 1 -m 10 -p 1 -l 64",
            "-id -t 1 -m 10 -p 1 -v 10",
    })
    void referenceArgon2HashesVerify(String options) throws Exception {
        String password = "correct horse ♞ battery";
        List<String> command = new ArrayList<>(List.of("argon2", "saltsalt1234"));
        command.addAll(List.of(options.split(" ")));
        command.add("-e");
        String phc = run(command, password).strip();

        PasswordHash hash = PasswordHash.parse(phc);
        assertThat(hash).isInstanceOf(Argon2Hash.class);
        assertThat(hash.verify(password.toCharArray())).isTrue();
        assertThat(hash.verify("correct horse ♞ batterY".toCharArray())).isFalse();
        assertThat(hash.verify(new char[0])).isFalse();
        assertThat(hash.encoded()).as("re-encoded exactly as the reference wrote it (v=16 gains its explicit v=)")
                .isEqualTo(phc.contains("$v=") ? phc : phc.replace("$m=", "$v=16$m="));
    }

    @ParameterizedTest(name = "kept reference hash made by ''{2}'' verifies")
    @MethodSource("referenceHashes")
    void hashesMadeByTheReferenceToolsVerify(String password, String encoded, String command) {
        PasswordHash hash = PasswordHash.parse(encoded);
        assertThat(hash).isInstanceOf(command.startsWith("argon2") ? Argon2Hash.class : BcryptHash.class);
        assertThat(hash.verify(password.toCharArray())).as(command).isTrue();
        assertThat(hash.verify(("#" + password.substring(1)).toCharArray())).isFalse();
        assertThat(hash.verify(new char[0])).isFalse();
        if (hash instanceof Argon2Hash) {
            assertThat(hash.encoded()).as("re-encoded exactly as the reference wrote it (v=16 gains its explicit v=)")
                    .isEqualTo(encoded.contains("$v=") ? encoded : encoded.replace("$m=", "$v=16$m="));
        }
    }

    @Test
    void ourArgon2idHashIsWhatTheReferenceComputedOnce() {
        String password = "pässwörd with spaces";
        Argon2Hash ours = Argon2Hash.create(password.toCharArray(), new Argon2Hash.Parameters(19456, 2, 1),
                "0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
        assertThat(referenceHashes().map(a -> (String) a.get()[1]).filter(h -> h.contains("MDEyMzQ1Njc4OWFiY2RlZg")))
                .containsExactly(ours.encoded());
    }

    @Test
    void bcryptCountsOnlyTheFirst72BytesOfAKeptReferenceHash() {
        PasswordHash hash = referenceHashes().map(a -> a.get())
                .filter(a -> ((String) a[0]).equals("a".repeat(100)))
                .map(a -> PasswordHash.parse((String) a[1])).findFirst().orElseThrow();
        assertThat(hash.verify("a".repeat(72).toCharArray())).isTrue();
        assertThat(hash.verify("a".repeat(71).toCharArray())).isFalse();
    }

    static Stream<Arguments> referenceHashes() {
        try (InputStream in = PasswordHashTest.class.getResourceAsStream("/reference-hashes/hashes.tsv")) {
            assertThat(in).as("reference-hashes/hashes.tsv on the test classpath").isNotNull();
            List<Arguments> rows = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.isBlank() && !l.startsWith("#"))
                    .map(l -> l.split("\t"))
                    .map(c -> Arguments.of(c[0], c[1], c[2]))
                    .toList();
            assertThat(rows).hasSize(11);
            return rows.stream();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void ourArgon2idHashIsWhatTheReferenceComputes() throws Exception {
        String password = "pässwörd with spaces";
        Argon2Hash ours = Argon2Hash.create(password.toCharArray(), new Argon2Hash.Parameters(19456, 2, 1),
                "0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
        String reference = run(List.of("argon2", "0123456789abcdef", "-id", "-t", "2", "-k", "19456", "-p", "1", "-e"), password).strip();
        assertThat(ours.encoded()).isEqualTo(reference);
    }

    @Test
    void newArgon2idHashesUseRandomSaltsAndTheOwaspCost() {
        SecureRandom random = new SecureRandom();
        Argon2Hash a = Argon2Hash.create("pw".toCharArray(), Argon2Hash.Parameters.OWASP, random);
        Argon2Hash b = Argon2Hash.create("pw".toCharArray(), Argon2Hash.Parameters.OWASP, random);
        assertThat(a.encoded()).startsWith("$argon2id$v=19$m=19456,t=2,p=1$").doesNotContain("=$").isNotEqualTo(b.encoded());
        assertThat(a.encoded().split("\\$")[4]).hasSize(22); // 16 bytes, unpadded
        assertThat(a.encoded().split("\\$")[5]).hasSize(43); // 32 bytes, unpadded
        assertThat(PasswordHash.parse(a.encoded()).verify("pw".toCharArray())).isTrue();
    }

    @ParameterizedTest(name = "htpasswd -B -C {0} hash verifies")
    @ValueSource(ints = {4, 5, 10})
    void htpasswdBcryptHashesVerify(int cost) throws Exception {
        String line = run(List.of("htpasswd", "-inB", "-C", Integer.toString(cost), "user"), "s3cret ünïcode").strip();
        String hash = line.substring(line.indexOf(':') + 1);
        assertThat(hash).startsWith("$2y$");
        PasswordHash parsed = PasswordHash.parse(hash);
        assertThat(parsed).isInstanceOf(BcryptHash.class);
        assertThat(parsed.verify("s3cret ünïcode".toCharArray())).isTrue();
        assertThat(parsed.verify("s3cret unicode".toCharArray())).isFalse();
        // $2b$ and $2a$ are the same algorithm for passwords like this one.
        assertThat(PasswordHash.parse(hash.replace("$2y$", "$2b$")).verify("s3cret ünïcode".toCharArray())).isTrue();
        assertThat(PasswordHash.parse(hash.replace("$2y$", "$2a$")).verify("s3cret ünïcode".toCharArray())).isTrue();
    }

    @Test
    void ourBcryptHashVerifiesWithHtpasswd() throws Exception {
        BcryptHash ours = BcryptHash.create("tr0ub4dor&3".toCharArray(), 5, new SecureRandom());
        assertThat(ours.encoded()).startsWith("$2b$05$").hasSize(60);
        java.nio.file.Path file = java.nio.file.Files.createTempFile("htpasswd", "");
        try {
            // htpasswd -v understands $2y$; $2b$ is the same algorithm with a different label.
            java.nio.file.Files.writeString(file, "user:" + ours.encoded().replace("$2b$", "$2y$") + "\n");
            assertThat(exit(List.of("htpasswd", "-vbi", file.toString(), "user"), "tr0ub4dor&3")).isZero();
            assertThat(exit(List.of("htpasswd", "-vbi", file.toString(), "user"), "tr0ub4dor&4")).isNotZero();
        } finally {
            java.nio.file.Files.delete(file);
        }
    }

    @Test
    void bcryptCountsOnlyTheFirst72BytesAsOpenBsdDoes() throws Exception {
        String line = run(List.of("htpasswd", "-inB", "-C", "4", "u"), "a".repeat(100)).strip();
        PasswordHash hash = PasswordHash.parse(line.substring(line.indexOf(':') + 1));
        assertThat(hash.verify("a".repeat(72).toCharArray())).isTrue();
        assertThat(hash.verify("a".repeat(71).toCharArray())).isFalse();
    }

    @ParameterizedTest(name = "refused: {0}")
    @CsvSource(delimiter = '|', value = {
            "plaintext|not a PHC or bcrypt hash",
            "{SSHA}abcdef|not a PHC or bcrypt hash",
            "$6$rounds=5000$salt$hash|unsupported hash scheme '6'",
            "$1$salt$hash|unsupported hash scheme '1'",
            "$scrypt$ln=16,r=8,p=1$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD+iCs5E|unsupported hash scheme 'scrypt'",
            "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ|garbled Argon2 hash",
            "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$|garbled Argon2 hash",
            "$argon2id$v=19$m=19456,t=2$c29tZXNhbHQ$UcHvWlbaxt/McNcpTwyGpz3U1z7wnsx36M6uXUgFqgM|garbled Argon2 hash",
            "$argon2id$v=19$t=2,m=19456,p=1$c29tZXNhbHQ$UcHvWlbaxt/McNcpTwyGpz3U1z7wnsx36M6uXUgFqgM|garbled Argon2 hash",
            "$argon2id$v=19$m=19456,t=2,p=1,data=abc$c29tZXNhbHQ$UcHvWlbaxt/McNcpTwyGpz3U1z7wnsx36M6uXUgFqgM|garbled Argon2 hash",
            "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ=$UcHvWlbaxt/McNcpTwyGpz3U1z7wnsx36M6uXUgFqgM|garbled Argon2 hash",
            "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHR$UcHvWlbaxt/McNcpTwyGpz3U1z7wnsx36M6uXUgFqgM|not canonical",
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$UcHvWlbaxt/McNcpTwyGpz3U1z7wnsx36M6uXUgFqgM|Argon2 salt of 4 bytes",
            "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$UcHv|Argon2 hash of 3 bytes",
            "$argon2id$v=18$m=19456,t=2,p=1$c29tZXNhbHQ$UcHvWlbaxt/McNcpTwyGpz3U1z7wnsx36M6uXUgFqgM|unsupported Argon2 version v=18",
            "$argon2id$v=19$m=2097152,t=2,p=1$c29tZXNhbHQ$UcHvWlbaxt/McNcpTwyGpz3U1z7wnsx36M6uXUgFqgM|Argon2 m=2097152 KiB is outside 8-262144",
            "$argon2id$v=19$m=9999999999,t=2,p=1$c29tZXNhbHQ$UcHvWlbaxt/McNcpTwyGpz3U1z7wnsx36M6uXUgFqgM|Argon2 m=9999999999 is too large",
            "$argon2id$v=19$m=19456,t=11,p=1$c29tZXNhbHQ$UcHvWlbaxt/McNcpTwyGpz3U1z7wnsx36M6uXUgFqgM|Argon2 t=11 is outside 1-10",
            "$argon2id$v=19$m=19456,t=0,p=1$c29tZXNhbHQ$UcHvWlbaxt/McNcpTwyGpz3U1z7wnsx36M6uXUgFqgM|Argon2 t=0 is outside 1-10",
            "$argon2id$v=19$m=19456,t=2,p=17$c29tZXNhbHQ$UcHvWlbaxt/McNcpTwyGpz3U1z7wnsx36M6uXUgFqgM|Argon2 p=17 is outside 1-16",
            "$argon2id$v=19$m=16,t=2,p=4$c29tZXNhbHQ$UcHvWlbaxt/McNcpTwyGpz3U1z7wnsx36M6uXUgFqgM|Argon2 m=16 KiB is outside 32-262144",
            "$argon2id$v=19$m=019456,t=2,p=1$c29tZXNhbHQ$UcHvWlbaxt/McNcpTwyGpz3U1z7wnsx36M6uXUgFqgM|leading zero",
            "$argon2x$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$UcHvWlbaxt/McNcpTwyGpz3U1z7wnsx36M6uXUgFqgM|garbled Argon2 hash",
            "$2y$05$l78WvUuMODMQEn2wEnMPEut6RRMg4cse5Fxv6lHdvYeFAuni2uCk|garbled bcrypt hash",
            "$2x$05$l78WvUuMODMQEn2wEnMPEut6RRMg4cse5Fxv6lHdvYeFAuni2uCka|garbled bcrypt hash",
            "$2y$5$l78WvUuMODMQEn2wEnMPEut6RRMg4cse5Fxv6lHdvYeFAuni2uCka|garbled bcrypt hash",
            "$2y$31$l78WvUuMODMQEn2wEnMPEut6RRMg4cse5Fxv6lHdvYeFAuni2uCka|bcrypt cost 31 is outside 4-14",
            "$2y$03$l78WvUuMODMQEn2wEnMPEut6RRMg4cse5Fxv6lHdvYeFAuni2uCka|bcrypt cost 3 is outside 4-14",
            "$2y$05$l78WvUuMODMQEn2wEnMPEvt6RRMg4cse5Fxv6lHdvYeFAuni2uCka|salt is not canonical",
    })
    void unusableHashesAreRefusedWithAReason(String encoded, String reason) {
        assertThatThrownBy(() -> PasswordHash.parse(encoded))
                .isInstanceOf(InvalidHashException.class)
                .hasMessageContaining(reason)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("UcHvWlbaxt"));
    }

    @Test
    void emptyAndNullAreRefused() {
        assertThatThrownBy(() -> PasswordHash.parse("")).isInstanceOf(InvalidHashException.class).hasMessage("empty password hash");
        assertThatThrownBy(() -> PasswordHash.parse(null)).isInstanceOf(InvalidHashException.class);
    }

    @Test
    void decoysHaveTheSameCostAndNeverMatch() {
        Argon2Hash real = Argon2Hash.create("pw".toCharArray(), SMALL, new SecureRandom());
        PasswordHash decoy = real.decoy();
        assertThat(((Argon2Hash) decoy).cost()).isEqualTo(real.cost());
        assertThat(decoy.verify("pw".toCharArray())).isFalse();
        BcryptHash bcrypt = BcryptHash.create("pw".toCharArray(), 4, new SecureRandom());
        PasswordHash bcryptDecoy = bcrypt.decoy();
        assertThat(((BcryptHash) bcryptDecoy).cost()).isEqualTo(4);
        assertThat(bcryptDecoy.verify("pw".toCharArray())).isFalse();
    }

    static String run(List<String> command, String stdin) throws IOException, InterruptedException {
        requireTool(command.get(0));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("%s: %s", command, out).isZero();
        return out;
    }

    static int exit(List<String> command, String stdin) throws IOException, InterruptedException {
        requireTool(command.get(0));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return p.exitValue();
    }

    private static void requireTool(String program) {
        ExternalTool.require(program, program.equals("argon2") ? "Debian package argon2" : "Debian package apache2-utils");
    }
}
