package io.sealmail.cli;

import io.sealmail.engine.auth.AccountsFile;
import io.sealmail.engine.auth.Argon2Hash;
import io.sealmail.engine.auth.BcryptHash;
import io.sealmail.engine.auth.InvalidHashException;
import io.sealmail.engine.auth.PasswordHash;
import io.sealmail.engine.auth.ScramCredentials;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.ByteArrayOutputStream;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code sealmail hash-password}: prints the hash of a password for the accounts file. The password comes from
 * standard input (its first line) or, on a terminal, from a prompt asked twice without echo; never from an argument,
 * which every user of the machine could read in {@code ps}.
 */
@Command(name = "hash-password", mixinStandardHelpOptions = true,
        description = {
                "Hash a password for the accounts file (one 'address hash' line per account).",
                "The password is read from standard input (first line), or asked twice without echo on a terminal; "
                        + "it is never taken as an argument.",
                "Examples:",
                "  sealmail hash-password --address alice@example.org >> accounts",
                "  printf '%%s\\n' \"$PW\" | sealmail hash-password --algorithm bcrypt"})
public class HashPasswordCommand implements Callable<Integer> {
    /** Longest password read from a pipe; a longer first line is refused rather than cut. */
    static final int MAX_PASSWORD_BYTES = 1024;

    enum Algorithm { argon2id, bcrypt }

    @Spec
    CommandSpec spec;

    @Option(names = "--algorithm", defaultValue = "argon2id", paramLabel = "ALG",
            description = "argon2id (default, recommended) or bcrypt")
    Algorithm algorithm;

    @Option(names = "--address", paramLabel = "ADDRESS",
            description = "print a complete accounts-file line 'ADDRESS HASH' instead of the hash alone")
    String address;

    @Option(names = "--memory", paramLabel = "KIB", defaultValue = "19456",
            description = "Argon2id memory in KiB (default ${DEFAULT-VALUE}, OWASP's recommendation; at most 262144)")
    int memoryKib;

    @Option(names = "--iterations", paramLabel = "N", defaultValue = "2",
            description = "Argon2id passes (default ${DEFAULT-VALUE}; at most 10)")
    int iterations;

    @Option(names = "--parallelism", paramLabel = "N", defaultValue = "1",
            description = "Argon2id lanes (default ${DEFAULT-VALUE}; at most 16)")
    int parallelism;

    @Option(names = "--cost", paramLabel = "N", defaultValue = "10",
            description = "bcrypt cost, 4-14 (default ${DEFAULT-VALUE})")
    int cost;

    @Option(names = "--scram", description = {"also derive SCRAM-SHA-256 keys from the password (a third field), so the account",
            "can log in with SCRAM-SHA-256 without sending its password; see docs/accounts.md for the trade-off"})
    boolean scram;

    /** Replaced in tests; the real command reads the process's standard input. */
    InputStream stdin = System.in;
    Console console = System.console();

    @Override
    public Integer call() throws IOException {
        String line = null;
        if (address != null) {
            String a = address.strip().toLowerCase(Locale.ROOT);
            String problem = AccountsFile.addressProblem(a);
            if (problem != null) {
                throw new UserError("--address: " + problem);
            }
            line = a;
        }
        char[] password = console != null ? prompt(console) : readStdin(stdin);
        try {
            if (password.length == 0) {
                throw new UserError("the password is empty");
            }
            PasswordHash hash;
            try {
                hash = switch (algorithm) {
                    case argon2id -> Argon2Hash.create(password, new Argon2Hash.Parameters(memoryKib, iterations, parallelism), new SecureRandom());
                    case bcrypt -> BcryptHash.create(password, cost, new SecureRandom());
                };
            } catch (InvalidHashException e) {
                throw new UserError(e.getMessage());
            }
            String fields = scram ? hash.encoded() + " " + ScramCredentials.create(password, new SecureRandom()).encoded()
                    : hash.encoded();
            spec.commandLine().getOut().println(line == null ? fields : line + " " + fields);
            spec.commandLine().getOut().flush();
            return 0;
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    private static char[] prompt(Console console) {
        char[] first = console.readPassword("Password: ");
        char[] second = console.readPassword("Again: ");
        if (first == null || second == null) {
            throw new UserError("no password entered");
        }
        try {
            if (!Arrays.equals(first, second)) {
                throw new UserError("the passwords do not match");
            }
            return first.clone();
        } finally {
            Arrays.fill(first, '\0');
            Arrays.fill(second, '\0');
        }
    }

    /** The first line of standard input, without its line ending; anything but blank lines after it is refused. */
    static char[] readStdin(InputStream in) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        byte[] chunk = new byte[4096];
        int n;
        while ((n = in.read(chunk)) > 0) {
            buffer.write(chunk, 0, n);
            if (buffer.size() > MAX_PASSWORD_BYTES + 64 * 1024) {
                break;
            }
        }
        byte[] raw = buffer.toByteArray();
        try {
            int end = 0;
            while (end < raw.length && raw[end] != '\n') {
                end++;
            }
            for (int i = end; i < raw.length; i++) {
                if (raw[i] != '\n' && raw[i] != '\r' && raw[i] != ' ' && raw[i] != '\t') {
                    throw new UserError("standard input has more than one line; give the password alone on the first line");
                }
            }
            int len = end > 0 && raw[end - 1] == '\r' ? end - 1 : end;
            if (len > MAX_PASSWORD_BYTES) {
                throw new UserError("the password is longer than " + MAX_PASSWORD_BYTES + " bytes");
            }
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(raw, 0, len));
            char[] password = new char[chars.remaining()];
            chars.get(password);
            Arrays.fill(chars.array(), '\0');
            return password;
        } catch (CharacterCodingException e) {
            throw new UserError("the password is not valid UTF-8");
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }
}
