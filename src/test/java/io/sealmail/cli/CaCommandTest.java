package io.sealmail.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sealmail.ca.CaSpec;
import io.sealmail.ca.CertificateAuthority;
import io.sealmail.ca.KeyAlgorithm;
import io.sealmail.ca.Pem;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;

/** The {@code sealmail ca} commands run in-process with the same error handling users get. */
class CaCommandTest {
    @TempDir
    Path tmp;

    record Run(int exit, String out, String err) {
        /** A failure is exactly one line on stderr, naming the command, with no stack trace. */
        Run failsWith(int code, String line) {
            assertThat(exit).as("exit code; stderr: %s", err).isEqualTo(code);
            assertThat(err).isEqualTo(line + "\n");
            return this;
        }

        Run succeeds() {
            assertThat(exit).as("exit code; stderr: %s", err).isZero();
            assertThat(err).isEmpty();
            return this;
        }
    }

    /**
     * The command tree as users see it ("sealmail ca ..."), built from the ca and bench groups only so that
     * these tests do not depend on how other commands are constructed.
     */
    static Run sealmail(String... args) {
        CommandLine root = new CommandLine(CommandSpec.create().name("sealmail"));
        root.addSubcommand("ca", new CommandLine(new CaCommand()));
        root.addSubcommand("bench", new CommandLine(new BenchCommand()));
        return run(root, args);
    }

    static Run run(CommandLine root, String... args) {
        CommandLineCustomizer.configure(root);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        root.setOut(new PrintWriter(out, true));
        root.setErr(new PrintWriter(err, true));
        int exit = root.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    static String mode(Path file) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
    }

    static X509Certificate cert(Path file) throws IOException {
        return Pem.readCertificate(Files.readString(file));
    }

    static String openssl(Path dir, String... args) throws Exception {
        io.sealmail.testing.ExternalTool.require("openssl");
        List<String> cmd = new java.util.ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    // --- ca init ------------------------------------------------------------------------------------------

    @Test
    @DisplayName("ca init writes a P-256 CA, the key readable by its owner only, in a directory it creates")
    void initDefaults() throws Exception {
        Path dir = tmp.resolve("new/ca");
        Run r = sealmail("ca", "init", "--out", dir.toString()).succeeds();
        assertThat(r.out()).startsWith("Created CA \"CN=Sealmail CA\" (ecdsa-p256), valid until ")
                .contains("Wrote " + dir.resolve("ca.crt") + " and " + dir.resolve("ca.key") + " (mode 0600)");
        assertThat(mode(dir.resolve("ca.key"))).isEqualTo("rw-------");
        assertThat(mode(dir.resolve("ca.crt"))).isEqualTo("rw-r--r--");
        assertThat(mode(dir)).isEqualTo("rwx------");
        X509Certificate ca = cert(dir.resolve("ca.crt"));
        assertThat(ca.getBasicConstraints()).isZero();
        assertThat(Duration.between(ca.getNotBefore().toInstant(), ca.getNotAfter().toInstant()))
                .isEqualTo(Duration.ofDays(3650).plusMinutes(5));
        assertThat(Files.readString(dir.resolve("ca.key"))).startsWith("-----BEGIN PRIVATE KEY-----");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("ca.crt", "ca.key");
        }
        openssl(dir, "pkey", "-in", "ca.key", "-noout");
    }

    @Test
    @DisplayName("ca init takes the key type, subject and validity")
    void initOptions() throws Exception {
        Path dir = tmp.resolve("ca");
        sealmail("ca", "init", "--out", dir.toString(), "--key", "rsa-3072", "--subject", "CN=Example Mail CA,O=Example",
                "--days", "30").succeeds();
        X509Certificate ca = cert(dir.resolve("ca.crt"));
        assertThat(KeyAlgorithm.of(ca.getPublicKey())).isEqualTo(KeyAlgorithm.RSA_3072);
        assertThat(ca.getSubjectX500Principal().getName()).isEqualTo("CN=Example Mail CA,O=Example");
        assertThat(Duration.between(ca.getNotBefore().toInstant(), ca.getNotAfter().toInstant()))
                .isEqualTo(Duration.ofDays(30).plusMinutes(5));
    }

