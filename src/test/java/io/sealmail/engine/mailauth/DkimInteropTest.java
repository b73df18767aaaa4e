package io.sealmail.engine.mailauth;

import io.sealmail.testing.ExternalTool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Our signatures checked by two independent verifiers, python3-dkim's {@code dkimverify} and OpenDKIM's
 * {@code opendkim-testmsg}, and their signatures checked by ours, with every key served by dnsmasq on 127.0.3.1:53.
 */
class DkimInteropTest {
    static final String DOMAIN = "example.test";
    static final String MESSAGE = "From: Alice <alice@example.test>\r\n"
            + "To: Bob <bob@remote.test>, carol@remote.test\r\n"
            + "Cc: dave@remote.test\r\n"
            + "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?= and a long subject line that\r\n needs folding  \r\n"
            + "Date: Thu, 03 Dec 2026 12:00:00 +0000\r\n"
            + "Message-ID: <interop.1@example.test>\r\n"
            + "MIME-Version: 1.0\r\n"
            + "Content-Type: text/plain; charset=UTF-8\r\n"
            + "\r\n"
            + "Hello,  \r\n\r\n  \tindented line\r\n.leading dot\r\n" + "x".repeat(900) + "\r\n\r\n\r\n";

    @TempDir
    static Path dir;
    static LocalDnsServer dns;
    static KeyPair rsaPair;
    static KeyPair edPair;
    static DkimSigningKey rsa;
    static DkimSigningKey ed;
    static Path resolvConf;

    @BeforeAll
    static void start() throws Exception {
        ExternalTool.require("dnsmasq", "Debian package dnsmasq-base");
        ExternalTool.require("unshare", "Debian package util-linux");
        rsaPair = TestKeys.rsa(2048);
        edPair = TestKeys.ed25519();
        rsa = TestKeys.key(DOMAIN, "rsa1", DkimAlgorithm.RSA_SHA256, rsaPair);
        ed = TestKeys.key(DOMAIN, "ed1", DkimAlgorithm.ED25519_SHA256, edPair);
        dns = LocalDnsServer.builder()
                .txt(rsa.recordName(), rsa.recordText())
                .txt(ed.recordName(), ed.recordText())
                .start("127.0.3.1", 53, dir);
        resolvConf = dns.privateResolvConf(dir);
    }

    @AfterAll
    static void stop() throws Exception {
        if (dns != null) {
            dns.close();
        }
    }

    static byte[] sign(DkimSigningKey... keys) throws Exception {
        byte[] message = MESSAGE.getBytes(StandardCharsets.UTF_8);
        String header = new DkimSigner(List.of(keys), Clock.systemUTC()).sign(MessageSource.of(message));
        assertThat(header).isNotEmpty();
        return (header + MESSAGE).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void dkimverifyAcceptsOurRsaAndEd25519Signatures() throws Exception {
        ExternalTool.require("dkimverify", "Debian package python3-dkim (ed25519 needs python3-nacl)");
        byte[] dual = sign(rsa, ed);
        for (int index : new int[] {0, 1}) {
            ExternalProgram.Run run = ExternalProgram.withResolver(resolvConf, dual, "dkimverify", "--index", String.valueOf(index));
            assertThat(run.output()).as("signature %d", index).contains("signature ok");
            assertThat(run.exit()).isZero();
        }
        // The check can fail: a changed body is refused by the same verifier.
        byte[] tampered = new String(dual, StandardCharsets.UTF_8).replace("indented line", "indented lime").getBytes(StandardCharsets.UTF_8);
        ExternalProgram.Run bad = ExternalProgram.withResolver(resolvConf, tampered, "dkimverify", "--index", "1");
        assertThat(bad.exit()).isNotZero();
        assertThat(bad.output()).containsAnyOf("signature verification failed", "body hash mismatch");
    }

    @Test
    void opendkimAcceptsOurRsaAndEd25519Signatures() throws Exception {
        ExternalTool.require("opendkim-testmsg", "Debian package opendkim-tools");
        for (DkimSigningKey key : List.of(rsa, ed)) {
            ExternalProgram.Run run = ExternalProgram.withResolver(resolvConf, sign(key), "opendkim-testmsg");
            assertThat(run.output()).as(key.algorithm().token()).isEmpty();
            assertThat(run.exit()).as(key.algorithm().token()).isZero();
        }
        byte[] tampered = new String(sign(rsa), StandardCharsets.UTF_8).replace("Subject: =?UTF-8", "Subject: =?utf-8").getBytes(StandardCharsets.UTF_8);
        assertThat(ExternalProgram.withResolver(resolvConf, tampered, "opendkim-testmsg").exit()).isNotZero();
    }

    @Test
    void ourVerifierAcceptsSignaturesOfDkimsignAndOpendkim() throws Exception {
        ExternalTool.require("dkimsign", "Debian package python3-dkim");
        ExternalTool.require("opendkim-testmsg", "Debian package opendkim-tools");
        Path rsaPem = TestKeys.write(dir, "rsa.pem", rsaPair);
        // dkimpy reads an ed25519 private key as the base64 32-octet seed (the tail of the PKCS#8 encoding).
        byte[] pkcs8 = edPair.getPrivate().getEncoded();
        Path edSeed = dir.resolve("ed.seed");
        Files.writeString(edSeed, Base64.getEncoder().encodeToString(Arrays.copyOfRange(pkcs8, pkcs8.length - 32, pkcs8.length)));
        byte[] message = MESSAGE.getBytes(StandardCharsets.UTF_8);

        List<byte[]> signed = List.of(
                ExternalProgram.run(message, List.of("dkimsign", "rsa1", DOMAIN, rsaPem.toString())).output().getBytes(StandardCharsets.UTF_8),
                ExternalProgram.run(message, List.of("dkimsign", "--hcanon", "simple", "--bcanon", "relaxed", "rsa1", DOMAIN, rsaPem.toString())).output().getBytes(StandardCharsets.UTF_8),
                ExternalProgram.run(message, List.of("dkimsign", "--signalg", "ed25519-sha256", "--bcanon", "relaxed", "ed1", DOMAIN, edSeed.toString())).output().getBytes(StandardCharsets.UTF_8));
        for (byte[] m : signed) {
            assertThat(new String(m, StandardCharsets.UTF_8)).startsWith("DKIM-Signature:");
            DkimVerifier.Result result = DkimVerifier.verify(MessageSource.of(m),
                    new BoundedDns(dns.lookup(), Clock.systemUTC(), Instant.now().plusSeconds(30)), Clock.systemUTC());
            assertThat(result.results()).as(new String(m, StandardCharsets.UTF_8)).singleElement()
                    .extracting(DkimResult::result).isEqualTo(AuthResult.PASS);
        }
        // opendkim-testmsg signs with rsa-sha1, which RFC 8301 §3.1 forbids verifiers to accept: "policy".
        byte[] sha1 = ExternalProgram.run(message, List.of("opendkim-testmsg", "-C", "-d", DOMAIN, "-s", "rsa1", "-k", rsaPem.toString()))
                .output().getBytes(StandardCharsets.UTF_8);
        assertThat(new String(sha1, StandardCharsets.UTF_8)).contains("a=rsa-sha1;");
        DkimVerifier.Result result = DkimVerifier.verify(MessageSource.of(sha1),
                new BoundedDns(dns.lookup(), Clock.systemUTC(), Instant.now().plusSeconds(30)), Clock.systemUTC());
        assertThat(result.results()).singleElement().extracting(DkimResult::result, DkimResult::reason)
                .containsExactly(AuthResult.POLICY, "rsa-sha1 is not accepted (RFC 8301)");
    }
}
