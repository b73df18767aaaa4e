package io.sealmail.engine.mailauth;

import io.sealmail.config.Inbound;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class InboundChecksTest {
    static final String CLIENT = "192.0.2.10";
    static final String MESSAGE = "From: Sender <news@sender.test>\r\n"
            + "To: alice@example.test\r\n"
            + "Subject: Inbound\r\n"
            + "Date: Thu, 03 Dec 2026 12:00:00 +0000\r\n"
            + "Message-ID: <in.1@sender.test>\r\n"
            + "\r\n"
            + "Body\r\n";

    static InboundChecks checks(FakeDns dns, Inbound.DmarcMode mode, double random) {
        return new InboundChecks("mx.example.test", dns, new Inbound(true, mode, Duration.ofSeconds(20)), Clock.systemUTC(), () -> random);
    }

    static InboundVerdict check(InboundChecks checks, String mailFrom, String message) throws Exception {
        return checks.check(InetAddress.getByName(CLIENT), "mta.sender.test", mailFrom,
                MessageSource.of(message.getBytes(StandardCharsets.UTF_8)));
    }

    static FakeDns zone(String dmarc) {
        FakeDns dns = new FakeDns().txt("sender.test", "v=spf1 ip4:" + CLIENT + " -all");
        return dmarc == null ? dns : dns.txt("_dmarc.sender.test", dmarc);
    }

    @Test
    void aSignedMessageFromAnAuthorizedClientPassesEverything() throws Exception {
        DkimSigningKey ed = TestKeys.edKey("sender.test", "e1");
        DkimSigningKey rsa = TestKeys.rsaKey("sender.test", "r1");
        FakeDns dns = DkimTest.publish(zone("v=DMARC1; p=reject"), ed, rsa);
        String signed = new DkimSigner(List.of(rsa, ed), Clock.systemUTC()).sign(MessageSource.of(MESSAGE.getBytes(StandardCharsets.UTF_8))) + MESSAGE;
        InboundVerdict v = check(checks(dns, Inbound.DmarcMode.ENFORCE, 0), "bounce@sender.test", signed);
        assertThat(v.action()).isEqualTo(InboundVerdict.Action.DELIVER);
        assertThat(v.authenticationResults())
                .startsWith("Authentication-Results: mx.example.test;\r\n\tspf=pass (192.0.2.10 is authorized by sender.test) smtp.mailfrom=sender.test;\r\n\tdkim=pass header.d=sender.test header.s=r1 header.a=rsa-sha256 header.b=")
                .contains("dkim=pass header.d=sender.test header.s=e1 header.a=ed25519-sha256")
                .endsWith(";\r\n\tdmarc=pass (p=reject dis=none) header.from=sender.test\r\n");
        for (String line : v.authenticationResults().split("\r\n")) {
            assertThat(line.length()).isLessThan(998);
        }
    }

    @Test
    void enforceRejectsQuarantinesAndDefersReportOnlyDelivers() throws Exception {
        String forged = MESSAGE;
        InboundVerdict reject = check(checks(zone("v=DMARC1; p=reject"), Inbound.DmarcMode.ENFORCE, 0), "x@elsewhere.test", forged);
        assertThat(reject.action()).isEqualTo(InboundVerdict.Action.REJECT);
        assertThat(reject.reply()).startsWith("550 5.7.1 ").contains("sender.test");
        assertThat(reject.authenticationResults()).contains("dmarc=fail (p=reject dis=reject) header.from=sender.test");

        InboundVerdict junk = check(checks(zone("v=DMARC1; p=quarantine"), Inbound.DmarcMode.ENFORCE, 0), "x@elsewhere.test", forged);
        assertThat(junk.action()).isEqualTo(InboundVerdict.Action.JUNK);

        InboundVerdict sampled = check(checks(zone("v=DMARC1; p=reject; pct=10"), Inbound.DmarcMode.ENFORCE, 0.5), "x@elsewhere.test", forged);
        assertThat(sampled.action()).as("outside pct=: one policy down").isEqualTo(InboundVerdict.Action.JUNK);

        FakeDns slow = new FakeDns().txt("sender.test", "v=spf1 ip4:" + CLIENT + " -all").timeout("_dmarc.sender.test");
        InboundVerdict defer = check(checks(slow, Inbound.DmarcMode.ENFORCE, 0), "x@elsewhere.test", forged);
        assertThat(defer.action()).isEqualTo(InboundVerdict.Action.DEFER);
        assertThat(defer.reply()).startsWith("451 4.7.1 ");
        assertThat(defer.authenticationResults()).contains("dmarc=temperror");

        InboundVerdict reportOnly = check(checks(zone("v=DMARC1; p=reject"), Inbound.DmarcMode.REPORT_ONLY, 0), "x@elsewhere.test", forged);
        assertThat(reportOnly.action()).isEqualTo(InboundVerdict.Action.DELIVER);
        assertThat(reportOnly.reply()).isNull();
        assertThat(reportOnly.authenticationResults()).contains("dmarc=fail");

        InboundVerdict spfAligned = check(checks(zone("v=DMARC1; p=reject"), Inbound.DmarcMode.ENFORCE, 0), "bounce@sender.test", forged);
        assertThat(spfAligned.action()).isEqualTo(InboundVerdict.Action.DELIVER);
        assertThat(spfAligned.authenticationResults()).contains("dkim=none").contains("dmarc=pass");
    }

    @Test
    void twoFromFieldsAreRefusedUnderEnforce() throws Exception {
        String twoFroms = "From: ceo@sender.test\r\n" + MESSAGE;
        InboundVerdict v = check(checks(zone("v=DMARC1; p=none"), Inbound.DmarcMode.ENFORCE, 0), "bounce@sender.test", twoFroms);
        assertThat(v.action()).isEqualTo(InboundVerdict.Action.REJECT);
        assertThat(v.reply()).isEqualTo("550 5.7.1 Message refused: 2 From fields (RFC 5322 allows one)");
        assertThat(v.dmarc().result()).isEqualTo(AuthResult.PERMERROR);
    }

    @Test
    void forgedAuthenticationResultsWithOurIdAreRemovedOthersKept() throws Exception {
        String forgedOurs = "Authentication-Results: mx.example.test; dmarc=pass header.from=bank.test\r\n";
        String forgedCase = "Authentication-Results: (sneaky) MX.Example.Test;\r\n\tdkim=pass\r\n";
        String theirs = "Authentication-Results: mx.sender.test; spf=pass smtp.mailfrom=sender.test\r\n";
        String message = forgedOurs + theirs + forgedCase + MESSAGE;
        InboundVerdict v = check(checks(zone(null), Inbound.DmarcMode.REPORT_ONLY, 0), "b@sender.test", message);
        assertThat(v.removals()).containsExactly(
                new InboundVerdict.Range(0, forgedOurs.length()),
                new InboundVerdict.Range(forgedOurs.length() + theirs.length(), forgedCase.length()));
    }

    @Test
    void ourReceivedFieldOnTopIsNotCheckedAndRangesCountFromTheStart() throws Exception {
        String ours = "Received: from mta.sender.test by mx.example.test; Thu, 03 Dec 2026 12:00:01 +0000\r\n";
        String forged = "Authentication-Results: mx.example.test; dkim=pass\r\n";
        InboundVerdict v = checks(zone(null), Inbound.DmarcMode.REPORT_ONLY, 0).check(InetAddress.getByName(CLIENT),
                "mta.sender.test", "b@sender.test", MessageSource.of((ours + forged + MESSAGE).getBytes(StandardCharsets.UTF_8)), true);
        assertThat(v.removals()).containsExactly(new InboundVerdict.Range(ours.length(), forged.length()));
        // A From field in our own Received position would be skipped: here the message's one From is seen.
        assertThat(v.dmarc().fromDomain()).isEqualTo("sender.test");
        InboundVerdict fromOnTop = checks(zone(null), Inbound.DmarcMode.REPORT_ONLY, 0).check(InetAddress.getByName(CLIENT),
                "mta.sender.test", "b@sender.test", MessageSource.of(("From: x@other.test\r\n" + MESSAGE).getBytes(StandardCharsets.UTF_8)), true);
        assertThat(fromOnTop.dmarc().result()).as("the skipped top field does not count as a second From").isNotEqualTo(AuthResult.PERMERROR);
    }

    @Test
    void aHeloNameThatIsNoDomainCannotWriteIntoOurField() throws Exception {
        // EHLO takes any word without spaces: a client must not add "dkim=pass" to the verdict we sign with our
        // authserv-id (RFC 8601 §5), nor octets outside printable ASCII.
        for (String helo : List.of("evil.test;dkim=pass", "x;\tdmarc=pass\theader.from=bank.test", "(c)\"q\"\u00e9.test", "[192.0.2.10]")) {
            InboundVerdict v = checks(zone("v=DMARC1; p=reject"), Inbound.DmarcMode.ENFORCE, 0).check(InetAddress.getByName(CLIENT),
                    helo, "", MessageSource.of(MESSAGE.getBytes(StandardCharsets.UTF_8)));
            String field = v.authenticationResults();
            assertThat(field).as(helo).matches("[\\x20-\\x7e\r\n\t]*");
            String[] results = field.substring(field.indexOf(';') + 1).replaceAll("\\((?:[^()\\\\]|\\\\.)*\\)", "") // comments
                    .replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"q\"").split(";"); // quoted strings
            assertThat(results).as(helo + ": " + field).hasSize(3);
            assertThat(results[0]).as(helo).startsWith("\r\n\tspf=none").contains(" smtp.helo=");
            assertThat(results[1]).as(helo).startsWith("\r\n\tdkim=none");
            assertThat(results[2]).as(helo).startsWith("\r\n\tdmarc=fail");
        }
    }

    @Test
    void theHeloNameIsCheckedBesideMailFromAndItsFailRefusedUnderEnforce() throws Exception {
        FakeDns dns = zone("v=DMARC1; p=reject").txt("mta.sender.test", "v=spf1 ip4:198.51.100.7 -all");
        InboundVerdict refused = check(checks(dns, Inbound.DmarcMode.ENFORCE, 0), "bounce@sender.test", MESSAGE);
        assertThat(refused.dmarc().result()).as("DMARC uses MAIL FROM's pass").isEqualTo(AuthResult.PASS);
        assertThat(refused.action()).isEqualTo(InboundVerdict.Action.REJECT);
        assertThat(refused.reply()).isEqualTo("550 5.7.23 Message refused: SPF of the HELO name mta.sender.test does not authorize 192.0.2.10");
        assertThat(refused.authenticationResults())
                .contains("\tspf=pass (192.0.2.10 is authorized by sender.test) smtp.mailfrom=sender.test;\r\n"
                        + "\tspf=fail (192.0.2.10 is not authorized by mta.sender.test) smtp.helo=mta.sender.test;\r\n\tdkim=none");

        InboundVerdict reported = check(checks(dns, Inbound.DmarcMode.REPORT_ONLY, 0), "bounce@sender.test", MESSAGE);
        assertThat(reported.action()).isEqualTo(InboundVerdict.Action.DELIVER);
        assertThat(reported.heloSpf().result()).isEqualTo(AuthResult.FAIL);
        assertThat(reported.authenticationResults()).contains("spf=fail (192.0.2.10 is not authorized by mta.sender.test) smtp.helo=mta.sender.test");

        FakeDns heloPasses = zone("v=DMARC1; p=reject").txt("mta.sender.test", "v=spf1 ip4:" + CLIENT + " -all");
        InboundVerdict passed = check(checks(heloPasses, Inbound.DmarcMode.ENFORCE, 0), "bounce@sender.test", MESSAGE);
        assertThat(passed.action()).isEqualTo(InboundVerdict.Action.DELIVER);
        assertThat(passed.authenticationResults()).contains("spf=pass (192.0.2.10 is authorized by mta.sender.test) smtp.helo=mta.sender.test");
    }

    @Test
    void aHeloNameWhoseSpfFailsIsRefusedUnderEnforceForTheNullSenderToo() throws Exception {
        // For MAIL FROM:<> the HELO name is the identity checked (RFC 7208 §2.4): a fail of it is the same fail,
        // refused as with a sender, or a bounce would be the way around the HELO check. p=none: DMARC refuses nothing.
        FakeDns dns = zone("v=DMARC1; p=none").txt("mta.sender.test", "v=spf1 ip4:198.51.100.7 -all");
        InboundVerdict refused = check(checks(dns, Inbound.DmarcMode.ENFORCE, 0), "", MESSAGE);
        assertThat(refused.spf().identity()).isEqualTo("helo");
        assertThat(refused.spf().result()).isEqualTo(AuthResult.FAIL);
        assertThat(refused.heloSpf()).as("not checked twice").isNull();
        assertThat(refused.action()).isEqualTo(InboundVerdict.Action.REJECT);
        assertThat(refused.reply()).isEqualTo("550 5.7.23 Message refused: SPF of the HELO name mta.sender.test does not authorize 192.0.2.10");
        assertThat(refused.authenticationResults()).containsOnlyOnce("spf=").contains("spf=fail (192.0.2.10 is not authorized by mta.sender.test) smtp.helo=mta.sender.test;");

        InboundVerdict reported = check(checks(dns, Inbound.DmarcMode.REPORT_ONLY, 0), "", MESSAGE);
        assertThat(reported.action()).isEqualTo(InboundVerdict.Action.DELIVER);
        FakeDns heloPasses = zone("v=DMARC1; p=none").txt("mta.sender.test", "v=spf1 ip4:" + CLIENT + " -all");
        assertThat(check(checks(heloPasses, Inbound.DmarcMode.ENFORCE, 0), "", MESSAGE).action()).isEqualTo(InboundVerdict.Action.DELIVER);
    }

    @Test
    void aSlowOrUncheckableHeloNameChangesNothing() throws Exception {
        // The HELO check runs last: its zone timing out is reported, MAIL FROM's pass and DMARC's stand.
        FakeDns slow = zone("v=DMARC1; p=reject").timeout("mta.sender.test");
        InboundVerdict v = check(checks(slow, Inbound.DmarcMode.ENFORCE, 0), "bounce@sender.test", MESSAGE);
        assertThat(v.action()).isEqualTo(InboundVerdict.Action.DELIVER);
        assertThat(v.dmarc().result()).isEqualTo(AuthResult.PASS);
        assertThat(v.heloSpf().result()).isEqualTo(AuthResult.TEMPERROR);
        assertThat(v.authenticationResults()).contains("smtp.mailfrom=sender.test;").contains("spf=temperror").contains("smtp.helo=mta.sender.test");
        // No record, an address literal, a bare address, one label: not checked, no second spf= result.
        for (String helo : List.of("mta.sender.test", "[192.0.2.10]", "192.0.2.10", "localhost", "[IPv6:2001:db8::1]")) {
            InboundVerdict n = checks(zone("v=DMARC1; p=reject"), Inbound.DmarcMode.ENFORCE, 0).check(InetAddress.getByName(CLIENT),
                    helo, "bounce@sender.test", MessageSource.of(MESSAGE.getBytes(StandardCharsets.UTF_8)));
            assertThat(n.heloSpf()).as(helo).isNull();
            assertThat(n.authenticationResults()).as(helo).doesNotContain("smtp.helo");
            assertThat(n.action()).as(helo).isEqualTo(InboundVerdict.Action.DELIVER);
        }
    }

    @Test
    void aHundredSignaturesAreBoundedAndNoted() throws Exception {
        DkimSigningKey ed = TestKeys.edKey("sender.test", "e1");
        FakeDns dns = DkimTest.publish(zone("v=DMARC1; p=reject"), ed);
        String sig = new DkimSigner(List.of(ed), Clock.systemUTC()).sign(MessageSource.of(MESSAGE.getBytes(StandardCharsets.UTF_8)));
        InboundVerdict v = check(checks(dns, Inbound.DmarcMode.ENFORCE, 0), "x@elsewhere.test", sig.repeat(100) + MESSAGE);
        assertThat(v.dkim()).hasSize(10);
        assertThat(v.authenticationResults()).contains("(90 more signatures not checked)");
        assertThat(v.action()).isEqualTo(InboundVerdict.Action.DELIVER);
    }

    @Test
    void anOversizedHeaderSectionIsNotParsedButStillGetsAResult() throws Exception {
        String huge = ("X-Filler: " + "y".repeat(990) + "\r\n").repeat(300) + MESSAGE;
        InboundVerdict v = check(checks(zone("v=DMARC1; p=reject"), Inbound.DmarcMode.ENFORCE, 0), "b@sender.test", huge);
        assertThat(v.dmarc().result()).isEqualTo(AuthResult.PERMERROR);
        assertThat(v.action()).isEqualTo(InboundVerdict.Action.REJECT);
        assertThat(v.reply()).contains("header section too large");
    }
}
