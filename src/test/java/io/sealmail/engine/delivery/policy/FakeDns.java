package io.sealmail.engine.delivery.policy;

import io.sealmail.engine.delivery.dns.DnsAnswer;
import io.sealmail.engine.delivery.dns.DnsLookup;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A DnsLookup answering from a table, for policy tests; unknown names are NXDOMAIN (insecure). */
final class FakeDns implements DnsLookup {
    private final Map<String, Object> answers = new ConcurrentHashMap<>();
    final List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();

    private static String key(String name, int type) {
        String n = name.toLowerCase(Locale.ROOT);
        return (n.endsWith(".") ? n.substring(0, n.length() - 1) : n) + "/" + Type.string(type);
    }

    static Name name(String name) {
        try {
            return Name.fromString(name.endsWith(".") ? name : name + ".");
        } catch (TextParseException e) {
            throw new IllegalArgumentException(e);
        }
    }

    FakeDns answer(String name, int type, boolean secure, Record... records) {
        answers.put(key(name, type), new DnsAnswer(Rcode.NOERROR, List.of(records), secure));
        return this;
    }

    FakeDns txt(String name, String... values) {
        List<Record> records = new ArrayList<>();
        for (String v : values) {
            records.add(new TXTRecord(name(name), DClass.IN, 300, v));
        }
        return answer(name, Type.TXT, false, records.toArray(Record[]::new));
    }

    FakeDns a(String name, String address) {
        try {
            return answer(name, Type.A, false, new ARecord(name(name), DClass.IN, 300, InetAddress.getByName(address)));
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    FakeDns fail(String name, int type) {
        answers.put(key(name, type), new IOException("SERVFAIL for " + name));
        return this;
    }

    FakeDns remove(String name, int type) {
        answers.remove(key(name, type));
        return this;
    }

    @Override
    public DnsAnswer lookup(String name, int type) throws IOException {
        asked.add(key(name, type));
        Object answer = answers.get(key(name, type));
        if (answer instanceof IOException e) {
            throw new IOException(e.getMessage());
        }
        return answer != null ? (DnsAnswer) answer : new DnsAnswer(Rcode.NXDOMAIN, List.of(), false);
    }
}
