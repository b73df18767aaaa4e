package io.sealmail.engine.mailauth;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class SpfTest {
    static SpfResult check(FakeDns dns, String ip, String mailFrom) throws Exception {
        return SpfCheck.check(new BoundedDns(dns, Clock.systemUTC(), Instant.MAX), InetAddress.getByName(ip), "mx.sender.test", mailFrom);
    }

    @Test
    void mechanismsMatchTheClient() throws Exception {
        FakeDns dns = new FakeDns()
                .txt("sender.test", "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 a:host.sender.test/30 mx -all")
                .a("host.sender.test", "198.51.100.1")
                .mx("sender.test", 10, "mx1.sender.test").a("mx1.sender.test", "203.0.113.7");
        assertThat(check(dns, "192.0.2.77", "a@sender.test").result()).isEqualTo(AuthResult.PASS);
        assertThat(check(dns, "2001:db8::1", "a@sender.test").result()).isEqualTo(AuthResult.PASS);
        assertThat(check(dns, "198.51.100.3", "a@sender.test").result()).isEqualTo(AuthResult.PASS);
        assertThat(check(dns, "203.0.113.7", "a@sender.test").result()).isEqualTo(AuthResult.PASS);
        SpfResult fail = check(dns, "198.51.100.9", "a@sender.test");
        assertThat(fail).extracting(SpfResult::result, SpfResult::identity, SpfResult::domain)
                .containsExactly(AuthResult.FAIL, "mailfrom", "sender.test");
    }

    @Test
    void qualifiersRedirectAndNoRecord() throws Exception {
        FakeDns dns = new FakeDns()
                .txt("soft.test", "v=spf1 ~all").txt("neutral.test", "v=spf1 ?all").txt("empty.test", "v=spf1")
                .txt("redirect.test", "v=spf1 redirect=soft.test").txt("other.test", "some other text")
                .txt("two.test", "v=spf1 -all").txt("two.test", "v=spf1 +all");
        assertThat(check(dns, "192.0.2.1", "a@soft.test").result()).isEqualTo(AuthResult.SOFTFAIL);
        assertThat(check(dns, "192.0.2.1", "a@neutral.test").result()).isEqualTo(AuthResult.NEUTRAL);
        assertThat(check(dns, "192.0.2.1", "a@empty.test").result()).isEqualTo(AuthResult.NEUTRAL);
        assertThat(check(dns, "192.0.2.1", "a@redirect.test").result()).isEqualTo(AuthResult.SOFTFAIL);
        assertThat(check(dns, "192.0.2.1", "a@other.test").result()).isEqualTo(AuthResult.NONE);
        assertThat(check(dns, "192.0.2.1", "a@nowhere.test").result()).isEqualTo(AuthResult.NONE);
        assertThat(check(dns, "192.0.2.1", "a@two.test").result()).isEqualTo(AuthResult.PERMERROR);
    }

    @Test
    void theNullSenderIsCheckedAsPostmasterAtTheHeloName() throws Exception {
        FakeDns dns = new FakeDns().txt("mx.sender.test", "v=spf1 ip4:192.0.2.1 -all");
        SpfResult r = check(dns, "192.0.2.1", "");
        assertThat(r).extracting(SpfResult::result, SpfResult::identity, SpfResult::domain)
                .containsExactly(AuthResult.PASS, "helo", "mx.sender.test");
    }

    @Test
    void aHeloThatIsNoDomainNameIsNotAskedAbout() throws Exception {
        // RFC 7208 §2.3: only a valid multi-label domain name can be checked; no DNS question for the others.
        for (String helo : new String[] {"192.0.2.10", "[192.0.2.10]", "[IPv6:2001:db8::1]", "localhost", "x;dkim=pass", ""}) {
            FakeDns dns = new FakeDns();
            SpfResult r = SpfCheck.check(new BoundedDns(dns, Clock.systemUTC(), Instant.MAX), InetAddress.getByName("192.0.2.10"), helo, "");
            assertThat(r.result()).as(helo).isEqualTo(AuthResult.NONE);
            assertThat(r.identity()).isEqualTo("helo");
            assertThat(dns.queries.get()).as(helo).isZero();
        }
        FakeDns dns = new FakeDns().txt("mx.sender.test", "v=spf1 ip4:192.0.2.1 -all");
        SpfResult dotted = SpfCheck.check(new BoundedDns(dns, Clock.systemUTC(), Instant.MAX), InetAddress.getByName("192.0.2.1"), "MX.Sender.Test.", "");
        assertThat(dotted).extracting(SpfResult::result, SpfResult::domain).containsExactly(AuthResult.PASS, "mx.sender.test");
    }

    @Test
    void macrosExpandAsRfc7208Section7Shows() throws Exception {
        InetAddress ip = InetAddress.getByName("192.0.2.3");
        SpfMacro.Context c = new SpfMacro.Context("strong-bad@email.example.com", "email.example.com", ip, "mx.example.org");
        assertThat(SpfMacro.expand("%{s}", c)).isEqualTo("strong-bad@email.example.com");
        assertThat(SpfMacro.expand("%{o}", c)).isEqualTo("email.example.com");
        assertThat(SpfMacro.expand("%{d4}", c)).isEqualTo("email.example.com");
        assertThat(SpfMacro.expand("%{d2}", c)).isEqualTo("example.com");
        assertThat(SpfMacro.expand("%{dr}", c)).isEqualTo("com.example.email");
        assertThat(SpfMacro.expand("%{d2r}", c)).isEqualTo("example.email");
        assertThat(SpfMacro.expand("%{l}", c)).isEqualTo("strong-bad");
        assertThat(SpfMacro.expand("%{l-}", c)).isEqualTo("strong.bad");
        assertThat(SpfMacro.expand("%{lr-}", c)).isEqualTo("bad.strong");
        assertThat(SpfMacro.expand("%{l1r-}", c)).isEqualTo("strong");
        assertThat(SpfMacro.expand("%{ir}.%{v}._spf.%{d2}", c)).isEqualTo("3.2.0.192.in-addr._spf.example.com");
        SpfMacro.Context v6 = new SpfMacro.Context("a@b.test", "b.test", InetAddress.getByName("2001:db8::cb01"), "h");
        assertThat(SpfMacro.expand("%{ir}.%{v}._spf.%{d2}", v6))
                .isEqualTo("1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.b.test");
    }

    @Test
    void existsWithMacrosMatches() throws Exception {
        FakeDns dns = new FakeDns().txt("sender.test", "v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d} -all")
                .a("1.2.0.192.alice._spf.sender.test", "127.0.0.2");
        assertThat(check(dns, "192.0.2.1", "alice@sender.test").result()).isEqualTo(AuthResult.PASS);
        assertThat(check(dns, "192.0.2.1", "bob@sender.test").result()).isEqualTo(AuthResult.FAIL);
    }

    @Test
    void includeLoopsEndAtTheTenLookupBound() throws Exception {
        FakeDns dns = new FakeDns().txt("loop.test", "v=spf1 include:loop.test -all")
                .txt("a.test", "v=spf1 include:b.test -all").txt("b.test", "v=spf1 include:a.test -all");
        SpfResult self = check(dns, "192.0.2.1", "x@loop.test");
        assertThat(self.result()).isEqualTo(AuthResult.PERMERROR);
        assertThat(self.reason()).contains("more than 10 DNS look-ups");
        assertThat(dns.queries.get()).as("1 + 10 TXT look-ups, then it stops").isEqualTo(11);
        assertThat(check(dns, "192.0.2.1", "x@a.test").result()).isEqualTo(AuthResult.PERMERROR);
    }

    @Test
    void tenLookupsPassButElevenAreAPermerror() throws Exception {
        FakeDns dns = new FakeDns();
        StringBuilder ten = new StringBuilder("v=spf1");
        for (int i = 1; i <= 10; i++) {
            ten.append(" a:h").append(i).append(".test");
            dns.a("h" + i + ".test", "198.51.100." + i);
        }
        dns.txt("ten.test", ten + " -all").txt("eleven.test", ten + " a:h11.test -all").a("h11.test", "192.0.2.1");
        assertThat(check(dns, "198.51.100.10", "x@ten.test").result()).isEqualTo(AuthResult.PASS);
        assertThat(check(dns, "192.0.2.99", "x@ten.test").result()).isEqualTo(AuthResult.FAIL);
        SpfResult eleven = check(dns, "192.0.2.1", "x@eleven.test");
        assertThat(eleven.result()).isEqualTo(AuthResult.PERMERROR);
    }

    @Test
    void moreThanTwoVoidLookupsAreAPermerror() throws Exception {
        FakeDns dns = new FakeDns().txt("void.test", "v=spf1 a:n1.test a:n2.test a:n3.test -all")
                .txt("twovoid.test", "v=spf1 a:n1.test a:n2.test -all");
        assertThat(check(dns, "192.0.2.1", "x@twovoid.test").result()).isEqualTo(AuthResult.FAIL);
        SpfResult r = check(dns, "192.0.2.1", "x@void.test");
        assertThat(r.result()).isEqualTo(AuthResult.PERMERROR);
        assertThat(r.reason()).contains("void");
    }

    @Test
    void moreThanTenMxNamesAreAPermerror() throws Exception {
        FakeDns dns = new FakeDns().txt("manymx.test", "v=spf1 mx -all");
        for (int i = 0; i < 11; i++) {
            dns.mx("manymx.test", i, "mx" + i + ".manymx.test");
        }
        assertThat(check(dns, "192.0.2.1", "x@manymx.test").result()).isEqualTo(AuthResult.PERMERROR);
    }

    @Test
    void dnsTimeoutsAreTemperrors() throws Exception {
        FakeDns dns = new FakeDns().timeout("slow.test").txt("inc.test", "v=spf1 include:slow.test -all");
        assertThat(check(dns, "192.0.2.1", "x@slow.test").result()).isEqualTo(AuthResult.TEMPERROR);
        assertThat(check(dns, "192.0.2.1", "x@inc.test").result()).isEqualTo(AuthResult.TEMPERROR);
        // The check's deadline: once it has passed no question is asked and the result is temperror.
        FakeDns ok = new FakeDns().txt("fine.test", "v=spf1 +all");
        SpfResult late = SpfCheck.check(new BoundedDns(ok, Clock.systemUTC(), Instant.now().minusSeconds(1)),
                InetAddress.getByName("192.0.2.1"), "h.test", "x@fine.test");
        assertThat(late.result()).isEqualTo(AuthResult.TEMPERROR);
        assertThat(ok.queries.get()).isZero();
    }

    @Test
    void syntaxErrorsAnywhereAreAPermerror() throws Exception {
        String[] bad = {"v=spf1 ip4:300.1.1.1 -all", "v=spf1 ip4:192.0.2.0/33", "v=spf1 a/024", "v=spf1 foo:bar",
                "v=spf1 include", "v=spf1 exists:%{x}", "v=spf1 exists:%{d0}", "v=spf1 a:%", "v=spf1 redirect=a.test redirect=b.test",
                "v=spf1 -all ip6:zz::1", "v=spf1 all:x", "v=spf1 exists:%{c}"};
        for (String record : bad) {
            FakeDns dns = new FakeDns().txt("bad.test", record);
            assertThat(check(dns, "192.0.2.1", "x@bad.test").result()).as(record).isEqualTo(AuthResult.PERMERROR);
        }
        // Unknown modifiers are ignored (RFC 7208 §6).
        FakeDns dns = new FakeDns().txt("mod.test", "v=spf1 foo=bar ip4:192.0.2.1 -all");
        assertThat(check(dns, "192.0.2.1", "x@mod.test").result()).isEqualTo(AuthResult.PASS);
    }

    @Test
    void ptrMatchesOnlyAConfirmedName() throws Exception {
        FakeDns dns = new FakeDns().txt("ptr.test", "v=spf1 ptr -all")
                .ptr("1.2.0.192.in-addr.arpa", "host.ptr.test").a("host.ptr.test", "192.0.2.1")
                .ptr("2.2.0.192.in-addr.arpa", "liar.ptr.test").a("liar.ptr.test", "198.51.100.1");
        assertThat(check(dns, "192.0.2.1", "x@ptr.test").result()).isEqualTo(AuthResult.PASS);
        assertThat(check(dns, "192.0.2.2", "x@ptr.test").result()).isEqualTo(AuthResult.FAIL);
    }
}
