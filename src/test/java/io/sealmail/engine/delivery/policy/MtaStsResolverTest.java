package io.sealmail.engine.delivery.policy;

import io.sealmail.testing.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class MtaStsResolverTest {
    static final String DOMAIN = "example.test";
    static final String ENFORCE = "version: STSv1\nmode: enforce\nmx: mx.example.test\nmax_age: 604800\n";
    static final String TESTING = "version: STSv1\nmode: testing\nmx: mx.example.test\nmax_age: 604800\n";
    static final String NONE = "version: STSv1\nmode: none\nmax_age: 604800\n";

    @TempDir
    Path dir;
    final FakeDns dns = new FakeDns().txt("_mta-sts.example.test", "v=STSv1; id=one;");
    final MutableClock clock = new MutableClock(Instant.parse("2026-12-03T12:00:00Z"));
    final Host host = new Host();

    /** The policy host: serves {@link #body}, or fails when {@link #down}; counts requests. */
    static final class Host implements MtaStsResolver.PolicySource {
        volatile String body = ENFORCE;
        volatile boolean down;
        final AtomicInteger fetches = new AtomicInteger();

        @Override
        public String fetch(String domain) throws IOException {
            fetches.incrementAndGet();
            if (down) {
                throw new IOException("connection refused");
            }
            return body;
        }
    }

    MtaStsResolver resolver() {
        return new MtaStsResolver(dns, host, dir, clock);
    }

    static MtaStsMode mode(Optional<MtaStsPolicy> p) {
        return p.map(MtaStsPolicy::mode).orElse(null);
    }

    @Test
    void aFetchedPolicyIsCachedUntilARefreshIsDue() {
        MtaStsResolver r = resolver();
        assertThat(mode(r.policy(DOMAIN))).isEqualTo(MtaStsMode.ENFORCE);
        clock.advance(Duration.ofHours(23));
        assertThat(mode(r.policy(DOMAIN))).isEqualTo(MtaStsMode.ENFORCE);
        assertThat(host.fetches).hasValue(1);
        clock.advance(Duration.ofHours(2)); // a day old: refreshed although the id is the same
        r.policy(DOMAIN);
        assertThat(host.fetches).hasValue(2);
    }

    @Test
    void aNewTxtIdFetchesTheNewPolicy() {
        MtaStsResolver r = resolver();
        r.policy(DOMAIN);
        host.body = TESTING;
        assertThat(mode(r.policy(DOMAIN))).as("same id: cached").isEqualTo(MtaStsMode.ENFORCE);
        dns.txt("_mta-sts.example.test", "v=STSv1; id=two;");
        assertThat(mode(r.policy(DOMAIN))).isEqualTo(MtaStsMode.TESTING);
        assertThat(host.fetches).hasValue(2);
    }

    @Test
    void anUnreachablePolicyHostWithoutCacheMeansNoPolicy() {
        host.down = true;
        assertThat(resolver().policy(DOMAIN)).isEmpty();
    }

    @Test
    void anUnreachablePolicyHostKeepsACachedEnforcePolicy() {
        MtaStsResolver r = resolver();
        r.policy(DOMAIN);
        host.down = true;
        dns.txt("_mta-sts.example.test", "v=STSv1; id=two;");
        assertThat(mode(r.policy(DOMAIN))).isEqualTo(MtaStsMode.ENFORCE);
        host.down = false;
        host.body = "<html>oops</html>";
        assertThat(mode(r.policy(DOMAIN))).as("an invalid new policy keeps the cached one").isEqualTo(MtaStsMode.ENFORCE);
    }

    @Test
    void aRestartWithTheFetchBlockedStillEnforces() {
        resolver().policy(DOMAIN);
        host.down = true;
        dns.txt("_mta-sts.example.test", "v=STSv1; id=attacker;");
        clock.advance(Duration.ofDays(3));
        MtaStsResolver restarted = resolver();
        assertThat(mode(restarted.policy(DOMAIN))).isEqualTo(MtaStsMode.ENFORCE);
        assertThat(Files.exists(dir.resolve("example.test.policy"))).isTrue();
    }

    @Test
    void aRemovedOrFailingTxtRecordKeepsTheCachedPolicy() {
        MtaStsResolver r = resolver();
        r.policy(DOMAIN);
        dns.remove("_mta-sts.example.test", Type.TXT);
        assertThat(mode(r.policy(DOMAIN))).isEqualTo(MtaStsMode.ENFORCE);
        dns.fail("_mta-sts.example.test", Type.TXT);
        assertThat(mode(r.policy(DOMAIN))).isEqualTo(MtaStsMode.ENFORCE);
        assertThat(host.fetches).hasValue(1);
    }

    @Test
    void aCachedPolicyEndsWithItsMaxAge() {
        host.body = ENFORCE.replace("604800", "3600");
        MtaStsResolver r = resolver();
        r.policy(DOMAIN);
        host.down = true;
        clock.advance(Duration.ofMinutes(59));
        assertThat(r.policy(DOMAIN)).isPresent();
        clock.advance(Duration.ofMinutes(2));
        assertThat(r.policy(DOMAIN)).isEmpty();
    }

    @Test
    void twoStsRecordsMeanNoPolicyAndNoFetch() {
        dns.txt("_mta-sts.example.test", "v=STSv1; id=one;", "v=STSv1; id=two;");
        assertThat(resolver().policy(DOMAIN)).isEmpty();
        assertThat(host.fetches).hasValue(0);
    }

    @Test
    void aTxtRecordSplitIntoStringsIsJoined() {
        dns.txt("_mta-sts.example.test", "v=STSv1; id=on", "e;").remove("_mta-sts.example.test", Type.TXT);
        dns.answer("_mta-sts.example.test", Type.TXT, false, new org.xbill.DNS.TXTRecord(FakeDns.name("_mta-sts.example.test"),
                org.xbill.DNS.DClass.IN, 300, java.util.List.of("v=STSv1; id=on", "e;")));
        assertThat(mode(resolver().policy(DOMAIN))).isEqualTo(MtaStsMode.ENFORCE);
    }

    @Test
    void modeNoneWithdrawsACachedEnforcePolicy() {
        MtaStsResolver r = resolver();
        r.policy(DOMAIN);
        host.body = NONE;
        dns.txt("_mta-sts.example.test", "v=STSv1; id=two;");
        assertThat(mode(r.policy(DOMAIN))).isEqualTo(MtaStsMode.NONE);
        assertThat(mode(resolver().policy(DOMAIN))).as("also after a restart").isEqualTo(MtaStsMode.NONE);
    }

    @Test
    void aCorruptCacheFileIsIgnoredAndReplaced() throws Exception {
        Files.writeString(dir.resolve("example.test.policy"), "id: one\nfetched: yesterday\n\ngarbage");
        assertThat(mode(resolver().policy(DOMAIN))).isEqualTo(MtaStsMode.ENFORCE);
        assertThat(Files.readString(dir.resolve("example.test.policy"))).contains("mode: enforce");
    }

    @Test
    void onlyHostNamesBecomeCacheFiles() throws Exception {
        MtaStsCache cache = new MtaStsCache(dir.resolve("cache"), clock);
        MtaStsCache.Entry entry = new MtaStsCache.Entry("one", MtaStsPolicy.parse(ENFORCE), clock.instant());
        cache.put("../../escape", entry);
        cache.put("a/b.test", entry);
        assertThat(cache.get("../../escape")).as("kept in memory").isPresent();
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void memoryHoldsABoundedNumberOfDomainsAndDiskTheRest() {
        MtaStsCache onDisk = new MtaStsCache(dir, clock, 2);
        MtaStsCache inMemory = new MtaStsCache(null, clock, 2);
        MtaStsCache.Entry entry = new MtaStsCache.Entry("one", new MtaStsPolicy(MtaStsMode.ENFORCE,
                java.util.List.of("mx.a.test"), 86400), clock.instant());
        for (String d : new String[] {"a.test", "b.test", "c.test"}) {
            onDisk.put(d, entry);
            inMemory.put(d, entry);
        }
        assertThat(onDisk.get("a.test")).as("read back from disk").isPresent();
        assertThat(inMemory.get("a.test")).as("past the bound and no disk: forgotten").isEmpty();
        assertThat(inMemory.get("c.test")).isPresent();
    }
}
