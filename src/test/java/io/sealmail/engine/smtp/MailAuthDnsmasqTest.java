package io.sealmail.engine.smtp;

import io.sealmail.config.DkimKey;
import io.sealmail.config.Inbound;
import io.sealmail.config.Outbound;
import io.sealmail.config.Role;
import io.sealmail.engine.delivery.dns.ResolverDnsLookup;
import io.sealmail.engine.mailauth.DkimAlgorithm;
import io.sealmail.engine.mailauth.DkimSigner;
import io.sealmail.engine.mailauth.DkimSigningKey;
import io.sealmail.engine.mailauth.ExternalProgram;
import io.sealmail.engine.mailauth.LocalDnsServer;
import io.sealmail.engine.mailauth.MessageSource;
import io.sealmail.engine.mailauth.TestKeys;
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
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static io.sealmail.engine.smtp.SmtpTestServer.ALICE;
import static io.sealmail.engine.smtp.SmtpTestServer.BOB;
import static io.sealmail.engine.smtp.SmtpTestServer.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine as deployed: its production resolver asks dnsmasq (127.0.3.3:53; bench/mailauth.sh uses .2) for every key, SPF and DMARC record.
 * Mail submitted with Python's smtplib is signed (rsa-sha256 and ed25519-sha256) and python3-dkim's
 * {@code dkimverify} accepts both signatures of the stored copy; mail arriving on port 25 is checked against the
 * same server and refused, stored or junked by its sender's published policy.
 */
class MailAuthDnsmasqTest {
    static final String DNS_ADDRESS = "127.0.3.3";

    @TempDir
    static Path dir;
    static LocalDnsServer dns;
    static SmtpTestServer server;
    static DkimSigningKey senderKey;
    static Path resolvConf;

    @BeforeAll
    static void start() throws Exception {
        ExternalTool.require("dnsmasq", "Debian package dnsmasq-base");
        KeyPair rsa = TestKeys.rsa(2048);
        KeyPair ed = TestKeys.ed25519();
        DkimSigningKey ourRsa = TestKeys.key("example.test", "s202612r", DkimAlgorithm.RSA_SHA256, rsa);
        DkimSigningKey ourEd = TestKeys.key("example.test", "s202612e", DkimAlgorithm.ED25519_SHA256, ed);
        senderKey = TestKeys.edKey("sender.test", "mta");
        dns = LocalDnsServer.builder()
                .txt(ourRsa.recordName(), ourRsa.recordText())
                .txt(ourEd.recordName(), ourEd.recordText())
                .txt(senderKey.recordName(), senderKey.recordText())
                .txt("sender.test", "v=spf1 ip4:127.0.0.1 -all")
                .txt("_dmarc.sender.test", "v=DMARC1; p=reject; rua=mailto:dmarc@sender.test")
                .txt("promo.test", "v=spf1 ip4:192.0.2.1 -all")
                .txt("_dmarc.promo.test", "v=DMARC1; p=quarantine")
                .txt("relay.forged.test", "v=spf1 ip4:192.0.2.1 -all")
                .start(DNS_ADDRESS, 53, dir);
        resolvConf = dns.privateResolvConf(dir);
        List<DkimKey> keys = List.of(
                new DkimKey("example.test", "s202612r", "rsa-sha256", TestKeys.write(dir, "rsa.pem", rsa).toString()),
                new DkimKey("example.test", "s202612e", "ed25519-sha256", TestKeys.write(dir, "ed.pem", ed).toString()));
        Outbound.Dns resolver = new Outbound.Dns(List.of(DNS_ADDRESS + ":53"), Duration.ofSeconds(5), false, null);
        server = new SmtpTestServer(dir, l -> l, true,
                c -> c.withMailAuth(keys, new Inbound(true, Inbound.DmarcMode.ENFORCE, Duration.ofSeconds(10))),
                new ResolverDnsLookup(resolver));
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (dns != null) {
            dns.close();
        }
    }

    private static String delivered(String marker) throws Exception {
        List<String> hits = server.delivered(BOB).stream().filter(m -> m.contains(marker)).toList();
        assertThat(hits).as("messages with %s", marker).hasSize(1);
        return hits.get(0);
    }

