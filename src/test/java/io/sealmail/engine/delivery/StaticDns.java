package io.sealmail.engine.delivery;

import io.sealmail.engine.delivery.dns.DnsAnswer;
import io.sealmail.engine.delivery.dns.DnsLookup;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Answers from a table (the scripted tests; the real resolver is tested against dnsmasq). Unknown names: NXDOMAIN. */
final class StaticDns implements DnsLookup {
    private final Map<String, List<Record>> records = new ConcurrentHashMap<>();
    private final Set<String> failing = ConcurrentHashMap.newKeySet();
    private final Set<String> existing = ConcurrentHashMap.newKeySet();

    StaticDns mx(String domain, int preference, String host) {
        add(new MXRecord(name(domain), DClass.IN, 300, preference, name(host)));
        return this;
    }

    StaticDns nullMx(String domain) {
        add(new MXRecord(name(domain), DClass.IN, 300, 0, Name.root));
        return this;
    }

    StaticDns a(String host, InetAddress address) {
        add(new ARecord(name(host), DClass.IN, 300, address));
        return this;
    }

    /** The name exists but has no records of any type asked (NOERROR, empty answer). */
    StaticDns exists(String name) {
        existing.add(key(name));
        return this;
    }

    /** Look-ups of this name time out. */
    StaticDns timeout(String name) {
        failing.add(key(name));
        return this;
    }

    private void add(Record r) {
        records.computeIfAbsent(key(r.getName().toString()) + "/" + r.getType(), k -> new ArrayList<>()).add(r);
        existing.add(key(r.getName().toString()));
    }

    @Override
    public DnsAnswer lookup(String name, int type) throws IOException {
        String k = key(name);
        if (failing.contains(k)) {
            throw new IOException("DNS timeout for " + name + " " + Type.string(type));
        }
        List<Record> found = records.getOrDefault(k + "/" + type, List.of());
        return new DnsAnswer(existing.contains(k) ? Rcode.NOERROR : Rcode.NXDOMAIN, found, false);
    }

    private static String key(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }

    private static Name name(String s) {
        try {
            return Name.fromString(s.endsWith(".") ? s : s + ".");
        } catch (TextParseException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
