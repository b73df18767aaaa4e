package io.sealmail.engine.delivery;

import java.util.List;

/**
 * Where a domain's mail goes: its MX hosts in the order to try (RFC 5321 §5.1), or the domain itself when it has
 * no MX (implicit MX).
 *
 * @param domain   the recipient domain
 * @param hosts    host names to try, best first
 * @param mxSecure true when the MX answer was DNSSEC-validated
 */
record Route(String domain, List<String> hosts, boolean mxSecure) {
    Route {
        hosts = List.copyOf(hosts);
    }
}
