package io.sealmail.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A listener behind a load balancer that speaks the PROXY protocol (v1 or v2, haproxy.org's proxy-protocol.txt):
 * every connection must come from one of {@code trustedProxies} and start with the header naming the real client,
 * which the engine then uses for limits, throttling, Received fields and SPF. Connections from any other address
 * are refused: on such a listener nobody else may say who the client is.
 *
 * @param trustedProxies CIDRs (or single addresses) of the proxies, IPv4 or IPv6; at least one
 * @param headerTimeout  how long a trusted proxy has to send the whole header (default 5 s, Postfix's
 *                       postscreen_upstream_proxy_timeout)
 */
public record ProxyProtocol(List<String> trustedProxies, Duration headerTimeout) {

    public ProxyProtocol {
        if (trustedProxies == null || trustedProxies.isEmpty()) {
            throw new ConfigException("proxyProtocol.trustedProxies: at least one address or CIDR is required"
                    + " (the load balancer's; nobody else may send a PROXY header)");
        }
        trustedProxies = List.copyOf(trustedProxies);
        for (String cidr : trustedProxies) {
            Network.parse(cidr);
        }
        headerTimeout = headerTimeout == null ? Duration.ofSeconds(5) : headerTimeout;
        if (headerTimeout.isNegative() || headerTimeout.isZero()) {
            throw new ConfigException("proxyProtocol.headerTimeout: " + headerTimeout + " must be a positive duration such as PT5S");
        }
    }

    /** True when {@code address} is one of the trusted proxies. */
    public boolean trusts(InetAddress address) {
        for (String cidr : trustedProxies) {
            if (Network.parse(cidr).contains(address)) {
                return true;
            }
        }
        return false;
    }

    /** An address block: {@code 10.0.0.0/8}, {@code 2001:db8::/32}, or one address. */
    record Network(byte[] prefix, int bits) {
        static Network parse(String cidr) {
            if (cidr == null || cidr.isBlank()) {
                throw new ConfigException("proxyProtocol.trustedProxies: an entry is empty");
            }
            String s = cidr.trim();
            int slash = s.indexOf('/');
            String host = slash < 0 ? s : s.substring(0, slash);
            // Literal addresses only: no name may be looked up (InetAddress would ask DNS for a name).
            if (!host.matches("[0-9.]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")) {
                throw new ConfigException("proxyProtocol.trustedProxies: '" + cidr + "' is not an IP address or CIDR");
            }
            byte[] address;
            try {
                address = InetAddress.getByName(host).getAddress();
            } catch (UnknownHostException e) {
                throw new ConfigException("proxyProtocol.trustedProxies: '" + cidr + "' is not an IP address or CIDR");
            }
            int bits = address.length * 8;
            if (slash >= 0) {
                try {
                    bits = Integer.parseInt(s.substring(slash + 1));
                } catch (NumberFormatException e) {
                    bits = -1;
                }
                if (bits < 0 || bits > address.length * 8) {
                    throw new ConfigException("proxyProtocol.trustedProxies: '" + cidr + "' has a prefix length outside 0-" + address.length * 8);
                }
            }
            return new Network(address, bits);
        }

        boolean contains(InetAddress candidate) {
            byte[] a = candidate.getAddress();
            if (a.length != prefix.length) {
                // An IPv4 client seen through an IPv6 socket (::ffff:a.b.c.d) still matches an IPv4 block.
                if (a.length == 16 && prefix.length == 4 && isMapped(a)) {
                    a = java.util.Arrays.copyOfRange(a, 12, 16);
                } else {
                    return false;
                }
            }
            int full = bits / 8;
            for (int i = 0; i < full; i++) {
                if (a[i] != prefix[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = 0xff << (8 - rest) & 0xff;
            return (a[full] & mask) == (prefix[full] & mask);
        }

        private static boolean isMapped(byte[] a) {
            for (int i = 0; i < 10; i++) {
                if (a[i] != 0) {
                    return false;
                }
            }
            return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
        }
    }
}
