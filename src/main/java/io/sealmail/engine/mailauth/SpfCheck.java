package io.sealmail.engine.mailauth;

import io.sealmail.engine.delivery.dns.DnsAnswer;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * SPF's check_host() (RFC 7208 §4) for one client, on our DNS with the RFC's bounds: at most 10 look-up terms
 * (include, a, mx, ptr, exists, redirect) across all nested records, at most 2 void look-ups, at most 10 MX or
 * PTR names per term (§4.6.4). Past a bound the result is permerror; a DNS failure or the check's deadline gives
 * temperror. Include loops end at the 10-term bound. One instance per check (it counts).
 */
final class SpfCheck {
    static final int MAX_DNS_TERMS = 10;
    static final int MAX_VOID_LOOKUPS = 2;
    static final int MAX_NAMES_PER_TERM = 10;

    private final BoundedDns dns;
    private final InetAddress ip;
    private final String sender;
    private final String helo;
    private int dnsTerms;
    private int voidLookups;

    /** Thrown to end the whole evaluation with one result. */
    private static final class Stop extends Exception {
        final AuthResult result;

        Stop(AuthResult result, String reason) {
            super(reason, null, false, false);
            this.result = result;
        }
    }

    private SpfCheck(BoundedDns dns, InetAddress ip, String sender, String helo) {
        this.dns = dns;
        this.ip = ip;
        this.sender = sender;
        this.helo = helo;
    }

    /**
     * Checks the MAIL FROM identity, or for the null sender (bounces) the HELO identity as
     * {@code postmaster@<helo>} (RFC 7208 §2.4).
     */
    static SpfResult check(BoundedDns dns, InetAddress ip, String helo, String mailFrom) {
        boolean nullSender = mailFrom == null || mailFrom.isEmpty();
        String heloName = helo == null ? "" : helo;
        String heloDomain = nullSender ? heloDomain(heloName) : null;
        if (nullSender && heloDomain == null) {
            return new SpfResult(AuthResult.NONE, "helo", heloName.toLowerCase(Locale.ROOT), "the HELO name is not a domain name");
        }
        String sender = nullSender ? "postmaster@" + heloDomain : mailFrom;
        String domain = sender.substring(sender.lastIndexOf('@') + 1);
        String identity = nullSender ? "helo" : "mailfrom";
        SpfCheck check = new SpfCheck(dns, ip, sender, heloName);
        try {
            AuthResult r = check.checkHost(domain, 0);
            return new SpfResult(r, identity, domain.toLowerCase(Locale.ROOT), explain(r, ip, domain));
        } catch (Stop s) {
            return new SpfResult(s.result, identity, domain.toLowerCase(Locale.ROOT), s.getMessage());
        }
    }

    /**
     * The HELO name as a domain to check, or null: the HELO check "can only be performed when the HELO string is a
     * valid, multi-label domain name" (RFC 7208 §2.3), so no DNS question for an address literal, one label, or a
     * bare IPv4 address (its digit labels pass as a name, but no top-level domain is all digits, RFC 3696 §2).
     */
    private static String heloDomain(String helo) {
        String name = DomainName.normalise(helo);
        if (name == null || !name.contains(".") || name.substring(name.lastIndexOf('.') + 1).matches("[0-9]+")) {
            return null;
        }
        return name;
    }

    private static String explain(AuthResult r, InetAddress ip, String domain) {
        return switch (r) {
            case PASS -> ip.getHostAddress() + " is authorized by " + domain;
            case FAIL, SOFTFAIL -> ip.getHostAddress() + " is not authorized by " + domain;
            case NEUTRAL -> domain + " makes no statement about " + ip.getHostAddress();
            case NONE -> domain + " has no SPF record";
            default -> null;
        };
    }

