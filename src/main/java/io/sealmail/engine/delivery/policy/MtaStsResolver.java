package io.sealmail.engine.delivery.policy;

import io.sealmail.engine.delivery.dns.DnsAnswer;
import io.sealmail.engine.delivery.dns.DnsLookup;
import org.jboss.logging.Logger;
import org.xbill.DNS.Record;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds the MTA-STS policy of a domain (RFC 8461 §3, §5.1): the {@code _mta-sts} TXT record's id, then the policy
 * from the cache or, when the id changed or the cached copy is due for a refresh, from the policy host.
 * <p>
 * Failures never weaken a policy already known: a missing or broken TXT record, a DNS error or an unreachable policy
 * host all leave a cached, unexpired policy in force (RFC 8461 §5.1, §10.2). Without one, the domain is treated as
 * having no policy, as RFC 8461 §3.3 requires.
 */
public final class MtaStsResolver {
    /** RFC 8461 §5.1 suggests refreshing cached policies well before they expire; at least daily. */
    static final Duration REFRESH_AFTER = Duration.ofDays(1);
    private static final Logger LOG = Logger.getLogger(MtaStsResolver.class);
    private static final int LOCK_STRIPES = 64;

    private final DnsLookup dns;
    private final PolicySource source;
    private final MtaStsCache cache;
    private final Clock clock;
    private final Object[] locks = new Object[LOCK_STRIPES];

    /** Where policy bodies come from: {@link MtaStsFetcher#fetch} in production. */
    @FunctionalInterface
    public interface PolicySource {
        String fetch(String domain) throws IOException;
    }

    /** @param cacheDir where fetched policies persist across restarts; null for memory only */
    public MtaStsResolver(DnsLookup dns, PolicySource source, Path cacheDir, Clock clock) {
        this.dns = dns;
        this.source = source;
        this.cache = new MtaStsCache(cacheDir, clock);
        this.clock = clock;
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new Object();
        }
    }

    /** The policy that applies to {@code domain} now, if any (mode none included: it withdraws a cached one). */
    public Optional<MtaStsPolicy> policy(String domain) {
        String key = MtaStsPolicy.normalize(domain);
        // One fetch per domain at a time: concurrent deliveries to it wait for the same answer.
        synchronized (locks[Math.floorMod(key.hashCode(), locks.length)]) {
            return resolve(key).map(MtaStsCache.Entry::policy);
        }
    }

    private Optional<MtaStsCache.Entry> resolve(String domain) {
        Optional<MtaStsCache.Entry> cached = cache.get(domain);
        MtaStsRecord record;
        try {
            record = MtaStsRecord.select(txt("_mta-sts." + domain));
        } catch (IOException e) {
            LOG.infof("MTA-STS %s: TXT look-up failed (%s); %s", domain, e.getMessage(), usingCached(cached));
            return cached;
        } catch (MtaStsSyntaxException e) {
            if (cached.isPresent()) {
                LOG.infof("MTA-STS %s: %s; %s", domain, e.getMessage(), usingCached(cached));
            }
            return cached;
        }
        Instant now = clock.instant();
        if (cached.isPresent() && cached.get().id().equals(record.id())
                && now.isBefore(cached.get().fetched().plus(refreshAfter(cached.get().policy())))) {
            return cached;
        }
        try {
            MtaStsPolicy policy = MtaStsPolicy.parse(source.fetch(domain));
            MtaStsCache.Entry entry = new MtaStsCache.Entry(record.id(), policy, now);
            cache.put(domain, entry);
            LOG.infof("MTA-STS %s: policy id %s, mode %s, mx %s, max_age %d", domain, record.id(),
                    policy.mode().name().toLowerCase(java.util.Locale.ROOT), policy.mx(), policy.maxAgeSeconds());
            return Optional.of(entry);
        } catch (IOException | MtaStsSyntaxException e) {
            LOG.warnf("MTA-STS %s: no policy from the policy host (%s); %s", domain, e.getMessage(), usingCached(cached));
            return cached;
        }
    }

    private static Duration refreshAfter(MtaStsPolicy policy) {
        Duration half = policy.maxAge().dividedBy(2);
        return half.compareTo(REFRESH_AFTER) < 0 ? half : REFRESH_AFTER;
    }

    private static String usingCached(Optional<MtaStsCache.Entry> cached) {
        return cached.map(e -> "keeping the cached policy (id " + e.id() + ", mode "
                        + e.policy().mode().name().toLowerCase(java.util.Locale.ROOT) + ", until " + e.expires() + ")")
                .orElse("no cached policy, so none applies");
    }

    /** Each TXT record's strings joined (RFC 8461 §3.1 with RFC 7208 §3.3's rule for multi-string records). */
    private List<String> txt(String name) throws IOException {
        DnsAnswer answer = dns.lookup(name, Type.TXT);
        List<String> out = new ArrayList<>();
        for (Record r : answer.records()) {
            if (r instanceof TXTRecord t) {
                out.add(String.join("", t.getStrings()));
            }
        }
        return out;
    }
}
