package io.sealmail.engine.delivery.dns;

import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;

import java.util.List;

/**
 * One DNS answer as delivery needs it.
 *
 * @param rcode      the response code ({@link Rcode#NOERROR}, {@link Rcode#NXDOMAIN}, ...)
 * @param records    the answer section's records of the type asked for (CNAMEs already followed)
 * @param secure     true only when the answer was DNSSEC-validated (RFC 4035 "secure"); DANE (RFC 7672 §2.1) and
 *                   the use of TLSA records depend on it
 * @param ttlSeconds how long the answer may be reused ({@link CachingDnsLookup}): the smallest TTL of its records,
 *                   for a negative answer its SOA's negative TTL (RFC 2308 §5); 0: not at all
 */
public record DnsAnswer(int rcode, List<Record> records, boolean secure, long ttlSeconds) {
    public DnsAnswer {
        records = List.copyOf(records);
    }

    /** An answer that is not to be reused. */
    public DnsAnswer(int rcode, List<Record> records, boolean secure) {
        this(rcode, records, secure, 0);
    }

    public boolean nxdomain() {
        return rcode == Rcode.NXDOMAIN;
    }
}
