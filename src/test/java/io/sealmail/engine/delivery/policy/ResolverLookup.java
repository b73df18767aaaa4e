package io.sealmail.engine.delivery.policy;

import io.sealmail.engine.delivery.dns.DnsAnswer;
import io.sealmail.engine.delivery.dns.DnsLookup;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.Section;

import java.io.IOException;
import java.util.List;

/**
 * A DnsLookup over any dnsjava Resolver, for the policy tests with real DNS servers (dnsmasq, the signed test zone).
 * "Secure" is the AD flag, which only a local ValidatingResolver sets trustworthily.
 */
final class ResolverLookup implements DnsLookup {
    private final Resolver resolver;

    ResolverLookup(Resolver resolver) {
        this.resolver = resolver;
    }

    @Override
    public DnsAnswer lookup(String name, int type) throws IOException {
        Name qname = Name.fromString(name.endsWith(".") ? name : name + ".");
        Message response = resolver.send(Message.newQuery(Record.newRecord(qname, type, DClass.IN)));
        int rcode = response.getRcode();
        if (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN) {
            throw new IOException(name + " " + org.xbill.DNS.Type.string(type) + ": " + Rcode.string(rcode));
        }
        List<Record> records = response.getSection(Section.ANSWER).stream().filter(r -> r.getType() == type).toList();
        return new DnsAnswer(rcode, records, response.getHeader().getFlag(Flags.AD));
    }
}
