package io.sealmail.engine.smtp;

import io.sealmail.config.DkimKey;
import io.sealmail.config.Inbound;
import io.sealmail.config.Role;
import io.sealmail.engine.mailauth.AuthResult;
import io.sealmail.engine.mailauth.DkimAlgorithm;
import io.sealmail.engine.mailauth.DkimResult;
import io.sealmail.engine.mailauth.DkimSigner;
import io.sealmail.engine.mailauth.DkimSigningKey;
import io.sealmail.engine.mailauth.DkimVerifier;
import io.sealmail.engine.mailauth.FakeDns;
import io.sealmail.engine.mailauth.MessageSource;
import io.sealmail.store.MaildirStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** DKIM signing on submission and SPF/DKIM/DMARC checks on port 25, through the running engine. */
class SmtpMailAuthenticationTest {
    @TempDir
    Path dir;

    static String pem(KeyPair pair) {
        return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(pair.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    static KeyPair pair(String algorithm) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
        if (algorithm.equals("RSA")) {
            g.initialize(2048);
        }
        return g.generateKeyPair();
    }

    private static String body(String from, String subject) {
        return "From: " + from + "\r\nTo: bob@example.test\r\nSubject: " + subject
                + "\r\nDate: Thu, 03 Dec 2026 12:00:00 +0000\r\nMessage-ID: <" + subject.replace(' ', '.') + "@x>\r\n\r\nHello Bob.\r\n";
    }

    private static void send(Transcript t, String mailFrom, String message, String expected) throws Exception {
        t.run("""
                C: MAIL FROM:<%s>
                S: 250
                C: RCPT TO:<bob@example.test>
                S: 250
                C: DATA
                S: 354
                """.formatted(mailFrom));
        t.send(message + ".\r\n");
        t.expect(expected);
    }

    /** An rsa-sha256 and an ed25519-sha256 key for example.test, in files as the operator mounts them. */
    private List<DkimKey> dualKeys() throws Exception {
        Path rsaFile = dir.resolve("rsa.pem");
        Path edFile = dir.resolve("ed.pem");
        Files.writeString(rsaFile, pem(pair("RSA")));
        Files.writeString(edFile, pem(pair("Ed25519")));
        return List.of(new DkimKey("example.test", "r1", "rsa-sha256", rsaFile.toString()),
                new DkimKey("example.test", "e1", "ed25519-sha256", edFile.toString()));
    }

    /** Each DKIM signature's result against the keys' published records. */
    private static List<AuthResult> verify(String message, List<DkimKey> keys) throws Exception {
        FakeDns dns = new FakeDns();
        for (DkimKey k : keys) {
            DkimSigningKey key = DkimSigningKey.load(k.domain(), k.selector(), DkimAlgorithm.of(k.algorithm()), Path.of(k.keyFile()));
            dns.txt(key.recordName(), key.recordText());
        }
        return DkimVerifier.verify(MessageSource.of(message.getBytes(StandardCharsets.UTF_8)), dns, Clock.systemUTC(),
                Duration.ofSeconds(5)).stream().map(DkimResult::result).toList();
    }

    /**
     * Implicit TLS (465) signs like 587, and the copy in the outbound queue for a remote recipient is the signed one
     * (signing happens before queueing); mail arriving on port 25 with a local From domain is never signed (nobody
     * authenticated: signing it would vouch for a forgery).
     */
    @Test
    void smtpsSignsTheQueuedCopyAndPort25SignsNothing() throws Exception {
        List<DkimKey> keys = dualKeys();
        try (SmtpTestServer server = new SmtpTestServer(dir, l -> l, false, c -> c.withMailAuth(keys, null), null)) {
            try (Transcript t = server.connect(Role.SMTPS)) {
                t.run("""
                        C: EHLO client.test
                        S: 250
                        C: AUTH PLAIN %s
                        S: 235 2.7.0
                        C: MAIL FROM:<%s>
                        S: 250
                        C: RCPT TO:<carol@remote.test>
                        S: 250
                        C: RCPT TO:<%s>
                        S: 250
                        C: DATA
                        S: 354
                        """.formatted(SmtpTestServer.plain(SmtpTestServer.ALICE, SmtpTestServer.PASSWORD),
                        SmtpTestServer.ALICE, SmtpTestServer.BOB));
                t.send(body("Alice <alice@example.test>", "over smtps") + ".\r\n");
                t.expect("250 2.0.0");
            }
            assertThat(server.store.queued).singleElement().satisfies(q -> assertThat(q.recipients()).containsExactly("carol@remote.test"));
            String queued = Files.readString(dir.resolve("data").resolve("outbound").resolve(server.store.queued.get(0).id()));
            assertThat(queued).startsWith("DKIM-Signature: v=1; a=rsa-sha256;").contains("Subject: over smtps");
            assertThat(verify(queued, keys)).containsExactly(AuthResult.PASS, AuthResult.PASS);
            assertThat(verify(server.delivered(SmtpTestServer.BOB).get(0), keys)).containsExactly(AuthResult.PASS, AuthResult.PASS);

            try (Transcript t = server.connect(Role.SMTP)) {
                t.run("""
                        C: EHLO mta.remote.test
                        S: 250
                        """);
                send(t, "x@remote.test", body("Alice <alice@example.test>", "port 25"), "250 2.0.0");
            }
            List<String> inbox = server.delivered(SmtpTestServer.BOB);
            assertThat(inbox).hasSize(2);
            assertThat(inbox.get(1)).contains("Subject: port 25").doesNotContain("DKIM-Signature");
        }
    }

    @Test
    void mailSubmittedByAUserIsSignedWithBothKeysAndVerifies() throws Exception {
        List<DkimKey> keys = dualKeys();
        try (SmtpTestServer server = new SmtpTestServer(dir, l -> l, false, c -> c.withMailAuth(keys, null), null);
             Transcript t = server.submission()) {
            send(t, SmtpTestServer.ALICE, body("Alice <alice@example.test>", "signed"), "250 2.0.0");
            send(t, SmtpTestServer.ALICE, body("Someone <someone@elsewhere.test>", "not ours"), "250 2.0.0");
            List<String> delivered = server.delivered(SmtpTestServer.BOB);
            assertThat(delivered).hasSize(2);
            String signed = delivered.get(0);
            assertThat(signed).startsWith("Return-Path: <alice@example.test>\r\nDKIM-Signature: v=1; a=rsa-sha256;").contains("DKIM-Signature: v=1; a=ed25519-sha256;");
            assertThat(delivered.get(1)).doesNotContain("DKIM-Signature");
            assertThat(verify(signed, keys)).containsExactly(AuthResult.PASS, AuthResult.PASS);
        }
    }

    @Test
    void port25RecordsResultsRemovesForgeriesAndEnforcesDmarc() throws Exception {
        KeyPair ed = pair("Ed25519");
        DkimSigningKey key = DkimSigningKey.fromPem("sender.test", "e1", DkimAlgorithm.ED25519_SHA256, pem(ed));
        FakeDns dns = new FakeDns()
                .txt(key.recordName(), key.recordText())
                .txt("sender.test", "v=spf1 ip4:127.0.0.1 -all").txt("_dmarc.sender.test", "v=DMARC1; p=reject")
                .txt("quarantined.test", "v=spf1 -all").txt("_dmarc.quarantined.test", "v=DMARC1; p=quarantine")
                .timeout("_dmarc.slow.test");
        try (SmtpTestServer server = new SmtpTestServer(dir, l -> l, true,
                c -> c.withMailAuth(List.of(), new Inbound(true, Inbound.DmarcMode.ENFORCE, Duration.ofSeconds(10))), dns);
             Transcript t = server.connect(Role.SMTP)) {
            t.run("""
                    C: EHLO mta.sender.test
                    S: 250
                    """);
            String good = body("News <news@sender.test>", "good");
            String signed = new DkimSigner(List.of(key), Clock.systemUTC()).sign(MessageSource.of(good.getBytes(StandardCharsets.UTF_8)));
            String forgedResults = "Authentication-Results: mail.test; dmarc=pass header.from=bank.test\r\n";
            send(t, "bounce@sender.test", forgedResults + signed + good, "250 2.0.0");
            // Nobody at sender.test sent this: SPF fails for the envelope, no signature; p=reject.
            send(t, "x@elsewhere.test", body("News <news@sender.test>", "forged"), "550 5.7.1");
            send(t, "x@elsewhere.test", body("Promo <promo@quarantined.test>", "junk"), "250 2.0.0");
            send(t, "x@elsewhere.test", body("Slow <a@slow.test>", "slow"), "451 4.7.1");

            List<String> inbox = server.delivered(SmtpTestServer.BOB);
            assertThat(inbox).hasSize(1);
            String delivered = inbox.get(0);
            assertThat(delivered).contains("Authentication-Results: mail.test;\r\n\tspf=pass")
                    .contains("dkim=pass header.d=sender.test header.s=e1 header.a=ed25519-sha256")
                    .contains("dmarc=pass (p=reject dis=none) header.from=sender.test")
                    .doesNotContain("bank.test");
            assertThat(delivered.indexOf("Authentication-Results")).isLessThan(delivered.indexOf("Received:"));
            Path junk = ((MaildirStore) server.engine.context().store()).folderDir(SmtpTestServer.BOB, "Junk").resolve("new");
            try (Stream<Path> files = Files.list(junk)) {
                List<Path> junked = files.toList();
                assertThat(junked).hasSize(1);
                assertThat(Files.readString(junked.get(0))).contains("Subject: junk").contains("dmarc=fail (p=quarantine dis=quarantine)");
            }
        }
    }
}
