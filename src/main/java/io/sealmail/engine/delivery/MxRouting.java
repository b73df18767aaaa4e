package io.sealmail.engine.delivery;

import io.sealmail.engine.delivery.dns.DnsAnswer;
import io.sealmail.engine.delivery.dns.DnsLookup;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Finds where a domain's mail goes, as RFC 5321 §5.1 says: MX records by preference, equal preferences in random
 * order (load spreading), the domain's own A/AAAA when it has no MX; a null MX (RFC 7505: one MX "." of preference
 * 0) or a domain that does not exist is a permanent failure, a DNS failure a temporary one.
 */
final class MxRouting {
    /** A host name as DNS carries it (RFC 1123 §2.1 letters, digits, hyphens; underscores seen in the wild). */
    private static final Pattern HOST_NAME = Pattern.compile(
            "(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*");
    private static final Pattern IP_LITERAL = Pattern.compile("\\[?[0-9.]+\\]?|\\[?(ipv6:)?[0-9a-f:.]*:[0-9a-f:.]*\\]?");
    /** Addresses tried per domain at most (Postfix smtp_mx_address_limit). */
    static final int MAX_ADDRESSES = 5;

    private final DnsLookup dns;

    MxRouting(DnsLookup dns) {
        this.dns = dns;
    }

    Route route(String domain) throws RoutingException {
        String d = domain.toLowerCase(Locale.ROOT);
        if (d.startsWith("[") || !HOST_NAME.matcher(d).matches()) {
            // Address literals (user@[192.0.2.1]) are not accepted for relaying: RFC 5321 §4.1.3 makes them optional.
            throw RoutingException.permanent("5.1.2", "bad destination domain " + printable(domain));
        }
        DnsAnswer mx;
        try {
            mx = dns.lookup(d, Type.MX);
        } catch (IOException e) {
            throw RoutingException.temporary("4.4.3", "MX look-up for " + d + " failed: " + e.getMessage());
        }
        if (mx.nxdomain()) {
            throw RoutingException.permanent("5.1.2", "domain " + d + " does not exist (NXDOMAIN)");
        }
        List<MXRecord> records = mx.records().stream().filter(MXRecord.class::isInstance).map(MXRecord.class::cast).toList();
        if (records.isEmpty()) {
            // RFC 5321 §5.1: no MX, so the domain itself is the implicit MX.
            return new Route(d, List.of(d), mx.secure());
        }
        if (records.size() == 1 && records.get(0).getTarget().equals(Name.root)) {
            // RFC 7505 §3: the domain accepts no mail.
            throw RoutingException.permanent("5.1.10", "domain " + d + " accepts no mail (null MX, RFC 7505)");
        }
        TreeMap<Integer, List<String>> byPreference = new TreeMap<>();
        for (MXRecord r : records) {
            String target = r.getTarget().toString(true).toLowerCase(Locale.ROOT);
            if (r.getTarget().equals(Name.root)) {
                continue; // a "." among real MX records: ignore it
            }
            byPreference.computeIfAbsent(r.getPriority(), p -> new ArrayList<>()).add(target);
        }
        List<String> hosts = new ArrayList<>();
        for (List<String> same : byPreference.values()) {
            Collections.shuffle(same, ThreadLocalRandom.current());
            hosts.addAll(same);
        }
        return new Route(d, hosts, mx.secure());
    }

    /**
     * The addresses of one MX host, IPv4 first (clusters often lack IPv6 routes), at most {@link #MAX_ADDRESSES}.
     *
     * @throws RoutingException permanent when the name is not a host name (an IP literal or garbage in the MX
     *                          record, RFC 5321 §5.1: MX names a host) or does not exist; temporary on DNS failure
     */
    List<InetAddress> addresses(String host) throws RoutingException {
        String h = host.toLowerCase(Locale.ROOT);
        if (IP_LITERAL.matcher(h).matches()) {
            throw RoutingException.permanent("5.4.4", "MX host " + printable(host)
                    + " is an IP address, not a host name (RFC 5321 §5.1)");
        }
        if (!HOST_NAME.matcher(h).matches()) {
            throw RoutingException.permanent("5.4.4", "MX host " + printable(host) + " is not a valid host name");
        }
        List<InetAddress> out = new ArrayList<>();
        IOException failure = null;
        boolean exists = false;
        for (int type : new int[]{Type.A, Type.AAAA}) {
            try {
                DnsAnswer a = dns.lookup(h, type);
                exists |= !a.nxdomain();
                for (Record r : a.records()) {
                    if (r instanceof ARecord ar) {
                        out.add(ar.getAddress());
                    } else if (r instanceof AAAARecord ar) {
                        out.add(ar.getAddress());
                    }
                }
            } catch (IOException e) {
                failure = e;
            }
        }
        if (out.isEmpty() && failure != null) {
            throw RoutingException.temporary("4.4.3", "address look-up for " + h + " failed: " + failure.getMessage());
        }
        if (out.isEmpty()) {
            throw RoutingException.permanent("5.4.4", "host " + h + (exists ? " has no address" : " does not exist"));
        }
        out.sort(Comparator.comparing(a -> a.getAddress().length));
        return out.size() > MAX_ADDRESSES ? out.subList(0, MAX_ADDRESSES) : out;
    }

    static String printable(String s) {
        String cut = s.length() > 100 ? s.substring(0, 100) + "..." : s;
        return cut.replaceAll("[^\\x21-\\x7e]", "?");
    }
}
