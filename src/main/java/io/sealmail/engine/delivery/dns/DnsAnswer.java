package io.sealmail.engine.delivery.dns;

import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;

import java.util.List;

/**
 * One DNS answer as delivery needs it.
 *
 * @param rcode   the response code ({@link Rcode#NOERROR}, {@link Rcode#NXDOMAIN}, ...)
 * @param records the answer section's records of the type asked for (CNAMEs already followed)
 * @param secure  true only when the answer was DNSSEC-validated (RFC 4035 "secure"); DANE (RFC 7672 §2.1) and
 *                the use of TLSA records depend on it
 */
public record DnsAnswer(int rcode, List<Record> records, boolean secure) {
    public DnsAnswer {
        records = List.copyOf(records);
    }

    public boolean nxdomain() {
        return rcode == Rcode.NXDOMAIN;
    }
}