    private AuthResult checkHost(String rawDomain, int depth) throws Stop {
        String domain = DomainName.normalise(rawDomain);
        if (domain == null || !domain.contains(".")) {
            return AuthResult.NONE; // §4.3: malformed or single-label domain
        }
        List<String> txt;
        try {
            txt = dns.txt(domain);
        } catch (IOException e) {
            throw new Stop(AuthResult.TEMPERROR, "DNS error for " + domain + ": " + e.getMessage());
        }
        List<String> spf = new ArrayList<>();
        for (String t : txt) {
            // §4.5: exactly "v=spf1", then a space or the end.
            if (t.regionMatches(true, 0, "v=spf1", 0, 6) && (t.length() == 6 || t.charAt(6) == ' ')) {
                spf.add(t);
            }
        }
        if (spf.isEmpty()) {
            return AuthResult.NONE;
        }
        if (spf.size() > 1) {
            throw new Stop(AuthResult.PERMERROR, domain + " has " + spf.size() + " SPF records");
        }
        SpfRecord record;
        try {
            record = SpfRecord.parse(spf.get(0));
        } catch (MailAuthSyntaxException e) {
            throw new Stop(AuthResult.PERMERROR, "SPF record of " + domain + ": " + e.getMessage());
        }
        for (SpfRecord.Directive d : record.directives()) {
            if (matches(d, domain, depth)) {
                return d.qualifier();
            }
        }
        if (record.redirect() != null) {
            countDnsTerm();
            String target = expandDomain(record.redirect(), domain);
            AuthResult r = target == null ? AuthResult.NONE : checkHost(target, depth + 1);
            if (r == AuthResult.NONE) {
                // §6.1: a redirect to a domain without a record is a permanent error.
                throw new Stop(AuthResult.PERMERROR, "redirect=" + target + " has no SPF record");
            }
            return r;
        }
        return AuthResult.NEUTRAL;
    }

    private boolean matches(SpfRecord.Directive d, String domain, int depth) throws Stop {
        switch (d.mechanism()) {
            case "all":
                return true;
            case "ip4":
            case "ip6":
                return d.network() != null && sameFamily(d.network()) && inNetwork(ip, d.network(), prefix(d));
            case "include": {
                countDnsTerm();
                String target = expandDomain(d.domainSpec(), domain);
                AuthResult r = target == null ? AuthResult.NONE : checkHost(target, depth + 1);
                return switch (r) {
                    case PASS -> true;
                    case FAIL, SOFTFAIL, NEUTRAL -> false;
                    case TEMPERROR -> throw new Stop(AuthResult.TEMPERROR, "include:" + target + " failed temporarily");
                    // §5.2: an included domain without a record is a permanent error.
                    default -> throw new Stop(AuthResult.PERMERROR, "include:" + target + " has no usable SPF record");
                };
            }
            case "a": {
                countDnsTerm();
                String target = d.domainSpec() == null ? domain : expandDomain(d.domainSpec(), domain);
                return target != null && addressesMatch(addresses(target, true), prefix(d));
            }
            case "mx": {
                countDnsTerm();
                String target = d.domainSpec() == null ? domain : expandDomain(d.domainSpec(), domain);
                if (target == null) {
                    return false;
                }
                List<Record> mx = answer(target, Type.MX, true).records();
                if (mx.size() > MAX_NAMES_PER_TERM) {
                    throw new Stop(AuthResult.PERMERROR, "mx:" + target + " has more than " + MAX_NAMES_PER_TERM + " MX names");
                }
                for (Record r : mx) {
                    if (addressesMatch(addresses(((MXRecord) r).getTarget().toString(true), false), prefix(d))) {
                        return true;
                    }
                }
                return false;
            }
            case "exists": {
                countDnsTerm();
                String target = expandDomain(d.domainSpec(), domain);
                // §5.7: an A query, whatever the client's address family.
                return target != null && !answer(target, Type.A, true).records().isEmpty();
            }
            case "ptr": {
                countDnsTerm();
                String target = d.domainSpec() == null ? domain : expandDomain(d.domainSpec(), domain);
                return target != null && validatedNameWithin(target);
            }
            default:
                throw new Stop(AuthResult.PERMERROR, "unknown mechanism " + d.mechanism());
        }
    }

    private void countDnsTerm() throws Stop {
        if (++dnsTerms > MAX_DNS_TERMS) {
            throw new Stop(AuthResult.PERMERROR, "more than " + MAX_DNS_TERMS + " DNS look-ups (RFC 7208 4.6.4)");
        }
    }