    @Test
    @DisplayName("ca init refuses to overwrite an existing CA unless --force is given")
    void initRefusesOverwrite() throws Exception {
        Path dir = tmp.resolve("ca");
        sealmail("ca", "init", "--out", dir.toString()).succeeds();
        String key = Files.readString(dir.resolve("ca.key"));
        sealmail("ca", "init", "--out", dir.toString()).failsWith(1, "sealmail ca init: " + dir.resolve("ca.key")
                + " already exists; use --force to replace the CA (certificates it issued will no longer be trusted)");
        assertThat(Files.readString(dir.resolve("ca.key"))).isEqualTo(key);
        sealmail("ca", "init", "--out", dir.toString(), "--force").succeeds();
        assertThat(Files.readString(dir.resolve("ca.key"))).isNotEqualTo(key);
        assertThat(mode(dir.resolve("ca.key"))).isEqualTo("rw-------");
        try (var files = Files.list(dir)) {
            assertThat(files).as("no temporary files left").hasSize(2);
        }
    }

    @Test
    @DisplayName("ca init refuses a directory that holds only a ca.crt")
    void initRefusesExistingCertificate() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("ca"));
        Files.writeString(dir.resolve("ca.crt"), "x");
        sealmail("ca", "init", "--out", dir.toString()).failsWith(1, "sealmail ca init: " + dir.resolve("ca.crt")
                + " already exists; use --force to replace the CA (certificates it issued will no longer be trusted)");
    }

    @Test
    @DisplayName("ca init reports bad options in one line each")
    void initBadOptions() {
        String out = tmp.resolve("ca").toString();
        sealmail("ca", "init", "--out", out, "--key", "dsa").failsWith(1,
                "sealmail ca init: unknown key algorithm \"dsa\" (valid: ecdsa-p256, rsa-2048, rsa-3072, rsa-4096)");
        sealmail("ca", "init", "--out", out, "--subject", "Sealmail").failsWith(1,
                "sealmail ca init: invalid subject \"Sealmail\": improperly specified input name: Sealmail"
                        + " (expected RFC 4514 form, e.g. \"CN=Sealmail CA,O=Example\")");
        sealmail("ca", "init", "--out", out, "--days", "0").failsWith(1,
                "sealmail ca init: --days must be between 1 and 36500, got 0");
        sealmail("ca", "init", "--out", out, "--days", "ten").failsWith(2,
                "sealmail ca init: Invalid value for option '--days': 'ten' is not an int (see 'sealmail ca init --help')");
        sealmail("ca", "init").failsWith(2,
                "sealmail ca init: Missing required option: '--out=DIR' (see 'sealmail ca init --help')");
        sealmail("ca", "init", "--out", out, "--bogus").failsWith(2,
                "sealmail ca init: Unknown option: '--bogus' (see 'sealmail ca init --help')");
        assertThat(Files.exists(tmp.resolve("ca"))).as("nothing written on error").isFalse();
    }

    @Test
    @DisplayName("ca init names a path that exists and is not a directory")
    void initOutIsFile() throws Exception {
        Path file = Files.writeString(tmp.resolve("file"), "x");
        sealmail("ca", "init", "--out", file.toString()).failsWith(1, "sealmail ca init: " + file + ": exists and is not a directory");
    }

    // --- ca issue -----------------------------------------------------------------------------------------

    private Path initCa() {
        Path dir = tmp.resolve("ca");
        sealmail("ca", "init", "--out", dir.toString()).succeeds();
        return dir;
    }

    @Test
    @DisplayName("ca issue writes tls.crt, tls.key (0600) and ca.crt that openssl verifies for the given names")
    void issue() throws Exception {
        Path ca = initCa();
        Path out = tmp.resolve("tls");
        Run r = sealmail("ca", "issue", "--ca", ca.toString(), "--dns", "mail.example.com,*.mail.example.com",
                "--dns", "imap.example.com", "--ip", "192.0.2.1", "2001:db8::1", "--out", out.toString()).succeeds();
        assertThat(r.out()).startsWith("Issued ecdsa-p256 certificate for mail.example.com, *.mail.example.com, "
                        + "imap.example.com, 192.0.2.1, 2001:db8::1, valid until ")
                .contains("Wrote " + out.resolve("tls.crt") + ", " + out.resolve("tls.key") + " (mode 0600) and " + out.resolve("ca.crt"));
        assertThat(mode(out.resolve("tls.key"))).isEqualTo("rw-------");
        assertThat(mode(out.resolve("tls.crt"))).isEqualTo("rw-r--r--");
        assertThat(Files.readString(out.resolve("ca.crt"))).isEqualTo(Files.readString(ca.resolve("ca.crt")));
        assertThat(Files.readString(out.resolve("tls.key"))).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(openssl(out, "verify", "-CAfile", "ca.crt", "tls.crt").strip()).isEqualTo("tls.crt: OK");
        assertThat(openssl(out, "x509", "-in", "tls.crt", "-noout", "-checkhost", "imap.example.com"))
                .contains("does match certificate");
        assertThat(openssl(out, "x509", "-in", "tls.crt", "-noout", "-checkip", "2001:db8::1")).contains("does match certificate");
        assertThat(openssl(out, "x509", "-in", "tls.crt", "-noout", "-pubkey"))
                .isEqualTo(openssl(out, "pkey", "-in", "tls.key", "-pubout"));
        X509Certificate leaf = cert(out.resolve("tls.crt"));
        assertThat(Duration.between(leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant()))
                .isEqualTo(Duration.ofDays(90).plusMinutes(5));
    }

    @Test
    @DisplayName("ca issue takes the key type and validity, and replaces an earlier leaf")
    void issueOptions() throws Exception {
        Path ca = initCa();
        Path out = tmp.resolve("tls");
        sealmail("ca", "issue", "--ca", ca.toString(), "--ip", "10.0.0.1", "--out", out.toString()).succeeds();
        String first = Files.readString(out.resolve("tls.key"));
        sealmail("ca", "issue", "--ca", ca.toString(), "--dns", "mail.example.com", "--key", "rsa-2048", "--days", "7",
                "--out", out.toString()).succeeds();
        X509Certificate leaf = cert(out.resolve("tls.crt"));
        assertThat(KeyAlgorithm.of(leaf.getPublicKey())).isEqualTo(KeyAlgorithm.RSA_2048);
        assertThat(Duration.between(leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant()))
                .isEqualTo(Duration.ofDays(7).plusMinutes(5));
        assertThat(Files.readString(out.resolve("tls.key"))).isNotEqualTo(first);
        assertThat(mode(out.resolve("tls.key"))).isEqualTo("rw-------");
    }

    @Test
    @DisplayName("ca issue reports bad names, options and CAs in one line each, and writes nothing")
    void issueErrors() throws Exception {
        Path ca = initCa();
        String out = tmp.resolve("tls").toString();
        String c = ca.toString();
        sealmail("ca", "issue", "--ca", c, "--out", out).failsWith(1, "sealmail ca issue: give at least one --dns NAME or --ip ADDR");
        sealmail("ca", "issue", "--ca", c, "--dns", "a.*.example.com", "--out", out).failsWith(1,
                "sealmail ca issue: DNS name \"a.*.example.com\": a wildcard must be the whole left-most label, as in *.example.com");
        sealmail("ca", "issue", "--ca", c, "--dns", "*.com", "--out", out).failsWith(1,
                "sealmail ca issue: DNS name \"*.com\": a wildcard must cover at least two more labels, as in *.example.com");
        sealmail("ca", "issue", "--ca", c, "--ip", "localhost", "--out", out).failsWith(1,
                "sealmail ca issue: IP address \"localhost\" is not an IPv4 or IPv6 literal");
        sealmail("ca", "issue", "--ca", c, "--dns", "a.example.com", "--key", "ed25519", "--out", out).failsWith(1,
                "sealmail ca issue: unknown key algorithm \"ed25519\" (valid: ecdsa-p256, rsa-2048, rsa-3072, rsa-4096)");
        sealmail("ca", "issue", "--ca", c, "--dns", "a.example.com", "--days", "4000", "--out", out).failsWith(1,
                "sealmail ca issue: --days must be between 1 and 3650, got 4000");
        sealmail("ca", "issue", "--dns", "a.example.com", "--out", out).failsWith(2,
                "sealmail ca issue: Missing required option: '--ca=DIR' (see 'sealmail ca issue --help')");
        // picocli checks required options first: a misspelt --ca must still be named as what it is.
        sealmail("ca", "issue", "--ca-dir", c, "--dns", "a.example.com", "--out", out).failsWith(2,
                "sealmail ca issue: Unknown option: '--ca-dir'; did you mean '--ca'? (see 'sealmail ca issue --help')");
        sealmail("ca", "issue", "--ca", c, "--ca-dir=" + c, "--dns", "a.example.com", "--out", out).failsWith(2,
                "sealmail ca issue: Unknown option: '--ca-dir=" + c + "'; did you mean '--ca'? (see 'sealmail ca issue --help')");
        sealmail("ca", "isue").failsWith(2,
                "sealmail ca: Unmatched argument at index 1: 'isue'; did you mean 'issue'? (see 'sealmail ca --help')");
        Path missing = tmp.resolve("nope");
        sealmail("ca", "issue", "--ca", missing.toString(), "--dns", "a.example.com", "--out", out).failsWith(1,
                "sealmail ca issue: " + missing + ": no such directory (create a CA with 'sealmail ca init --out " + missing + "')");
        sealmail("ca", "issue", "--ca", c, "--dns", "a.example.com", "--out", c).failsWith(1,
                "sealmail ca issue: --out must be another directory than --ca: keep the CA key apart from server keys");
        assertThat(Files.exists(tmp.resolve("tls"))).as("nothing written on error").isFalse();
    }

    @Test
    @DisplayName("ca issue names the CA directory and the exact problem when the CA cannot be used")
    void issueWithBadCa() throws Exception {
        String out = tmp.resolve("tls").toString();
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        sealmail("ca", "issue", "--ca", empty.toString(), "--dns", "a.example.com", "--out", out).failsWith(1,
                "sealmail ca issue: " + empty.resolve("ca.crt") + ": no such file");

        Path garbage = Files.createDirectories(tmp.resolve("garbage"));
        CertificateAuthority good = CertificateAuthority.create(CaSpec.defaults(), Clock.systemUTC());
        Files.writeString(garbage.resolve("ca.crt"), good.certificatePem());
        Files.writeString(garbage.resolve("ca.key"), "not a key\n");
        sealmail("ca", "issue", "--ca", garbage.toString(), "--dns", "a.example.com", "--out", out).failsWith(1,
                "sealmail ca issue: cannot use the CA in " + garbage
                        + ": CA key: no PEM block found, expected -----BEGIN PRIVATE KEY-----");

        Path mismatch = Files.createDirectories(tmp.resolve("mismatch"));
        Files.writeString(mismatch.resolve("ca.crt"), good.certificatePem());
        Files.writeString(mismatch.resolve("ca.key"), CertificateAuthority.create(CaSpec.defaults(), Clock.systemUTC()).privateKeyPem());
        sealmail("ca", "issue", "--ca", mismatch.toString(), "--dns", "a.example.com", "--out", out).failsWith(1,
                "sealmail ca issue: cannot use the CA in " + mismatch
                        + ": CA key does not match the CA certificate's public key (subject CN=Sealmail CA)");

        Path expired = Files.createDirectories(tmp.resolve("expired"));
        CertificateAuthority old = CertificateAuthority.create(CaSpec.defaults().withValidity(Duration.ofDays(1)),
                Clock.fixed(Instant.parse("2020-01-01T00:00:00Z"), ZoneOffset.UTC));
        Files.writeString(expired.resolve("ca.crt"), old.certificatePem());
        Files.writeString(expired.resolve("ca.key"), old.privateKeyPem());
        sealmail("ca", "issue", "--ca", expired.toString(), "--dns", "a.example.com", "--out", out).failsWith(1,
                "sealmail ca issue: cannot use the CA in " + expired
                        + ": CA certificate expired on 2020-01-02T00:00:00Z (subject CN=Sealmail CA)");
        assertThat(Files.exists(tmp.resolve("tls"))).isFalse();
    }

    // --- ca inspect ---------------------------------------------------------------------------------------

    @Test
    @DisplayName("ca inspect shows subject, issuer, names, validity, key, serial, fingerprint and usages, and the chain")
    void inspect() throws Exception {
        Path ca = initCa();
        Path out = tmp.resolve("tls");
        sealmail("ca", "issue", "--ca", ca.toString(), "--dns", "mail.example.com", "--ip", "192.0.2.1", "--out", out.toString())
                .succeeds();
        X509Certificate leaf = cert(out.resolve("tls.crt"));
        String fingerprint = openssl(out, "x509", "-in", "tls.crt", "-noout", "-fingerprint", "-sha256").strip();
        String serial = openssl(out, "x509", "-in", "tls.crt", "-noout", "-serial").strip();
        Run r = sealmail("ca", "inspect", out.resolve("tls.crt").toString(), "--ca", out.resolve("ca.crt").toString()).succeeds();
        assertThat(r.out()).contains(
                "  Subject:        CN=mail.example.com\n",
                "  Issuer:         CN=Sealmail CA\n",
                "  DNS names:      mail.example.com\n",
                "  IP addresses:   192.0.2.1\n",
                "  Not before:     " + leaf.getNotBefore().toInstant() + "\n",
                "  Not after:      " + leaf.getNotAfter().toInstant() + " (89 days left)\n",
                "  Key:            ecdsa-p256\n",
                "  Signature:      SHA256withECDSA\n",
                "  Serial:         " + serial.substring("serial=".length()) + "\n",
                "  SHA-256:        " + fingerprint.substring("sha256 Fingerprint=".length()) + "\n",
                "  CA:             no\n",
                "  Key usage:      digitalSignature\n",
                "  Extended usage: serverAuth\n",
                "\nChains to " + out.resolve("ca.crt") + ": yes\n");
        Run c = sealmail("ca", "inspect", ca.resolve("ca.crt").toString()).succeeds();
        assertThat(c.out()).contains("  Issuer:         CN=Sealmail CA (self-signed)\n", "  CA:             yes, path length 0\n",
                "  Key usage:      keyCertSign, cRLSign\n", "  DNS names:      none\n", "  Extended usage: none\n");
        assertThat(c.out()).doesNotContain("Chains to");
    }

    @Test
    @DisplayName("ca inspect of a leaf against another CA prints the details, says no, and exits 1 with one line")
    void inspectOtherCa() throws Exception {
        Path ca = initCa();
        Path out = tmp.resolve("tls");
        sealmail("ca", "issue", "--ca", ca.toString(), "--dns", "mail.example.com", "--out", out.toString()).succeeds();
        Path other = tmp.resolve("other");
        sealmail("ca", "init", "--out", other.toString()).succeeds();
        Run r = sealmail("ca", "inspect", out.resolve("tls.crt").toString(), "--ca", other.resolve("ca.crt").toString());
        r.failsWith(1, "sealmail ca inspect: " + out.resolve("tls.crt") + " does not chain to " + other.resolve("ca.crt")
                + ": not issued by this CA");
        assertThat(r.out()).contains("Subject:        CN=mail.example.com", "Chains to " + other.resolve("ca.crt") + ": no, not issued by this CA");
    }

    @Test
    @DisplayName("ca inspect says when the leaf has expired")
    void inspectExpired() throws Exception {
        var old = CertificateAuthority.create(CaSpec.defaults(), Clock.offset(Clock.systemUTC(), Duration.ofDays(-30))).issue(
                io.sealmail.ca.LeafSpec.of(List.of("old.example.com"), List.of()).withValidity(Duration.ofDays(2)));
        Path leaf = Files.writeString(tmp.resolve("old.crt"), old.tlsCrtPem());
        Path root = Files.writeString(tmp.resolve("ca.crt"), old.caCrtPem());
        Run r = sealmail("ca", "inspect", leaf.toString(), "--ca", root.toString());
        r.failsWith(1, "sealmail ca inspect: " + leaf + " does not chain to " + root + ": the certificate has expired");
        assertThat(r.out()).contains("(EXPIRED 28 days ago)");
    }

    @Test
    @DisplayName("ca inspect refuses files that are not certificates, in one line")
    void inspectErrors() throws Exception {
        Path ca = initCa();
        sealmail("ca", "inspect", ca.resolve("ca.key").toString()).failsWith(1,
                "sealmail ca inspect: " + ca.resolve("ca.key") + ": expected a PEM CERTIFICATE block, found PRIVATE KEY");
        Path empty = Files.writeString(tmp.resolve("empty.crt"), "");
        sealmail("ca", "inspect", empty.toString()).failsWith(1,
                "sealmail ca inspect: " + empty + ": empty input, expected -----BEGIN CERTIFICATE-----");
        String pem = Files.readString(ca.resolve("ca.crt"));
        Path truncated = Files.writeString(tmp.resolve("truncated.crt"), pem.substring(0, pem.length() / 2));
        sealmail("ca", "inspect", truncated.toString()).failsWith(1,
                "sealmail ca inspect: " + truncated + ": malformed PEM (truncated?): -----END CERTIFICATE----- not found");
        sealmail("ca", "inspect", tmp.resolve("missing.crt").toString()).failsWith(1,
                "sealmail ca inspect: " + tmp.resolve("missing.crt") + ": no such file");
        sealmail("ca", "inspect", tmp.toString()).failsWith(1,
                "sealmail ca inspect: " + tmp + ": is a directory, expected a PEM file");
        sealmail("ca", "inspect").failsWith(2,
                "sealmail ca inspect: Missing required parameter: 'FILE' (see 'sealmail ca inspect --help')");
    }

    // --- shared error handling and bench --------------------------------------------------------------------

    @Command(name = "boom")
    static class Boom implements Runnable {
        @Override
        public void run() {
            throw new IllegalStateException("wires crossed\n\tat somewhere");
        }
    }

    @Test
    @DisplayName("an unexpected exception is one line and exit 70, without a stack trace")
    void internalError() {
        CommandLine root = new CommandLine(CommandSpec.create().name("sealmail"));
        root.addSubcommand("boom", new CommandLine(new Boom()));
        run(root, "boom").failsWith(70, "sealmail boom: internal error: IllegalStateException: wires crossed at somewhere"
                + " (this is a bug; SEALMAIL_DEBUG=1 shows the stack trace)");
    }

    @Test
    @DisplayName("bench ca prints issuance and renewal figures for ECDSA P-256 and RSA 2048")
    void benchCa() {
        Run r = sealmail("bench", "ca", "--seconds", "0.1").succeeds();
        assertThat(r.out()).containsPattern("issue ecdsa-p256 leaf \\(ecdsa-p256 CA\\) +[0-9.]+ +[0-9.]+ +[0-9.]+\n")
                .containsPattern("issue rsa-2048 leaf \\(rsa-2048 CA\\) +[0-9.]+ +[0-9.]+ +[0-9.]+\n")
                .containsPattern("renewal decision \\(ecdsa-p256 leaf\\) +[0-9.]+ +[0-9.]+ +[0-9.]+\n")
                .contains("goal: an ecdsa-p256 leaf in under 2 ms (wall clock): ");
        sealmail("bench", "ca", "--seconds", "0").failsWith(1, "sealmail bench ca: --seconds must be more than 0 and at most 600, got 0.0");
    }
}
