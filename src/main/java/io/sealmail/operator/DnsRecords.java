package io.sealmail.operator;

import io.sealmail.ca.DkimKey;
import io.sealmail.operator.api.v1alpha1.DnsRecord;
import io.sealmail.operator.api.v1alpha1.DnsSpec;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The DNS records a MailServer needs published, computed from its spec, its Service's external addresses, its DKIM
 * keys and its served key: what {@code status.dns} lists. A pure function of its inputs, so the status does not
 * change between reconciles unless one of them does.
 */
final class DnsRecords {
    /** A DKIM key to publish: its selector and its TXT value ({@link DkimKey#recordValue()}). */
    record DkimPublication(String selector, String recordValue) {
    }

    /** The inputs; {@code servedKeySpki} is the DER SubjectPublicKeyInfo of the certificate's key, or null. */
    record Inputs(List<String> domains, String hostname, DnsSpec dns, List<DkimPublication> dkim,
                  List<String> externalAddresses, byte[] servedKeySpki) {
    }

    private DnsRecords() {
    }

    static List<DnsRecord> of(Inputs in) {
        DnsSpec dns = in.dns() == null ? new DnsSpec() : in.dns();
        List<DnsRecord> out = new ArrayList<>();
        String host = in.hostname();
        for (String address : in.externalAddresses()) {
            out.add(new DnsRecord(host, address.contains(":") ? "AAAA" : "A", address));
        }
        String policy = mtaStsPolicy(in);
        for (String domain : in.domains()) {
            out.add(new DnsRecord(domain, "MX", "10 " + host + "."));
            // RFC 7208: only the hosts of the MX records send mail for the domain; everything else fails.
            out.add(txt(domain, "v=spf1 mx -all"));
            for (DkimPublication key : in.dkim()) {
                out.add(txt(key.selector() + "._domainkey." + domain, key.recordValue()));
            }
            out.add(txt("_dmarc." + domain, dmarc(dns)));
            if (policy != null) {
                out.add(txt("_mta-sts." + domain, "v=STSv1; id=" + policyId(policy)));
            }
            if (dns.tlsReports != null && !dns.tlsReports.isEmpty()) {
                out.add(txt("_smtp._tls." + domain, "v=TLSRPTv1; rua=" + String.join(",", dns.tlsReports)));
            }
        }
        if (Boolean.TRUE.equals(dns.dane) && in.servedKeySpki() != null) {
            // RFC 7672 §3.1.1: DANE-EE(3) SPKI(1) SHA-256(1) pins the key, not the certificate, so it survives
            // renewals that keep the key.
            out.add(new DnsRecord("_25._tcp." + host, "TLSA", "3 1 1 " + sha256Hex(in.servedKeySpki())));
        }
        return out;
    }

    /**
     * The MTA-STS policy text to serve at {@code https://mta-sts.<domain>/.well-known/mta-sts.txt} (RFC 8461 §3.2),
     * or null when the mode is {@code none}.
     */
    static String mtaStsPolicy(Inputs in) {
        DnsSpec dns = in.dns() == null ? new DnsSpec() : in.dns();
        DnsSpec.MtaStsMode mode = dns.mtaSts == null ? DnsSpec.MtaStsMode.TESTING : dns.mtaSts;
        if (mode == DnsSpec.MtaStsMode.NONE) {
            return null;
        }
        long maxAge = dns.mtaStsMaxAge == null ? 604800 : dns.mtaStsMaxAge;
        return "version: STSv1\r\n"
                + "mode: " + mode.name().toLowerCase(Locale.ROOT) + "\r\n"
                + "mx: " + in.hostname() + "\r\n"
                + "max_age: " + maxAge + "\r\n";
    }

    /** RFC 8461 §3.1: 1-32 alphanumerics that change whenever the policy does: here, a digest of the policy. */
    static String policyId(String policy) {
        return sha256Hex(policy.getBytes(StandardCharsets.UTF_8)).substring(0, 20);
    }

    private static String dmarc(DnsSpec dns) {
        DnsSpec.DmarcPolicy p = dns.dmarcPolicy == null ? DnsSpec.DmarcPolicy.QUARANTINE : dns.dmarcPolicy;
        String value = "v=DMARC1; p=" + p.name().toLowerCase(Locale.ROOT);
        if (dns.dmarcReports != null && !dns.dmarcReports.isEmpty()) {
            value += "; rua=" + String.join(",", dns.dmarcReports);
        }
        return value;
    }

    /** A TXT record in presentation form: quoted character-strings of at most 255 octets (RFC 1035 §5.1). */
    static DnsRecord txt(String name, String value) {
        String quoted = DkimKey.txtStrings(value).stream()
                .map(s -> "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"")
                .collect(Collectors.joining(" "));
        return new DnsRecord(name, "TXT", quoted);
    }

    private static String sha256Hex(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
