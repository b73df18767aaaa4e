package io.sealmail.ca;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.util.IPAddress;

/**
 * The DNS names and IP addresses a leaf certificate is for, checked and normalised. DNS names are lower-case
 * LDH names (RFC 1035 §2.3.1 as relaxed by RFC 1123 §2.1) with at most 63 octets a label and 253 a name; a
 * wildcard is allowed only as the whole left-most label over at least two more labels ({@code *.example.com}),
 * which is the only form RFC 6125 §6.4.3 clients match reliably. IP addresses are IPv4 or IPv6 literals only:
 * nothing here ever resolves a name.
 */
public record SubjectAltNames(Set<String> dnsNames, Set<String> ipAddresses) {
    private static final int MAX_NAME = 253;
    private static final int MAX_LABEL = 63;

    public SubjectAltNames {
        // Insertion order is kept: the first DNS name also becomes the subject CN, for old clients' logs.
        dnsNames = Collections.unmodifiableSet(new LinkedHashSet<>(dnsNames));
        ipAddresses = Collections.unmodifiableSet(new LinkedHashSet<>(ipAddresses));
    }

    /** Checks every name of a spec; the first bad one is reported. Duplicates collapse. */
    public static SubjectAltNames of(LeafSpec spec) {
        Set<String> dns = new LinkedHashSet<>();
        for (String name : spec.dnsNames()) {
            dns.add(dnsName(name));
        }
        Set<String> ips = new LinkedHashSet<>();
        for (String ip : spec.ipAddresses()) {
            ips.add(ipText(ipAddress(ip)));
        }
        if (dns.isEmpty() && ips.isEmpty()) {
            throw new CaException("a certificate needs at least one DNS name or IP address");
        }
        return new SubjectAltNames(dns, ips);
    }

    /**
     * The names a spec asks for, normalised the same way but without rejecting anything, for comparing with
     * an existing certificate (an invalid wanted name then simply differs, and issuing reports it).
     */
    static SubjectAltNames lenient(LeafSpec spec) {
        Set<String> dns = new LinkedHashSet<>();
        for (String name : spec.dnsNames()) {
            dns.add(name.trim().toLowerCase(Locale.ROOT));
        }
        Set<String> ips = new LinkedHashSet<>();
        for (String ip : spec.ipAddresses()) {
            try {
                ips.add(ipText(ipAddress(ip)));
            } catch (CaException e) {
                ips.add(ip);
            }
        }
        return new SubjectAltNames(dns, ips);
    }

