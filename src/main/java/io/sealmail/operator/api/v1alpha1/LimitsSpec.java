package io.sealmail.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** The bounds a mail admin usually tunes; the engine's other bounds keep their defaults. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class LimitsSpec {
    @Min(1024)
    @Max(1073741824)
    @JsonPropertyDescription("Largest message in octets, advertised as SIZE (RFC 1870). Default 26214400 (25 MiB).")
    public Long maxMessageSize;

    @Min(1)
    @Max(10000)
    @JsonPropertyDescription("Recipients per message (RFC 5321 asks for at least 100). Default 100.")
    public Integer maxRecipients;

    @Min(1)
    @Max(100000)
    @JsonPropertyDescription("Open connections across all ports. Default 1000.")
    public Integer maxConnections;

    @Min(1)
    @Max(100000)
    @JsonPropertyDescription("Open connections from one client address. Default 20.")
    public Integer maxConnectionsPerAddress;
}