    private DnsAnswer answer(String name, int type, boolean countVoid) throws Stop {
        DnsAnswer a;
        try {
            a = dns.query(name, type);
        } catch (IOException e) {
            throw new Stop(AuthResult.TEMPERROR, "DNS error for " + name + ": " + e.getMessage());
        }
        if (countVoid && a.records().isEmpty() && ++voidLookups > MAX_VOID_LOOKUPS) {
            throw new Stop(AuthResult.PERMERROR, "more than " + MAX_VOID_LOOKUPS + " void DNS look-ups (RFC 7208 4.6.4)");
        }
        return a;
    }

    private List<InetAddress> addresses(String name, boolean countVoid) throws Stop {
        int type = ip instanceof Inet4Address ? Type.A : Type.AAAA;
        List<InetAddress> out = new ArrayList<>();
        for (Record r : answer(name, type, countVoid).records()) {
            if (r instanceof ARecord a) {
                out.add(a.getAddress());
            } else if (r instanceof AAAARecord a) {
                out.add(a.getAddress());
            }
        }
        return out;
    }

    private boolean addressesMatch(List<InetAddress> addresses, int prefix) {
        for (InetAddress a : addresses) {
            if (sameFamily(a) && inNetwork(ip, a, prefix)) {
                return true;
            }
        }
        return false;
    }

    /** §5.5: a PTR name of the client, confirmed by its own A/AAAA records, at or below {@code target}. */
    private boolean validatedNameWithin(String target) {
        List<Record> ptr;
        try {
            ptr = dns.query(ReverseMap.fromAddress(ip).toString(true), Type.PTR).records();
        } catch (IOException e) {
            return false; // §5.5: a DNS error here makes the mechanism fail to match
        }
        int checked = 0;
        for (Record r : ptr) {
            if (++checked > MAX_NAMES_PER_TERM) {
                break; // §4.6.4: only the first 10 names are looked at
            }
            String name = ((PTRRecord) r).getTarget().toString(true).toLowerCase(Locale.ROOT);
            try {
                for (Record a : dns.query(name, ip instanceof Inet4Address ? Type.A : Type.AAAA).records()) {
                    InetAddress addr = a instanceof ARecord ar ? ar.getAddress() : ((AAAARecord) a).getAddress();
                    if (addr.equals(ip) && DomainName.isWithin(name, target)) {
                        return true;
                    }
                }
            } catch (IOException e) {
                // a name that cannot be confirmed is skipped
            }
        }
        return false;
    }

    private int prefix(SpfRecord.Directive d) {
        return ip instanceof Inet4Address ? d.prefix4() : d.prefix6();
    }

    private boolean sameFamily(InetAddress a) {
        return (a instanceof Inet4Address) == (ip instanceof Inet4Address);
    }

    static boolean inNetwork(InetAddress ip, InetAddress network, int prefix) {
        byte[] a = ip.getAddress();
        byte[] n = network.getAddress();
        if (a.length != n.length) {
            return false;
        }
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != n[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = 0xff << (8 - rest) & 0xff;
        return (a[full] & mask) == (n[full] & mask);
    }

    /** A domain-spec after macro expansion (§7), or null when the result is not a usable domain name. */
    private String expandDomain(String domainSpec, String currentDomain) throws Stop {
        String expanded;
        try {
            expanded = SpfMacro.expand(domainSpec, new SpfMacro.Context(sender, currentDomain, ip, helo));
        } catch (MailAuthSyntaxException e) {
            throw new Stop(AuthResult.PERMERROR, e.getMessage());
        }
        // §7.3: drop labels from the left until the name fits 253 octets.
        while (expanded.length() > 253 && expanded.indexOf('.') >= 0) {
            expanded = expanded.substring(expanded.indexOf('.') + 1);
        }
        return DomainName.normalise(expanded);
    }

    static InetAddress parseAddress(String text, boolean v4) {
        if (v4 ? !text.matches("\\d{1,3}(\\.\\d{1,3}){3}") : !text.contains(":") || !text.matches("[0-9A-Fa-f:.]+")) {
            return null;
        }
        try {
            InetAddress a = InetAddress.getByName(text); // literal only: no DNS for these patterns
            // An IPv4-mapped ip6 network (::ffff:a.b.c.d) comes back as IPv4 and applies to IPv4 clients.
            return !v4 || a instanceof Inet4Address ? a : null;
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