    /** A valid DNS name for a SAN, lower-cased; otherwise a {@link CaException} saying which rule it breaks. */
    public static String dnsName(String raw) {
        if (raw == null || raw.isEmpty()) {
            throw new CaException("empty DNS name");
        }
        String quoted = "DNS name \"" + raw + "\"";
        for (int i = 0; i < raw.length(); i++) {
            if (raw.charAt(i) > 0x7e || raw.charAt(i) < 0x21) {
                throw new CaException(quoted + " contains " + (raw.charAt(i) > 0x7e
                        ? "non-ASCII characters; use the IDNA A-label form (xn--...)"
                        : "whitespace or control characters"));
            }
        }
        String name = raw.toLowerCase(Locale.ROOT);
        if (IPAddress.isValid(name)) {
            throw new CaException(quoted + " is an IP address; give it as an IP address, not a DNS name");
        }
        if (name.endsWith(".")) {
            throw new CaException(quoted + " must not end with a dot");
        }
        if (name.length() > MAX_NAME) {
            throw new CaException(quoted + " is " + name.length() + " characters long; the limit is " + MAX_NAME);
        }
        String[] labels = name.split("\\.", -1);
        for (int i = 0; i < labels.length; i++) {
            String label = labels[i];
            if (label.isEmpty()) {
                throw new CaException(quoted + " has an empty label");
            }
            if (label.contains("*")) {
                if (i != 0 || !label.equals("*")) {
                    throw new CaException(quoted + ": a wildcard must be the whole left-most label, as in *.example.com");
                }
                if (labels.length < 3) {
                    throw new CaException(quoted + ": a wildcard must cover at least two more labels, as in *.example.com");
                }
                continue;
            }
            if (label.length() > MAX_LABEL) {
                throw new CaException(quoted + " has a label of " + label.length()
                        + " characters; the limit is " + MAX_LABEL);
            }
            for (int c = 0; c < label.length(); c++) {
                char ch = label.charAt(c);
                if (!(ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' || ch == '-')) {
                    throw new CaException(quoted + " contains '" + ch
                            + "'; only letters, digits and hyphens are allowed in a label");
                }
            }
            if (label.startsWith("-") || label.endsWith("-")) {
                throw new CaException(quoted + " has a label that starts or ends with a hyphen");
            }
        }
        // RFC 3696 §2: a top-level label is never all digits, so such a name is a mistyped address.
        if (labels[labels.length - 1].chars().allMatch(Character::isDigit)) {
            throw new CaException(quoted + " ends in an all-numeric label, which no DNS name has");
        }
        return name;
    }

    /**
     * The 4 or 16 octets of an IP literal. Refuses host names, CIDR masks, IPv6 zone ids and IPv4 octets with
     * leading zeros (which some parsers read as octal).
     */
    public static byte[] ipAddress(String raw) {
        String quoted = "IP address \"" + raw + "\"";
        if (raw == null || raw.isEmpty()) {
            throw new CaException("empty IP address");
        }
        if (IPAddress.isValidIPv4(raw)) {
            for (String octet : raw.split("\\.")) {
                if (octet.length() > 1 && octet.startsWith("0")) {
                    throw new CaException(quoted + " has an octet with a leading zero");
                }
            }
        } else if (!IPAddress.isValidIPv6(raw)) {
            throw new CaException(quoted + " is not an IPv4 or IPv6 literal");
        }
        // Bouncy Castle's GeneralName turns the literal into octets itself, with no resolver involved.
        return ASN1OctetString.getInstance(new GeneralName(GeneralName.iPAddress, raw).getName()).getOctets();
    }

    /** Dotted quad, or RFC 5952 text for IPv6 (lower case, longest zero run compressed). */
    public static String ipText(byte[] octets) {
        if (octets.length == 4) {
            return (octets[0] & 0xff) + "." + (octets[1] & 0xff) + "." + (octets[2] & 0xff) + "." + (octets[3] & 0xff);
        }
        if (octets.length != 16) {
            return "invalid(" + octets.length + " octets)";
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = (octets[2 * i] & 0xff) << 8 | octets[2 * i + 1] & 0xff;
        }
        int bestStart = -1;
        int bestLen = 1; // RFC 5952 §4.2.2: a single zero group is not compressed
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder out = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLen - 1;
                continue;
            }
            if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(groups[i]));
        }
        return out.toString();
    }

    /** Reads the SAN of an existing certificate into the same normalised form. */
    static SubjectAltNames fromCertificate(Collection<List<?>> san) {
        Set<String> dns = new LinkedHashSet<>();
        Set<String> ips = new LinkedHashSet<>();
        if (san != null) {
            for (List<?> entry : san) {
                int type = (Integer) entry.get(0);
                Object value = entry.get(1);
                if (type == GeneralName.dNSName) {
                    dns.add(value.toString().toLowerCase(Locale.ROOT));
                } else if (type == GeneralName.iPAddress) {
                    String text = value.toString();
                    try {
                        ips.add(ipText(ipAddress(text)));
                    } catch (CaException e) {
                        ips.add(text);
                    }
                }
            }
        }
        return new SubjectAltNames(dns, ips);
    }

    /** All names, DNS names first, for display. */
    public List<String> all() {
        List<String> out = new ArrayList<>(dnsNames.size() + ipAddresses.size());
        String[] d = dnsNames.toArray(String[]::new);
        Arrays.sort(d);
        out.addAll(Arrays.asList(d));
        String[] ip = ipAddresses.toArray(String[]::new);
        Arrays.sort(ip);
        out.addAll(Arrays.asList(ip));
        return out;
    }
}
