package io.sealmail.engine.mailauth;

import io.sealmail.engine.delivery.dns.DnsAnswer;
import io.sealmail.engine.delivery.dns.DnsLookup;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/** An in-memory zone for unit tests: names with records, names that time out, and a count of questions asked. */
public final class FakeDns implements DnsLookup {
    private final Map<String, List<Record>> records = new HashMap<>();
    private final Set<String> existing = new HashSet<>();
    private final Set<String> failing = new HashSet<>();
    public final AtomicInteger queries = new AtomicInteger();
    final List<String> asked = new ArrayList<>();

    private static Name name(String n) {
        try {
            return Name.fromString(n.endsWith(".") ? n : n + ".");
        } catch (TextParseException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private FakeDns add(String n, Record r) {
        String key = key(n);
        records.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
        existing.add(key);
        return this;
    }

    private static String key(String n) {
        String k = n.toLowerCase(Locale.ROOT);
        return k.endsWith(".") ? k.substring(0, k.length() - 1) : k;
    }

    /**
     * One TXT record; a long text is split into strings of at most 255 octets (of UTF-8: dnsjava's limit, found by
     * MailAuthFuzz with a record of U+FFFD characters) as a zone would hold it, never inside a character.
     */
    public FakeDns txt(String n, String text) {
        List<String> strings = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int octets = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            String one = new String(Character.toChars(cp));
            int size = one.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            if (octets + size > 255) {
                strings.add(current.toString());
                current.setLength(0);
                octets = 0;
            }
            // dnsjava reads \DDD and \X escapes in these strings: a backslash of the record is given as \\.
            current.append(cp == '\\' ? "\\\\" : one);
            octets += size;
            i += Character.charCount(cp);
        }
        if (current.length() > 0 || strings.isEmpty()) {
            strings.add(current.toString());
        }
        return add(n, new TXTRecord(name(n), DClass.IN, 300, strings));
    }

    public FakeDns a(String n, String address) {
        try {
            InetAddress ip = InetAddress.getByName(address);
            return ip instanceof Inet4Address
                    ? add(n, new ARecord(name(n), DClass.IN, 300, ip))
                    : add(n, new AAAARecord(name(n), DClass.IN, 300, (Inet6Address) ip));
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    public FakeDns mx(String n, int preference, String host) {
        return add(n, new MXRecord(name(n), DClass.IN, 300, preference, name(host)));
    }

    public FakeDns ptr(String reverseName, String host) {
        return add(reverseName, new PTRRecord(name(reverseName), DClass.IN, 300, name(host)));
    }

    /** Questions about this name time out. */
    public FakeDns timeout(String n) {
        failing.add(key(n));
        return this;
    }

    @Override
    public DnsAnswer lookup(String n, int type) throws IOException {
        queries.incrementAndGet();
        String k = key(n);
        synchronized (asked) {
            asked.add(Type.string(type) + " " + k);
        }
        if (failing.contains(k)) {
            throw new IOException("timed out asking for " + k);
        }
        if (!existing.contains(k)) {
            return new DnsAnswer(Rcode.NXDOMAIN, List.of(), false);
        }
        List<Record> out = new ArrayList<>();
        for (Record r : records.getOrDefault(k, List.of())) {
            if (r.getType() == type) {
                out.add(r);
            }
        }
        return new DnsAnswer(Rcode.NOERROR, out, false);
    }
}
