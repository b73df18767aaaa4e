package io.sealmail.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

import java.util.List;

/**
 * How mail for other domains leaves: MX look-ups (the default) or a relay. Rendered into engine.yaml's
 * {@code outbound:}; limits left out keep the engine's defaults (Postfix's, where it has one).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.mode != 'relay' || has(self.relay)", message = "outbound.relay is required with mode relay")
@ValidationRule(value = "self.mode == 'relay' || !has(self.relay)", message = "outbound.relay is only used with mode relay")
@ValidationRule(value = "!has(self.firstRetry) || !has(self.maxRetryInterval) "
        + "|| duration(self.firstRetry) <= duration(self.maxRetryInterval)",
        message = "outbound.firstRetry must not be longer than outbound.maxRetryInterval")
@ValidationRule(value = "!has(self.firstRetry) || duration(self.firstRetry) >= duration('1s')",
        message = "outbound.firstRetry must be at least 1s")
@ValidationRule(value = "!has(self.maxLifetime) || duration(self.maxLifetime) >= duration('1m')",
        message = "outbound.maxLifetime must be at least 1m")
public class OutboundSpec {
    /** Go duration: hours, minutes, seconds (CEL's duration() reads the same syntax). */
    static final String DURATION = "^([0-9]+h)?([0-9]+m)?([0-9]+s)?$";

    public enum Mode {
        @JsonProperty("direct") DIRECT,
        @JsonProperty("relay") RELAY,
        @JsonProperty("hold") HOLD
    }

    @Default("direct")
    @JsonPropertyDescription("direct: MX look-up per recipient domain. relay: everything through outbound.relay. "
            + "hold: keep outbound mail queued and send nothing (maintenance).")
    public Mode mode;

    @JsonPropertyDescription("The smarthost, with mode relay.")
    public RelaySpec relay;

    @Default("{}")
    @JsonPropertyDescription("The DNS servers delivery asks for MX, A/AAAA, TXT (MTA-STS) and TLSA (DANE) records.")
    public OutboundDnsSpec dns;

    @Min(1)
    @Max(1000)
    @JsonPropertyDescription("SMTP client connections in total. Default 32.")
    public Integer maxConnections;

    @Min(1)
    @Max(1000)
    @JsonPropertyDescription("SMTP client connections to one destination (recipient domain, or the relay). Default 16.")
    public Integer maxConnectionsPerDestination;

    @Pattern(DURATION)
    @Size(max = 16)
    @JsonPropertyDescription("After a temporary failure (4xx) retry after this, doubling each time. Default 1m.")
    public String firstRetry;

    @Pattern(DURATION)
    @Size(max = 16)
    @JsonPropertyDescription("The longest wait between two attempts. Default 4h.")
    public String maxRetryInterval;

    @Pattern(DURATION)
    @Size(max = 16)
    @JsonPropertyDescription("A message not delivered after this bounces to its sender. Default 120h (5 days).")
    public String maxLifetime;

    @Pattern(DURATION)
    @Size(max = 16)
    @JsonPropertyDescription("Tell the sender once that a message is still undelivered after this (an RFC 3464 "
            + "\"delayed\" report, as Postfix's delay_warning_time); 0s: never. Default 4h.")
    public String delayWarning;

    /** Where outbound DNS questions go. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class OutboundDnsSpec {
        /** IPv4 with an optional port, or IPv6 (bracketed when a port follows); names would need DNS to find DNS. */
        static final String SERVER = "^((25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])"
                + "(:[1-9][0-9]{0,4})?$|^\\[[0-9a-fA-F:.]+\\](:[1-9][0-9]{0,4})?$|^[0-9a-fA-F]*:[0-9a-fA-F:.]*:[0-9a-fA-F:.]*$";

        @Size(max = 8)
        @JsonPropertyDescription("IP addresses (with :port if not 53). Empty: the pod's resolv.conf, i.e. cluster DNS.")
        public List<@Pattern(SERVER) @Size(max = 64) String> servers;

        @Default("false")
        @JsonPropertyDescription("Validate answers with DNSSEC (needed for DANE, RFC 7672); the servers must pass "
                + "DNSSEC records through.")
        public Boolean dnssec;
    }
}
