package io.sealmail.engine.delivery.policy;

import io.sealmail.config.ConfigException;
import io.sealmail.config.EngineConfig;
import io.sealmail.config.Outbound;
import io.sealmail.engine.delivery.dns.DnsAnswer;
import io.sealmail.engine.delivery.dns.DnsLookup;
import org.jboss.logging.Logger;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The policies destinations publish: DANE (RFC 7672) where the MX and TLSA answers are DNSSEC-validated, else
 * MTA-STS (RFC 8461) where the domain has a policy, else opportunistic STARTTLS. DANE takes precedence over MTA-STS
 * for an MX host that has usable TLSA records (RFC 8461 §2).
 */
public final class PublishedPolicies implements TransportPolicies {
    private static final Logger LOG = Logger.getLogger(PublishedPolicies.class);

    private final DnsLookup dns;
    private final MtaStsResolver mtaSts;
    private final WebPkiTrust trust;
    private final boolean dane;
    private final Clock clock;

    /**
     * @param mtaSts null when MTA-STS is switched off
     * @param trust  the CAs MTA-STS trusts (unused when {@code mtaSts} is null)
     * @param dane   whether to look up TLSA records when the MX answer is secure
     */
    public PublishedPolicies(DnsLookup dns, MtaStsResolver mtaSts, WebPkiTrust trust, boolean dane, Clock clock) {
        this.dns = dns;
        this.mtaSts = mtaSts;
        this.trust = trust;
        this.dane = dane;
        this.clock = clock;
    }

    /**
     * The policies the engine runs with, from {@code outbound:}: MTA-STS unless {@code mtaSts.enabled: false}, its
     * policies cached under {@code mtaSts.cacheDir} (default {@code <dataDir>/mta-sts}); DANE when {@code dane} is on
     * and the resolver validates DNSSEC ({@code dns.dnssec: true}), since only validated answers can be secure.
     * MTA-STS trusts the JDK's CAs plus {@code trustedCaFile}.
     */
    public static PublishedPolicies fromConfig(EngineConfig config, DnsLookup dns) {
        Outbound outbound = config.outbound();
        WebPkiTrust trust;
        try {
            trust = WebPkiTrust.load(outbound.trustedCaFile() == null ? null : Path.of(outbound.trustedCaFile()));
        } catch (IOException e) {
            throw new ConfigException("outbound.trustedCaFile: " + e.getMessage(), e);
        }
        Outbound.MtaSts sts = outbound.mtaSts();
        MtaStsResolver resolver = null;
        if (sts.enabled()) {
            Path cacheDir = sts.cacheDir() != null ? Path.of(sts.cacheDir()) : Path.of(config.dataDir(), "mta-sts");
            MtaStsFetcher fetcher = new MtaStsFetcher(dns, trust, sts.port(), outbound.connectTimeout(), sts.timeout());
            resolver = new MtaStsResolver(dns, fetcher::fetch, cacheDir, Clock.systemUTC());
        }
        boolean dane = outbound.dane() && outbound.dns().dnssec();
        LOG.infof("Outbound transport security: MTA-STS %s, DANE %s", sts.enabled() ? "on" : "off",
                dane ? "on" : outbound.dane() ? "off (needs outbound.dns.dnssec: true)" : "off");
        return new PublishedPolicies(dns, resolver, trust, dane, Clock.systemUTC());
    }

    @Override
    public DomainPolicy forDomain(String domain, List<String> mxHosts, boolean mxSecure) {
        String nextHop = MtaStsPolicy.normalize(domain);
        MtaStsPolicy sts = mtaSts == null ? null
                : mtaSts.policy(nextHop).filter(p -> p.mode() != MtaStsMode.NONE).orElse(null);
        // RFC 7672 §2.2.1: TLSA records of an MX host only count when the MX RRset itself was validated.
        return new Destination(nextHop, sts, dane && mxSecure);
    }

    private final class Destination implements DomainPolicy {
        private final String domain;
        private final MtaStsPolicy sts;
        private final boolean daneApplies;
        private final Map<String, Optional<DaneHostPolicy>> tlsa = new HashMap<>();

        Destination(String domain, MtaStsPolicy sts, boolean daneApplies) {
            this.domain = domain;
            this.sts = sts;
            this.daneApplies = daneApplies;
        }

        @Override
        public boolean permits(String mxHost) {
            if (sts == null || sts.permits(mxHost)) {
                return true;
            }
            if (daneApplies) {
                try {
                    if (dane(mxHost).isPresent()) {
                        return true; // RFC 8461 §2: DANE, where usable, takes precedence over MTA-STS
                    }
                } catch (PolicyTemporaryException e) {
                    // the host is refused below, or (testing) forHost defers on the same failure
                }
            }
            if (sts.mode() == MtaStsMode.TESTING) {
                LOG.warnf("MTA-STS testing (%s): MX %s matches none of %s; delivering anyway", domain, mxHost, sts.mx());
                return true;
            }
            LOG.warnf("MTA-STS enforce (%s): MX %s matches none of %s; not used", domain, mxHost, sts.mx());
            return false;
        }

        @Override
        public HostPolicy forHost(String mxHost) throws PolicyTemporaryException {
            if (daneApplies) {
                Optional<DaneHostPolicy> danePolicy = dane(mxHost);
                if (danePolicy.isPresent()) {
                    return danePolicy.get();
                }
            }
            if (sts != null) {
                return new MtaStsHostPolicy(domain, sts, trust, clock);
            }
            return HostPolicy.OPPORTUNISTIC;
        }

        /** The DANE policy of one MX host, empty when it has no secure TLSA RRset; looked up once per destination. */
        private Optional<DaneHostPolicy> dane(String mxHost) throws PolicyTemporaryException {
            String host = MtaStsPolicy.normalize(mxHost);
            synchronized (tlsa) {
                Optional<DaneHostPolicy> known = tlsa.get(host);
                if (known != null) {
                    return known;
                }
            }
            Optional<DaneHostPolicy> found = lookUpDane(host, domain);
            synchronized (tlsa) {
                tlsa.put(host, found);
            }
            return found;
        }
    }

    private Optional<DaneHostPolicy> lookUpDane(String mxHost, String nextHop) throws PolicyTemporaryException {
        String name = "_25._tcp." + mxHost;
        DnsAnswer answer;
        try {
            answer = dns.lookup(name, Type.TLSA);
        } catch (IOException e) {
            // RFC 7672 §2.2: a TLSA look-up that fails (SERVFAIL, bogus, timeout) for a host in a signed zone may
            // hide records an attacker stripped: defer, never fall back to unauthenticated delivery.
            throw new PolicyTemporaryException("DANE: TLSA look-up of " + name + " failed: " + e.getMessage(), e);
        }
        if (answer.rcode() != Rcode.NOERROR && answer.rcode() != Rcode.NXDOMAIN) {
            throw new PolicyTemporaryException("DANE: TLSA look-up of " + name + " answered " + Rcode.string(answer.rcode()));
        }
        if (!answer.secure()) {
            // RFC 7672 §2.1.1: an insecure answer (the MX host's zone is unsigned) carries no DANE policy
            return Optional.empty();
        }
        if (answer.records().isEmpty()) {
            return Optional.empty(); // validated denial: no TLSA records
        }
        List<Tlsa> usable = Tlsa.usable(answer.records());
        if (usable.isEmpty()) {
            LOG.infof("DANE: %s has %d TLSA records, none usable for SMTP; TLS required without authentication",
                    name, answer.records().size());
        }
        return Optional.of(new DaneHostPolicy(usable, List.of(mxHost, nextHop), clock));
    }
}
