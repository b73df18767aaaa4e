package io.sealmail.engine.delivery.dns;

import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CachingDnsLookupTest {
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final List<String> asked = new ArrayList<>();
    private DnsAnswer next;
    private IOException failure;
    private final CachingDnsLookup dns = new CachingDnsLookup((name, type) -> {
        asked.add(name + "/" + Type.string(type));
        if (failure != null) {
            throw failure;
        }
        return next;
    }, clock::get);

    private static DnsAnswer a(long ttl) throws Exception {
        return new DnsAnswer(Rcode.NOERROR, List.of(new ARecord(Name.fromString("mx.remote.test."), DClass.IN, ttl,
                InetAddress.getByName("192.0.2.1"))), false, ttl);
    }

    @Test
    void reusesAnAnswerUntilItsTtlRunsOut() throws Exception {
        next = a(60);
        DnsAnswer first = dns.lookup("mx.remote.test", Type.A);
        assertSame(first, dns.lookup("MX.Remote.Test.", Type.A), "same name in another spelling");
        clock.addAndGet(59_000_000_000L);
        assertSame(first, dns.lookup("mx.remote.test", Type.A));
        assertEquals(1, asked.size());
        clock.addAndGet(1_000_000_000L);
        dns.lookup("mx.remote.test", Type.A);
        assertEquals(2, asked.size(), "asked again once the TTL ran out");
        dns.lookup("mx.remote.test", Type.AAAA);
        assertEquals(3, asked.size(), "another type is another question");
    }

    @Test
    void neverKeepsFailuresOrAnswersWithoutTtl() throws Exception {
        failure = new IOException("DNS timeout");
        assertThrows(IOException.class, () -> dns.lookup("slow.test", Type.MX));
        assertThrows(IOException.class, () -> dns.lookup("slow.test", Type.MX));
        assertEquals(2, asked.size());
        failure = null;
        next = new DnsAnswer(Rcode.NXDOMAIN, List.of(), false); // no SOA: no negative TTL
        dns.lookup("gone.test", Type.MX);
        dns.lookup("gone.test", Type.MX);
        assertEquals(4, asked.size());
        next = new DnsAnswer(Rcode.NXDOMAIN, List.of(), false, 30); // SOA negative TTL 30 s
        dns.lookup("gone2.test", Type.MX);
        dns.lookup("gone2.test", Type.MX);
        assertEquals(5, asked.size());
    }

    @Test
    void capsLongTtls() throws Exception {
        next = a(86_400);
        dns.lookup("mx.remote.test", Type.A);
        clock.addAndGet((CachingDnsLookup.MAX_TTL_SECONDS + 1) * 1_000_000_000L);
        dns.lookup("mx.remote.test", Type.A);
        assertEquals(2, asked.size(), "a day's TTL is kept an hour at most");
    }
}