    @Test
    void submittedMailIsSignedAndDkimverifyAcceptsBothSignatures() throws Exception {
        ExternalTool.require("dkimverify", "Debian package python3-dkim (ed25519 needs python3-nacl)");
        ExternalTool.require("unshare", "Debian package util-linux");
        String marker = UUID.randomUUID().toString();
        String script = """
                import smtplib, ssl, sys
                ctx = ssl.create_default_context(cafile=sys.argv[1])
                msg = ("From: Alice <%s>\\r\\nTo: <%s>\\r\\nSubject: report " + sys.argv[3]
                       + "\\r\\nDate: Thu, 03 Dec 2026 12:00:00 +0000\\r\\nMessage-ID: <" + sys.argv[3] + "@example.test>"
                       + "\\r\\n\\r\\nFigures  attached,\\r\\n\\r\\n.see below\\r\\n" + ("x" * 98 + "\\r\\n") * 100 + "\\r\\n")
                with smtplib.SMTP("localhost", int(sys.argv[2]), timeout=20) as s:
                    s.starttls(context=ctx)
                    s.login(%s, %s)
                    s.sendmail(%s, [%s], msg)
                print("sent")
                """.formatted(ALICE, BOB, q(ALICE), q(PASSWORD), q(ALICE), q(BOB));
        Path file = Files.writeString(dir.resolve("submit.py"), script);
        ExternalProgram.Run sent = ExternalProgram.run(new byte[0], List.of("python3", file.toString(),
                server.pki.caCrt().toString(), String.valueOf(server.engine.port(Role.SUBMISSION)), marker));
        assertThat(sent.output()).contains("sent");

        String stored = delivered(marker);
        assertThat(stored).contains("a=rsa-sha256;").contains("a=ed25519-sha256;").contains("c=relaxed/relaxed");
        byte[] message = stored.getBytes(StandardCharsets.UTF_8);
        for (String index : List.of("0", "1")) {
            ExternalProgram.Run check = ExternalProgram.withResolver(resolvConf, message, "dkimverify", "--index", index);
            assertThat(check.output()).as("signature %s", index).contains("signature ok");
            assertThat(check.exit()).isZero();
        }
        // The same verifier refuses a copy changed after signing: the check above could fail.
        byte[] changed = stored.replace("Figures  attached", "Figures changed").getBytes(StandardCharsets.UTF_8);
        assertThat(ExternalProgram.withResolver(resolvConf, changed, "dkimverify", "--index", "0").exit()).isNotZero();
    }

    @Test
    void port25ChecksAskTheDnsServerAndFollowThePublishedPolicy() throws Exception {
        String goodSubject = "good " + UUID.randomUUID();
        String good = message("News <news@sender.test>", goodSubject);
        String signature = new DkimSigner(List.of(senderKey), Clock.systemUTC()).sign(MessageSource.of(good.getBytes(StandardCharsets.UTF_8)));
        String forged = message("News <news@sender.test>", "forged " + UUID.randomUUID());
        String promo = message("Promo <deals@promo.test>", "promo " + UUID.randomUUID());
        try (Transcript t = server.connect(Role.SMTP)) {
            t.run("""
                    C: EHLO mta.sender.test
                    S: 250
                    """);
            send(t, "bounce@sender.test", signature + good, "250 2.0.0");
            send(t, "someone@elsewhere.test", forged, "550 5.7.1");
            send(t, "deals@promo.test", promo, "250 2.0.0");
        }
        String stored = delivered(goodSubject);
        assertThat(stored).contains("spf=pass").contains("dkim=pass header.d=sender.test header.s=mta")
                .contains("dmarc=pass (p=reject dis=none) header.from=sender.test");
        assertThat(server.delivered(BOB)).noneMatch(m -> m.contains("Subject: forged")).noneMatch(m -> m.contains("Subject: promo"));
        Path junk = ((io.sealmail.store.MaildirStore) server.engine.context().store()).folderDir(BOB, "Junk").resolve("new");
        try (var files = Files.list(junk)) {
            List<String> junked = files.map(p -> {
                try {
                    return Files.readString(p);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList();
            assertThat(junked).singleElement().asString().contains("Subject: promo").contains("spf=fail")
                    .contains("dmarc=fail (p=quarantine dis=quarantine)");
        }
    }

    @Test
    void aHeloNameWhoseSpfFailsIsRefusedAndAWordInItsPlaceCannotForgeAResult() throws Exception {
        String subject = "helo " + UUID.randomUUID();
        String good = message("News <news@sender.test>", subject);
        String signature = new DkimSigner(List.of(senderKey), Clock.systemUTC()).sign(MessageSource.of(good.getBytes(StandardCharsets.UTF_8)));
        try (Transcript t = server.connect(Role.SMTP)) {
            // MAIL FROM and DKIM pass, DMARC passes: only the HELO name's own SPF record refuses this client.
            t.run("""
                    C: EHLO relay.forged.test
                    S: 250
                    """);
            send(t, "bounce@sender.test", signature + good, "550 5.7.23 Message refused: SPF of the HELO name relay.forged.test does not authorize 127.0.0.1");
            t.run("""
                    C: EHLO x;dkim=pass;dmarc=pass
                    S: 250
                    """);
            send(t, "", signature + good, "250 2.0.0");
        }
        String stored = delivered(subject);
        List<String> fields = List.of(stored.substring(0, stored.indexOf("\r\n\r\n")).split("\r\n(?![ \t])"));
        assertThat(fields).filteredOn(f -> f.startsWith("Authentication-Results:")).singleElement().asString()
                .contains("spf=none (the HELO name is not a domain name) smtp.helo=\"x;dkim=pass;dmarc=pass\";")
                .contains("dkim=pass header.d=sender.test").contains("dmarc=pass");
    }

    private static String message(String from, String subject) {
        return "From: " + from + "\r\nTo: " + BOB + "\r\nSubject: " + subject
                + "\r\nDate: Thu, 03 Dec 2026 12:00:00 +0000\r\nMessage-ID: <" + UUID.randomUUID() + "@x>\r\n\r\nHello Bob.\r\n";
    }

    private static void send(Transcript t, String mailFrom, String message, String expected) throws Exception {
        t.run("""
                C: MAIL FROM:<%s>
                S: 250
                C: RCPT TO:<%s>
                S: 250
                C: DATA
                S: 354
                """.formatted(mailFrom, BOB));
        t.send(message + ".\r\n");
        t.expect(expected);
    }

    private static String q(String s) {
        return "'" + s + "'";
    }
}
