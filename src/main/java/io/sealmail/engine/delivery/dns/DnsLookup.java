package io.sealmail.engine.delivery.dns;

import java.io.IOException;

/**
 * Asks DNS one question. The one way delivery code (MX routing, MTA-STS, DANE) reaches DNS, so tests and
 * clusters can point it at any server and every look-up has the same timeouts.
 */
public interface DnsLookup {
    /**
     * @param name a fully qualified or relative domain name
     * @param type a {@link org.xbill.DNS.Type} constant
     * @return the answer, including NXDOMAIN and NOERROR-without-records
     * @throws IOException on a timeout, SERVFAIL or any other temporary failure (the caller defers)
     */
    DnsAnswer lookup(String name, int type) throws IOException;
}
