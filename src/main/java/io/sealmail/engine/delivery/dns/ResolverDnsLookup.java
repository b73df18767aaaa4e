package io.sealmail.engine.delivery.dns;

import io.sealmail.config.ConfigException;
import io.sealmail.config.Outbound;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.ResolverConfig;
import org.xbill.DNS.Section;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;
import org.xbill.DNS.dnssec.ValidatingResolver;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The production {@link DnsLookup}: dnsjava against the servers of {@code outbound.dns} (or /etc/resolv.conf's),
 * one overall timeout per question. With {@code dnssec: true} every answer goes through dnsjava's
 * {@link ValidatingResolver} (trust anchors from {@code trustAnchorFile}, else the root zone's KSK): an answer is
 * {@link DnsAnswer#secure() secure} only when it validated (the resolver sets AD, RFC 4035 §3.2.3), and a bogus
 * one is a temporary failure (SERVFAIL), never an insecure answer. Thread-safe; blocks the calling (delivery)
 * thread only.
 */
public final class ResolverDnsLookup implements DnsLookup {
    /** Answers chasing CNAMEs further than this are treated as a loop (RFC 1034 §3.6.2 warns of chains). */
    private static final int MAX_CNAMES = 8;

    private final Resolver resolver;
    private final Duration timeout;
    private final boolean validating;

    public ResolverDnsLookup(Outbound.Dns config) {
        this.timeout = config.timeout();
        this.validating = config.dnssec();
        Resolver base = base(config.servers(), timeout);
        if (validating) {
            ValidatingResolver v = new ValidatingResolver(base);
            try (InputStream anchors = anchors(config.trustAnchorFile())) {
                v.loadTrustAnchors(anchors);
            } catch (IOException e) {
                throw new ConfigException("outbound.dns.trustAnchorFile: cannot read " + config.trustAnchorFile() + ": " + e.getMessage(), e);
            }
            v.setTimeout(timeout);
            this.resolver = v;
        } else {
            this.resolver = base;
        }
    }

    private static Resolver base(List<String> servers, Duration timeout) {
        List<Resolver> resolvers = new ArrayList<>();
        List<InetSocketAddress> addresses = new ArrayList<>();
        if (servers.isEmpty()) {
            addresses.addAll(ResolverConfig.getCurrentConfig().servers());
        } else {
            for (String s : servers) {
                addresses.add(address(s));
            }
        }
        if (addresses.isEmpty()) {
            throw new ConfigException("outbound.dns.servers: none given and none found in /etc/resolv.conf");
        }
        for (InetSocketAddress a : addresses) {
            SimpleResolver r = new SimpleResolver(a);
            r.setTimeout(timeout);
            resolvers.add(r);
        }
        ExtendedResolver extended = new ExtendedResolver(resolvers);
        extended.setTimeout(timeout);
        extended.setRetries(2);
        return extended;
    }

    /** {@code 10.0.0.10}, {@code 10.0.0.10:5353}, {@code [::1]:53}, {@code ::1}. */
    static InetSocketAddress address(String server) {
        String s = server.trim();
        String host = s;
        int port = 53;
        int colon = s.lastIndexOf(':');
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw new ConfigException("outbound.dns.servers: '" + server + "' has no closing ]");
            }
            host = s.substring(1, close);
            if (close + 1 < s.length()) {
                port = port(server, s.substring(close + 2));
            }
        } else if (colon > 0 && s.indexOf(':') == colon) {
            host = s.substring(0, colon);
            port = port(server, s.substring(colon + 1));
        }
        if (!host.matches("[0-9a-fA-F:.]+")) {
            // A name would need DNS to find DNS.
            throw new ConfigException("outbound.dns.servers: '" + server + "' is not an IP address");
        }
        try {
            return new InetSocketAddress(java.net.InetAddress.getByName(host), port);
        } catch (java.net.UnknownHostException e) {
            throw new ConfigException("outbound.dns.servers: '" + server + "' is not an IP address");
        }
    }

    private static int port(String server, String text) {
        try {
            int p = Integer.parseInt(text);
            if (p >= 1 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException ignored) {
            // fall through
        }
        throw new ConfigException("outbound.dns.servers: '" + server + "' has no valid port");
    }

    private static InputStream anchors(String file) throws IOException {
        if (file != null) {
            return Files.newInputStream(Path.of(file));
        }
        InputStream in = ResolverDnsLookup.class.getResourceAsStream("root-anchors.txt");
        if (in == null) {
            throw new IOException("the built-in root trust anchor is missing from the jar");
        }
        return in;
    }

    @Override
    public DnsAnswer lookup(String name, int type) throws IOException {
        Name qname;
        try {
            qname = Name.fromString(name.endsWith(".") ? name : name + ".");
        } catch (TextParseException e) {
            // Not a name DNS can carry (label over 63 octets, empty label): it cannot exist.
            return new DnsAnswer(Rcode.NXDOMAIN, List.of(), false);
        }
        long deadline = System.nanoTime() + timeout.toNanos() * 2;
        boolean secure = true;
        for (int hop = 0; hop <= MAX_CNAMES; hop++) {
            Message response = send(qname, type, deadline);
            int rcode = response.getRcode();
            secure &= validating && response.getHeader().getFlag(Flags.AD);
            if (rcode == Rcode.SERVFAIL || rcode == Rcode.REFUSED || rcode == Rcode.NOTIMP || rcode == Rcode.FORMERR) {
                throw new IOException("DNS " + Rcode.string(rcode) + " for " + qname + " " + Type.string(type));
            }
            List<Record> records = new ArrayList<>();
            Name cname = null;
            for (Record r : response.getSection(Section.ANSWER)) {
                if (r.getType() == type) {
                    records.add(r);
                } else if (r instanceof CNAMERecord c) {
                    cname = c.getTarget();
                }
            }
            if (!records.isEmpty() || cname == null || type == Type.CNAME || rcode != Rcode.NOERROR) {
                return new DnsAnswer(rcode, records, secure, ttl(response, records));
            }
            // The server gave only the alias: ask for its target.
            qname = cname;
        }
        throw new IOException("DNS: CNAME chain longer than " + MAX_CNAMES + " for " + name);
    }

    /**
     * How long the answer may be reused: its records' smallest TTL; for a negative answer (NXDOMAIN, or no record
     * of the type) the smaller of the SOA's TTL and its minimum field (RFC 2308 §5), 0 without an SOA.
     */
    private static long ttl(Message response, List<Record> records) {
        if (!records.isEmpty()) {
            return records.stream().mapToLong(Record::getTTL).min().orElse(0);
        }
        for (Record r : response.getSection(Section.AUTHORITY)) {
            if (r instanceof SOARecord soa) {
                return Math.min(soa.getTTL(), soa.getMinimum());
            }
        }
        return 0;
    }

    private Message send(Name qname, int type, long deadline) throws IOException {
        Message query = Message.newQuery(Record.newRecord(qname, type, DClass.IN));
        long left = deadline - System.nanoTime();
        try {
            return resolver.sendAsync(query).toCompletableFuture().get(Math.max(1, left), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new IOException("DNS timeout for " + qname + " " + Type.string(type));
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new IOException("DNS failure for " + qname + " " + Type.string(type) + ": "
                    + (cause instanceof java.net.SocketTimeoutException || cause instanceof TimeoutException
                    ? "timeout" : String.valueOf(cause)), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
