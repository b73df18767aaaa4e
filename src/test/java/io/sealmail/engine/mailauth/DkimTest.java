package io.sealmail.engine.mailauth;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DkimTest {
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-03T12:00:00Z"), ZoneOffset.UTC);
    static final String MESSAGE = "From: Alice <alice@example.test>\r\n"
            + "To: bob@remote.test\r\n"
            + "Subject:  Hello   there \r\n"
            + "Date: Thu, 03 Dec 2026 12:00:00 +0000\r\n"
            + "Message-ID: <1@example.test>\r\n"
            + "X-Unsigned: anything\r\n"
            + "\r\n"
            + "Hi Bob,  \r\n"
            + "\r\n"
            + "  how are\tyou?\r\n"
            + "\r\n\r\n";

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static DkimVerifier.Result verify(String message, FakeDns dns) throws Exception {
        return DkimVerifier.verify(MessageSource.of(bytes(message)), new BoundedDns(dns, CLOCK, Instant.MAX), CLOCK);
    }

    static String signed(DkimSigner signer, String message) throws Exception {
        return signer.sign(MessageSource.of(bytes(message))) + message;
    }

    static FakeDns publish(FakeDns dns, DkimSigningKey... keys) {
        for (DkimSigningKey k : keys) {
            dns.txt(k.recordName(), k.recordText());
        }
        return dns;
    }

    @Test
    void relaxedCanonicalisationFollowsTheRfcExample() {
        // RFC 6376 §3.4.6
        assertThat(Canonicalization.RELAXED.header("A: X")).isEqualTo("a:X");
        assertThat(Canonicalization.RELAXED.header("B : Y\t\r\n\tZ  ")).isEqualTo("b:Y Z");
        BodyHasher relaxed = BodyHasher.unlimited(Canonicalization.RELAXED);
        BodyHasher reference = BodyHasher.unlimited(Canonicalization.SIMPLE);
        byte[] body = bytes(" C \r\nD \t E\r\n\r\n\r\n");
        relaxed.body(body, 0, 5); // split mid-line: streaming must not matter
        relaxed.body(body, 5, body.length - 5);
        relaxed.end();
        assertThat(relaxed.canonicalLength()).isEqualTo(" C\r\nD E\r\n".length());
        byte[] expected = bytes(" C\r\nD E\r\n");
        reference.body(expected, 0, expected.length);
        reference.end();
        assertThat(relaxed.hash()).isEqualTo(reference.hash());
        BodyHasher simple = BodyHasher.unlimited(Canonicalization.SIMPLE);
        simple.body(body, 0, body.length);
        simple.end();
        assertThat(simple.canonicalLength()).isEqualTo(" C \r\nD \t E\r\n".length());
    }

    /** RFC 6376 §3.4.3/§3.4.4 written as plainly as possible, to check the streaming hasher against. */
    static String canonicalBody(String body, Canonicalization canon) {
        String s = body;
        if (canon == Canonicalization.RELAXED) {
            s = s.replaceAll("[ \t]+\r\n", "\r\n").replaceAll("[ \t]+", " ").replaceAll("[ \t]+$", "");
        }
        if (!s.isEmpty() && !s.endsWith("\r\n")) {
            s += "\r\n";
        }
        while (s.endsWith("\r\n\r\n")) {
            s = s.substring(0, s.length() - 2);
        }
        if (s.equals("\r\n") && canon == Canonicalization.RELAXED) {
            s = "";
        }
        return s.isEmpty() && canon == Canonicalization.SIMPLE ? "\r\n" : s;
    }

    @Test
    void streamingBodyHashMatchesThePlainCanonicalisationForRandomBodiesPiecesAndLimits() throws Exception {
        java.util.Random random = new java.util.Random(6376);
        String alphabet = "ab \t\r\n\r\n.";
        for (int round = 0; round < 2000; round++) {
            StringBuilder b = new StringBuilder();
            for (int i = random.nextInt(300); i > 0; i--) {
                b.append(random.nextInt(4) == 0 ? "\r\n" : String.valueOf(alphabet.charAt(random.nextInt(alphabet.length()))));
            }
            String body = b.toString().replaceAll("\r(?!\n)", "").replaceAll("(?<!\r)\n", "");
            byte[] octets = bytes(body);
            for (Canonicalization canon : Canonicalization.values()) {
                byte[] expected = bytes(canonicalBody(body, canon));
                long limit = random.nextBoolean() ? -1 : random.nextInt(expected.length + 3);
                BodyHasher hasher = new BodyHasher(canon, limit);
                for (int off = 0; off < octets.length; ) {
                    int piece = Math.min(octets.length - off, 1 + random.nextInt(40));
                    hasher.body(octets, off, piece);
                    off += piece;
                }
                hasher.end();
                int hashed = limit < 0 ? expected.length : (int) Math.min(limit, expected.length);
                assertThat(hasher.canonicalLength()).as("%s of %s", canon, body).isEqualTo(expected.length);
                assertThat(hasher.hash()).as("%s of %s, l=%d", canon, body, limit)
                        .isEqualTo(java.security.MessageDigest.getInstance("SHA-256").digest(java.util.Arrays.copyOf(expected, hashed)));
            }
        }
    }

    @Test
    void rsaSignaturesComeFromAwsLcAndEqualTheJdksOctetForOctet() throws Exception {
        // RSASSA-PKCS1-v1_5 is deterministic: the native provider must give exactly the JDK's signature.
        java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        java.security.interfaces.RSAPrivateCrtKey key =
                (java.security.interfaces.RSAPrivateCrtKey) generator.generateKeyPair().getPrivate();
        byte[] data = bytes(MESSAGE);
        assertThat(RsaSigning.providerName()).isEqualTo("AWS-LC");
        RsaSigning.Key prepared = RsaSigning.prepare(key);
        assertThat(prepared.provider()).isNotNull();
        assertThat(prepared.sign(data)).isEqualTo(new RsaSigning.Key(key, null).sign(data));
    }

    @Test
    void anEd25519KeyThatIsNoPointOfTheCurveIsAPermanentError() throws Exception {
        // MailAuthFuzz's crash-9775cf75... record: 32 octets that Bouncy Castle refuses as a curve point; this
        // escaped the verifier as an IllegalArgumentException (a failed check, 451, for every such message).
        DkimSigningKey ed = TestKeys.edKey("example.test", "e1");
        String record = "v=DKIM1; k=ed25519; p=MMMMOMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMM";
        DkimResult r = verify(signed(new DkimSigner(List.of(ed), CLOCK), MESSAGE), new FakeDns().txt(ed.recordName(), record))
                .results().get(0);
        assertThat(r.result()).isEqualTo(AuthResult.PERMERROR);
        assertThat(r.reason()).contains("not an ed25519 public key");
    }

    @Test
    void emptyBodiesCanonicaliseAsTheRfcSays() {
        BodyHasher relaxed = BodyHasher.unlimited(Canonicalization.RELAXED);
        relaxed.end();
        assertThat(relaxed.canonicalLength()).isZero();
        BodyHasher simple = BodyHasher.unlimited(Canonicalization.SIMPLE);
        simple.end();
        assertThat(simple.canonicalLength()).isEqualTo(2);
    }

    @Test
    void rsaAndEd25519SignaturesVerifyAndBothAreAdded() throws Exception {
        DkimSigningKey rsa = TestKeys.rsaKey("example.test", "r1");
        DkimSigningKey ed = TestKeys.edKey("example.test", "e1");
        String message = signed(new DkimSigner(List.of(rsa, ed), CLOCK), MESSAGE);
        assertThat(message).startsWith("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.test;");
        assertThat(message).contains("a=ed25519-sha256");
        assertThat(message).contains("h=from:from:subject:date:message-id:to;");
        for (String line : message.split("\r\n")) {
            assertThat(line.length()).as(line).isLessThanOrEqualTo(78);
        }
        DkimVerifier.Result result = verify(message, publish(new FakeDns(), rsa, ed));
        assertThat(result.results()).extracting(DkimResult::result).containsExactly(AuthResult.PASS, AuthResult.PASS);
        assertThat(result.results()).extracting(DkimResult::algorithm).containsExactly("rsa-sha256", "ed25519-sha256");
        assertThat(result.results().get(0).domain()).isEqualTo("example.test");
    }

    @Test
    void noSignatureWithoutAKeyForTheFromDomain() throws Exception {
        DkimSigner signer = new DkimSigner(List.of(TestKeys.edKey("other.test", "e1")), CLOCK);
        assertThat(signer.sign(MessageSource.of(bytes(MESSAGE)))).isEmpty();
        assertThat(signer.sign(MessageSource.of(bytes("From: a@other.test\r\nFrom: b@other.test\r\n\r\nx\r\n")))).isEmpty();
    }

    @Test
    void anyChangeToSignedContentFailsButUnsignedFieldsAndWhitespaceDoNot() throws Exception {
        DkimSigningKey ed = TestKeys.edKey("example.test", "e1");
        FakeDns dns = publish(new FakeDns(), ed);
        String message = signed(new DkimSigner(List.of(ed), CLOCK), MESSAGE);
        assertThat(verify(message.replace("how are", "who are"), dns).results().get(0))
                .extracting(DkimResult::result, DkimResult::reason).containsExactly(AuthResult.FAIL, "body hash did not verify");
        assertThat(verify(message.replace("Hello", "Hullo"), dns).results().get(0))
                .extracting(DkimResult::result, DkimResult::reason).containsExactly(AuthResult.FAIL, "signature did not verify");
        // From is oversigned: a second From added on top breaks the signature.
        assertThat(verify("From: mallory@example.test\r\n" + message, dns).results().get(0).result()).isEqualTo(AuthResult.FAIL);
        // Relaxed: whitespace changes, refolding, an unsigned field and a Received on top keep it valid.
        String relaxed = "Received: from x by y; Thu, 03 Dec 2026 12:00:01 +0000\r\n"
                + message.replace("X-Unsigned: anything", "X-Unsigned: changed").replace("Hi Bob,  ", "Hi   Bob,")
                .replace("Subject:  Hello   there ", "Subject: Hello\r\n there");
        assertThat(verify(relaxed, dns).results().get(0).result()).isEqualTo(AuthResult.PASS);
    }

    @Test
    void brokenSignaturesGetTheirRfcResult() throws Exception {
        DkimSigningKey rsa = TestKeys.rsaKey("example.test", "r1");
        FakeDns dns = publish(new FakeDns(), rsa);
        String message = signed(new DkimSigner(List.of(rsa), CLOCK), MESSAGE);
        String sig = message.substring(0, message.indexOf("From:"));
        String body = message.substring(sig.length());

        DkimResult badBase64 = verify(sig.replaceFirst("b=", "b=!!notbase64!!") + body, dns).results().get(0);
        assertThat(badBase64.result()).isEqualTo(AuthResult.NEUTRAL);
        assertThat(badBase64.reason()).contains("bad base64 in b=");

        DkimResult absurdL = verify(sig.replaceFirst("c=relaxed/relaxed;", "c=relaxed/relaxed; l=99999999999999999999999999999;") + body, dns).results().get(0);
        assertThat(absurdL.result()).isEqualTo(AuthResult.NEUTRAL);
        assertThat(absurdL.reason()).contains("invalid l=");

        DkimResult longL = verify(sig.replaceFirst("c=relaxed/relaxed;", "c=relaxed/relaxed; l=100000;") + body, dns).results().get(0);
        assertThat(longL).extracting(DkimResult::result, DkimResult::reason).containsExactly(AuthResult.FAIL, "l= is longer than the body");

        DkimResult missingTag = verify(sig.replaceFirst("d=example.test;", "") + body, dns).results().get(0);
        assertThat(missingTag.result()).isEqualTo(AuthResult.NEUTRAL);
        assertThat(missingTag.reason()).contains("missing required tag d=");

        DkimResult duplicate = verify(sig.replaceFirst("v=1;", "v=1; v=1;") + body, dns).results().get(0);
        assertThat(duplicate.reason()).contains("duplicate tag v");

        DkimResult sha1 = verify(sig.replaceFirst("a=rsa-sha256", "a=rsa-sha1") + body, dns).results().get(0);
        assertThat(sha1.result()).isEqualTo(AuthResult.POLICY);

        DkimResult noKey = verify(sig.replaceFirst("s=r1;", "s=missing;") + body, dns).results().get(0);
        assertThat(noKey).extracting(DkimResult::result, DkimResult::reason)
                .containsExactly(AuthResult.PERMERROR, "no key at missing._domainkey.example.test");

        DkimResult timeout = verify(message, new FakeDns().timeout(rsa.recordName())).results().get(0);
        assertThat(timeout.result()).isEqualTo(AuthResult.TEMPERROR);

        FakeDns revoked = new FakeDns().txt(rsa.recordName(), "v=DKIM1; k=rsa; p=");
        assertThat(verify(message, revoked).results().get(0).reason()).isEqualTo("key revoked");

        FakeDns huge = new FakeDns().txt(rsa.recordName(), "v=DKIM1; k=rsa; p=" + "A".repeat(100_000));
        DkimResult hugeKey = verify(message, huge).results().get(0);
        assertThat(hugeKey.result()).isEqualTo(AuthResult.PERMERROR);
        assertThat(hugeKey.reason()).contains("above the bound of 4096");

        FakeDns garbage = new FakeDns().txt(rsa.recordName(), "v=DKIM1; k=rsa; p=AAAA");
        assertThat(verify(message, garbage).results().get(0).reason()).startsWith("unusable key");
    }

    @Test
    void shortRsaKeysAreRefusedByPolicy() throws Exception {
        DkimSigningKey weak = DkimSigningKey.fromPem("example.test", "w", DkimAlgorithm.RSA_SHA256,
                TestKeys.pem(TestKeys.rsa(1024)));
        String message = signed(new DkimSigner(List.of(weak), CLOCK), MESSAGE);
        java.security.KeyPair tiny = TestKeys.rsa(512);
        FakeDns dns = new FakeDns().txt(weak.recordName(), "v=DKIM1; p="
                + java.util.Base64.getEncoder().encodeToString(tiny.getPublic().getEncoded()));
        assertThat(verify(message, dns).results().get(0))
                .extracting(DkimResult::result, DkimResult::reason)
                .containsExactly(AuthResult.POLICY, "RSA key of 512 bits (RFC 8301 needs 1024)");
    }

    @Test
    void onlyTheFirstTenOfAHundredSignaturesAreVerified() throws Exception {
        DkimSigningKey ed = TestKeys.edKey("example.test", "e1");
        FakeDns dns = publish(new FakeDns(), ed);
        String one = new DkimSigner(List.of(ed), CLOCK).sign(MessageSource.of(bytes(MESSAGE)));
        String message = one.repeat(100) + MESSAGE;
        DkimVerifier.Result result = verify(message, dns);
        assertThat(result.results()).hasSize(10).allMatch(r -> r.result() == AuthResult.PASS);
        assertThat(result.ignored()).isEqualTo(90);
        assertThat(dns.queries.get()).as("one key look-up for ten signatures with the same key").isEqualTo(1);
    }
}
