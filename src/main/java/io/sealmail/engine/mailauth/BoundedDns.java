package io.sealmail.engine.mailauth;

import io.sealmail.engine.delivery.dns.DnsAnswer;
import io.sealmail.engine.delivery.dns.DnsLookup;
import org.xbill.DNS.Record;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The DNS of one message's checks: every question goes through {@link DnsLookup} (with its own per-query
 * timeout), and once the check's overall deadline has passed no further question is asked, so a slow or hostile
 * zone costs at most the deadline (RFC 7208 §4.6.4 asks for a limit of at least 20 seconds for SPF).
 */
final class BoundedDns {
    private final DnsLookup lookup;
    private final Clock clock;
    private final Instant deadline;
    private int queries;

    BoundedDns(DnsLookup lookup, Clock clock, Instant deadline) {
        this.lookup = lookup;
        this.clock = clock;
        this.deadline = deadline;
    }

    /** @throws IOException on a DNS failure or timeout, or when the deadline has passed (a temporary error) */
    DnsAnswer query(String name, int type) throws IOException {
        if (!clock.instant().isBefore(deadline)) {
            throw new IOException("time limit for DNS look-ups reached");
        }
        queries++;
        return lookup.lookup(name, type);
    }

    /** The TXT records at {@code name}, each one's strings joined (RFC 7208 §3.3, RFC 6376 §3.6.2.2); empty on NXDOMAIN. */
    List<String> txt(String name) throws IOException {
        DnsAnswer answer = query(name, Type.TXT);
        List<String> out = new ArrayList<>();
        for (Record r : answer.records()) {
            if (r instanceof TXTRecord txt) {
                StringBuilder joined = new StringBuilder();
                for (byte[] s : txt.getStringsAsByteArrays()) {
                    joined.append(new String(s, StandardCharsets.ISO_8859_1));
                }
                out.add(joined.toString());
            }
        }
        return out;
    }

    int queries() {
        return queries;
    }
}
