package io.sealmail.cli;

import io.sealmail.engine.auth.AccountsFile;
import io.sealmail.engine.auth.PasswordHash;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code sealmail hash-password} in-process, with the same error handling users get. */
class HashPasswordCommandTest {
    record Run(int exit, String out, String err) {
    }

    static Run run(String stdin, String... args) {
        HashPasswordCommand command = new HashPasswordCommand();
        command.stdin = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
        command.console = null;
        CommandLine root = new CommandLine(CommandLine.Model.CommandSpec.create().name("sealmail"));
        root.addSubcommand("hash-password", new CommandLine(command));
        CommandLineCustomizer.configure(root);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        root.setOut(new PrintWriter(out));
        root.setErr(new PrintWriter(err));
        String[] all = new String[args.length + 1];
        all[0] = "hash-password";
        System.arraycopy(args, 0, all, 1, args.length);
        int exit = root.execute(all);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void argon2idByDefaultFromTheFirstLineOfStdin() {
        Run r = run("correct horse ♞\n");
        assertThat(r.exit()).as(r.err()).isZero();
        String hash = r.out().strip();
        assertThat(hash).startsWith("$argon2id$v=19$m=19456,t=2,p=1$");
        assertThat(PasswordHash.parse(hash).verify("correct horse ♞".toCharArray())).isTrue();
        assertThat(PasswordHash.parse(hash).verify("correct horse ♞\n".toCharArray())).as("the newline is not part of it").isFalse();
    }

    @Test
    void crlfAndNoTrailingNewlineBothWork() {
        assertThat(PasswordHash.parse(run("pw\r\n", "--memory", "1024", "--iterations", "1").out().strip()).verify("pw".toCharArray())).isTrue();
        assertThat(PasswordHash.parse(run("pw", "--memory", "1024", "--iterations", "1").out().strip()).verify("pw".toCharArray())).isTrue();
    }

    @Test
    void bcryptWithAnAccountsFileLine() {
        Run r = run("s3cret\n", "--algorithm", "bcrypt", "--cost", "5", "--address", "Alice@Example.org");
        assertThat(r.exit()).as(r.err()).isZero();
        AccountsFile file = AccountsFile.parse(r.out());
        assertThat(file.problems()).isEmpty();
        assertThat(file.accounts()).containsOnlyKeys("alice@example.org");
        assertThat(file.accounts().get("alice@example.org").encoded()).startsWith("$2b$05$");
        assertThat(file.accounts().get("alice@example.org").verify("s3cret".toCharArray())).isTrue();
    }

    @Test
    void mistakesAreOneLineAndANonZeroExit() {
        assertThat(run("")).isEqualTo(new Run(1, "", "sealmail hash-password: the password is empty\n"));
        assertThat(run("\n")).isEqualTo(new Run(1, "", "sealmail hash-password: the password is empty\n"));
        assertThat(run("one\ntwo\n")).isEqualTo(new Run(1, "",
                "sealmail hash-password: standard input has more than one line; give the password alone on the first line\n"));
        assertThat(run("x".repeat(1025))).isEqualTo(new Run(1, "", "sealmail hash-password: the password is longer than 1024 bytes\n"));
        assertThat(run("pw\n", "--address", "not-an-address")).isEqualTo(new Run(1, "",
                "sealmail hash-password: --address: 'not-an-address' is not an address (expected local-part@domain)\n"));
        assertThat(run("pw\n", "--algorithm", "bcrypt", "--cost", "31")).isEqualTo(new Run(1, "",
                "sealmail hash-password: bcrypt cost 31 is outside 4-14\n"));
        assertThat(run("pw\n", "--memory", "4194304")).isEqualTo(new Run(1, "",
                "sealmail hash-password: Argon2 m=4194304 KiB is outside 8-262144\n"));
        Run bad = run("pw\n", "--algorithm", "md5");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).startsWith("sealmail hash-password: Invalid value for option '--algorithm'").endsWith("(see 'sealmail hash-password --help')\n");
    }

    @Test
    void thePasswordIsNeverAnArgument() {
        Run r = run("", "hunter2");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("Unmatched argument");
    }
}
