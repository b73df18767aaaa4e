package io.sealmail.engine.mailauth;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DmarcTest {
    static final SpfResult SPF_NONE = new SpfResult(AuthResult.NONE, "mailfrom", "bounce.test", null);

    static DmarcResult check(FakeDns dns, String from, List<DkimResult> dkim, SpfResult spf, double random) {
        return new DmarcCheck(new BoundedDns(dns, Clock.systemUTC(), Instant.MAX), () -> random)
                .evaluate(new FromDomain.Result(from, null), dkim, spf);
    }

    static DkimResult dkim(AuthResult r, String d) {
        return new DkimResult(r, d, "s", "rsa-sha256", "abc", null, false);
    }

    static SpfResult spf(AuthResult r, String domain) {
        return new SpfResult(r, "mailfrom", domain, null);
    }

    @Test
    void recordsParseWithDefaultsForGarbage() {
        assertThat(DmarcRecord.parse("v=DMARC1; p=reject")).isEqualTo(new DmarcRecord("reject", "reject", false, false, 100, 'u'));
        assertThat(DmarcRecord.parse("v=DMARC1; p=quarantine; sp=none; adkim=s; aspf=s; pct=20"))
                .isEqualTo(new DmarcRecord("quarantine", "none", true, true, 20, 'u'));
        // Garbage in optional tags: defaults (RFC 7489 §6.3).
        assertThat(DmarcRecord.parse("v=DMARC1; p=reject; adkim=x; pct=500; sp=maybe; fo=??; zz=top; rua=garbage"))
                .isEqualTo(new DmarcRecord("reject", "reject", false, false, 100, 'u'));
        // No valid p=: p=none with a rua (§6.6.3), otherwise no record.
        assertThat(DmarcRecord.parse("v=DMARC1; p=bogus; rua=mailto:d@example.test").policy()).isEqualTo("none");
        assertThat(DmarcRecord.parse("v=DMARC1; p=bogus")).isNull();
        assertThat(DmarcRecord.parse("v=DMARC1 p=reject")).isNull();
        assertThat(DmarcRecord.parse("p=reject; v=DMARC1")).isNull();
        assertThat(DmarcRecord.parse("v=DMARC1; p=reject; p=none")).isNull();
        assertThat(DmarcRecord.parse("v=DMARC1; ;;; p=reject;;")).isNotNull();
        assertThat(DmarcRecord.parse("v=DMARC1; p=reject; " + "x=y; ".repeat(5000))).isNull();
    }

    @Test
    void alignedDkimOrSpfPasses() {
        FakeDns dns = new FakeDns().txt("_dmarc.example.test", "v=DMARC1; p=reject");
        assertThat(check(dns, "example.test", List.of(dkim(AuthResult.PASS, "example.test")), SPF_NONE, 0).result()).isEqualTo(AuthResult.PASS);
        // Relaxed: a subdomain's signature or envelope aligns through the organizational domain.
        assertThat(check(dns, "example.test", List.of(dkim(AuthResult.PASS, "mail.example.test")), SPF_NONE, 0).result()).isEqualTo(AuthResult.PASS);
        assertThat(check(dns, "news.example.test", List.of(), spf(AuthResult.PASS, "bounce.example.test"), 0).result()).isEqualTo(AuthResult.PASS);
        // A pass for another organization does not align.
        DmarcResult other = check(dns, "example.test", List.of(dkim(AuthResult.PASS, "mailer.test")), spf(AuthResult.PASS, "mailer.test"), 0);
        assertThat(other).extracting(DmarcResult::result, DmarcResult::policy, DmarcResult::disposition)
                .containsExactly(AuthResult.FAIL, "reject", "reject");
    }

    @Test
    void strictAlignmentNeedsTheExactDomain() {
        FakeDns dns = new FakeDns().txt("_dmarc.example.test", "v=DMARC1; p=quarantine; adkim=s; aspf=s");
        assertThat(check(dns, "example.test", List.of(dkim(AuthResult.PASS, "mail.example.test")), spf(AuthResult.PASS, "b.example.test"), 0).result())
                .isEqualTo(AuthResult.FAIL);
        assertThat(check(dns, "example.test", List.of(dkim(AuthResult.PASS, "example.test")), SPF_NONE, 0).result()).isEqualTo(AuthResult.PASS);
    }

    @Test
    void subdomainsTakeSpAndPctSamplesDownward() {
        FakeDns dns = new FakeDns().txt("_dmarc.example.test", "v=DMARC1; p=reject; sp=quarantine; pct=50");
        DmarcResult sub = check(dns, "a.b.example.test", List.of(), SPF_NONE, 0.1);
        assertThat(sub).extracting(DmarcResult::policy, DmarcResult::disposition).containsExactly("quarantine", "quarantine");
        DmarcResult outside = check(dns, "example.test", List.of(), SPF_NONE, 0.9);
        assertThat(outside).extracting(DmarcResult::policy, DmarcResult::disposition).containsExactly("reject", "quarantine");
    }

    @Test
    void noRecordMultipleRecordsAndTemporaryFailures() {
        assertThat(check(new FakeDns(), "example.test", List.of(), SPF_NONE, 0).result()).isEqualTo(AuthResult.NONE);
        FakeDns two = new FakeDns().txt("_dmarc.example.test", "v=DMARC1; p=reject").txt("_dmarc.example.test", "v=DMARC1; p=none");
        assertThat(check(two, "example.test", List.of(), SPF_NONE, 0).result()).isEqualTo(AuthResult.NONE);
        assertThat(check(new FakeDns().timeout("_dmarc.example.test"), "example.test", List.of(), SPF_NONE, 0).result())
                .isEqualTo(AuthResult.TEMPERROR);
        FakeDns dns = new FakeDns().txt("_dmarc.example.test", "v=DMARC1; p=reject");
        assertThat(check(dns, "example.test", List.of(dkim(AuthResult.TEMPERROR, "example.test")), SPF_NONE, 0).result())
                .as("a DNS failure never becomes a final fail").isEqualTo(AuthResult.TEMPERROR);
    }

    @Test
    void theTreeWalkAsksAtMostEightNames() {
        FakeDns dns = new FakeDns();
        check(dns, "a.b.c.d.e.f.g.h.i.j.k.example.test", List.of(), SPF_NONE, 0);
        assertThat(dns.queries.get()).isEqualTo(8);
        assertThat(dns.asked).contains("TXT _dmarc.a.b.c.d.e.f.g.h.i.j.k.example.test", "TXT _dmarc.example.test", "TXT _dmarc.test");
    }

    @Test
    void fromFieldsAreParsedLikeRfc5322() {
        assertThat(FromDomain.domains("\"Doe, John\" <john@Example.TEST>")).containsExactly("example.test");
        assertThat(FromDomain.domains("john@example.test (comment <x@evil.test>)")).containsExactly("example.test");
        assertThat(FromDomain.domains("\"x@evil.test\" <a@good.test>, b@other.test")).containsExactly("good.test", "other.test");
        assertThat(FromDomain.domains("Group: a@one.test, b@two.test;")).containsExactly("one.test", "two.test");
        assertThat(FromDomain.domains("undisclosed")).isEmpty();
    }
}
