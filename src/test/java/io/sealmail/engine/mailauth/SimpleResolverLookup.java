package io.sealmail.engine.mailauth;

import io.sealmail.engine.delivery.dns.DnsAnswer;
import io.sealmail.engine.delivery.dns.DnsLookup;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** DnsLookup on dnsjava's SimpleResolver, asking one server (the tests' dnsmasq) directly. */
public final class SimpleResolverLookup implements DnsLookup {
    private final SimpleResolver resolver;

    SimpleResolverLookup(InetSocketAddress server, Duration timeout) {
        resolver = new SimpleResolver(server);
        resolver.setTimeout(timeout);
    }

    @Override
    public DnsAnswer lookup(String name, int type) throws IOException {
        Name n = Name.fromString(name.endsWith(".") ? name : name + ".");
        Message response = resolver.send(Message.newQuery(Record.newRecord(n, type, DClass.IN)));
        int rcode = response.getRcode();
        if (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN) {
            throw new IOException(Rcode.string(rcode) + " for " + name);
        }
        List<Record> records = new ArrayList<>();
        for (Record r : response.getSection(Section.ANSWER)) {
            if (r.getType() == type) {
                records.add(r);
            }
        }
        return new DnsAnswer(rcode, records, false);
    }
}
