package io.sealmail.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

/** Checks of mail received on port 25: SPF, DKIM and DMARC, recorded in an Authentication-Results header. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class InboundSpec {
    public enum Dmarc {
        @JsonProperty("report-only") REPORT_ONLY,
        @JsonProperty("enforce") ENFORCE
    }

    @Default("report-only")
    @JsonPropertyDescription("report-only: record the results and deliver. enforce: DMARC p=reject failures are "
            + "refused (550 5.7.1), p=quarantine failures go to Junk, DNS failures get 451 (try later), and a HELO name "
            + "whose SPF record fails the client is refused (550 5.7.23).")
    public Dmarc dmarc;
}
