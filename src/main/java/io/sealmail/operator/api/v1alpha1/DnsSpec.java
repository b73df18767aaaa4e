package io.sealmail.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

import java.util.List;

/** What the DNS records in {@code status.dns} say beyond what follows from the rest of the spec. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DnsSpec {
    public enum DmarcPolicy {
        @JsonProperty("none") NONE,
        @JsonProperty("quarantine") QUARANTINE,
        @JsonProperty("reject") REJECT
    }

    public enum MtaStsMode {
        @JsonProperty("none") NONE,
        @JsonProperty("testing") TESTING,
        @JsonProperty("enforce") ENFORCE
    }

    /** A mailto: report address, as DMARC (RFC 7489 §6.2) and TLS-RPT (RFC 8460 §3) take them. */
    static final String MAILTO = "^mailto:[^,;!\\s]+@[^,;!\\s]+$";

    @Default("quarantine")
    @JsonPropertyDescription("The DMARC policy published for the local domains (p=).")
    public DmarcPolicy dmarcPolicy;

    @Size(max = 4)
    @JsonPropertyDescription("Where DMARC aggregate reports go (rua=), e.g. mailto:dmarc@example.com.")
    public List<@Pattern(MAILTO) @Size(max = 254) String> dmarcReports;

    @Default("testing")
    @JsonPropertyDescription("The MTA-STS mode (RFC 8461) of the policy in status.mtaStsPolicy; none publishes "
            + "no MTA-STS record.")
    public MtaStsMode mtaSts;

    @Default("604800")
    @Min(86400)
    @Max(31557600)
    @JsonPropertyDescription("MTA-STS max_age in seconds (one day to one year; default one week).")
    public Long mtaStsMaxAge;

    @Size(max = 4)
    @JsonPropertyDescription("Where TLS reports go (RFC 8460 rua=); without it no _smtp._tls record is listed.")
    public List<@Pattern(MAILTO) @Size(max = 254) String> tlsReports;

    @Default("false")
    @JsonPropertyDescription("List a DANE TLSA 3 1 1 record of the served key for _25._tcp.<hostname> (RFC 7672). "
            + "Publish it only in a DNSSEC-signed zone.")
    public Boolean dane;
}
