package io.sealmail.engine.mailauth;

import org.junit.jupiter.api.Test;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CachingDnsLookupTest {
    /** A clock the test moves. */
    static final class MovableClock extends Clock {
        Instant now = Instant.parse("2026-12-04T00:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void aPositiveAnswerIsAskedOnceUntilItsTtlRunsOut() throws Exception {
        FakeDns dns = new FakeDns().txt("sender.test", "v=spf1 -all"); // TTL 300 s
        MovableClock clock = new MovableClock();
        CachingDnsLookup cache = new CachingDnsLookup(dns, clock);
        assertThat(cache.lookup("sender.test", Type.TXT).records()).hasSize(1);
        assertThat(cache.lookup("SENDER.test.", Type.TXT).records()).hasSize(1);
        assertThat(dns.queries).hasValue(1);
        assertThat(cache.lookup("sender.test", Type.A).records()).isEmpty(); // another type is another question
        assertThat(dns.queries).hasValue(2);
        clock.now = clock.now.plus(Duration.ofSeconds(299));
        cache.lookup("sender.test", Type.TXT);
        assertThat(dns.queries).hasValue(2);
        clock.now = clock.now.plus(Duration.ofSeconds(1));
        cache.lookup("sender.test", Type.TXT);
        assertThat(dns.queries).hasValue(3);
    }

    @Test
    void negativeAnswersAndFailuresAreAskedAgain() throws Exception {
        FakeDns dns = new FakeDns().timeout("slow.test");
        CachingDnsLookup cache = new CachingDnsLookup(dns, new MovableClock());
        assertThat(cache.lookup("missing.test", Type.TXT).nxdomain()).isTrue();
        assertThat(cache.lookup("missing.test", Type.TXT).nxdomain()).isTrue();
        assertThatThrownBy(() -> cache.lookup("slow.test", Type.TXT)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> cache.lookup("slow.test", Type.TXT)).isInstanceOf(IOException.class);
        assertThat(dns.queries).hasValue(4);
        assertThat(cache.size()).isZero();
    }

    @Test
    void theCacheHoldsAtMostItsBoundDroppingTheLeastRecentlyUsed() throws Exception {
        FakeDns dns = new FakeDns();
        for (int i = 0; i <= CachingDnsLookup.MAX_ENTRIES; i++) {
            dns.txt("d" + i + ".test", "v=spf1 -all");
        }
        CachingDnsLookup cache = new CachingDnsLookup(dns, new MovableClock());
        for (int i = 0; i <= CachingDnsLookup.MAX_ENTRIES; i++) {
            cache.lookup("d" + i + ".test", Type.TXT);
        }
        assertThat(cache.size()).isEqualTo(CachingDnsLookup.MAX_ENTRIES);
        int asked = dns.queries.get();
        cache.lookup("d" + CachingDnsLookup.MAX_ENTRIES + ".test", Type.TXT); // the newest is kept
        assertThat(dns.queries).hasValue(asked);
        cache.lookup("d0.test", Type.TXT); // the oldest was dropped
        assertThat(dns.queries).hasValue(asked + 1);
    }
}
