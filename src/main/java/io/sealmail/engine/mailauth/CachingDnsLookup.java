package io.sealmail.engine.mailauth;

import io.sealmail.engine.delivery.dns.DnsAnswer;
import io.sealmail.engine.delivery.dns.DnsLookup;
import org.xbill.DNS.Record;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Remembers positive answers of the inbound checks' DNS for their TTL (capped at {@link #MAX_TTL}), so mail from
 * the same sender domain costs no new questions for its SPF, DMARC and DKIM key records: asking dnsjava costs
 * about 1 ms of CPU a question, more than the rest of the checks (docs/mailauth.md). Negative answers (NXDOMAIN,
 * no records) and failures are not kept: the next message asks again (RFC 2308's negative TTL comes from an SOA
 * record that {@link DnsAnswer} does not carry). At most {@link #MAX_ENTRIES} names, least recently used dropped.
 */
public final class CachingDnsLookup implements DnsLookup {
    static final int MAX_ENTRIES = 10_000;
    static final Duration MAX_TTL = Duration.ofHours(1);

    private record Entry(DnsAnswer answer, Instant expires) {
    }

    private final DnsLookup dns;
    private final Clock clock;
    private final Map<String, Entry> entries = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
            return size() > MAX_ENTRIES;
        }
    };

    public CachingDnsLookup(DnsLookup dns, Clock clock) {
        this.dns = dns;
        this.clock = clock;
    }

    @Override
    public DnsAnswer lookup(String name, int type) throws IOException {
        String key = type + " " + name.toLowerCase(Locale.ROOT).replaceAll("\\.$", "");
        Instant now = clock.instant();
        synchronized (entries) {
            Entry e = entries.get(key);
            if (e != null && now.isBefore(e.expires())) {
                return e.answer();
            }
        }
        DnsAnswer answer = dns.lookup(name, type);
        if (!answer.records().isEmpty()) {
            long ttl = MAX_TTL.toSeconds();
            for (Record r : answer.records()) {
                ttl = Math.min(ttl, r.getTTL());
            }
            if (ttl > 0) {
                synchronized (entries) {
                    entries.put(key, new Entry(answer, now.plusSeconds(ttl)));
                }
            }
        }
        return answer;
    }

    int size() {
        synchronized (entries) {
            return entries.size();
        }
    }
}
