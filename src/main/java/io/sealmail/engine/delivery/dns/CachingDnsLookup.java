package io.sealmail.engine.delivery.dns;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Remembers answers for as long as their TTL allows (at most {@link #MAX_TTL_SECONDS}), so a destination's MX,
 * addresses and {@code _mta-sts} record are not asked for again on every new connection. Failures (timeouts,
 * SERVFAIL) are never remembered: the next delivery asks again. Negative answers are kept for their SOA's
 * negative TTL (RFC 2308 §5), or not at all when the server sent no SOA. At most {@link #MAX_ENTRIES} answers,
 * the least recently used going first. Thread-safe.
 */
public final class CachingDnsLookup implements DnsLookup {
    /** Postfix leaves caching to the resolver; an hour bounds how long a changed record can go unnoticed here. */
    static final long MAX_TTL_SECONDS = 3600;
    static final int MAX_ENTRIES = 10_000;

    private record Key(String name, int type) {
    }

    private record Cached(DnsAnswer answer, long expiresNanos) {
    }

    private final DnsLookup dns;
    private final LongSupplier nanoTime;
    private final Map<Key, Cached> cache = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Cached> eldest) {
            return size() > MAX_ENTRIES;
        }
    };

    public CachingDnsLookup(DnsLookup dns) {
        this(dns, System::nanoTime);
    }

    CachingDnsLookup(DnsLookup dns, LongSupplier nanoTime) {
        this.dns = dns;
        this.nanoTime = nanoTime;
    }

    @Override
    public DnsAnswer lookup(String name, int type) throws IOException {
        String n = name.toLowerCase(Locale.ROOT);
        Key key = new Key(n.endsWith(".") ? n : n + ".", type);
        long now = nanoTime.getAsLong();
        synchronized (cache) {
            Cached c = cache.get(key);
            if (c != null) {
                if (now - c.expiresNanos < 0) {
                    return c.answer;
                }
                cache.remove(key);
            }
        }
        DnsAnswer answer = dns.lookup(name, type);
        long ttl = Math.min(answer.ttlSeconds(), MAX_TTL_SECONDS);
        if (ttl > 0) {
            synchronized (cache) {
                cache.put(key, new Cached(answer, now + ttl * 1_000_000_000L));
            }
        }
        return answer;
    }
}
