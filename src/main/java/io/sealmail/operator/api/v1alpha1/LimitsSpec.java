package io.sealmail.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

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

    @Pattern("^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$")
    @JsonPropertyDescription("Mailbox quota per account, all its folders together, as a quantity such as 2Gi; 0: none "
            + "(the default). Past it, delivery answers 552 5.2.2 and IMAP APPEND/COPY NO [OVERQUOTA]; IMAP QUOTA "
            + "reports it (RFC 9208 STORAGE).")
    public String quotaPerAccount;

    @Min(0)
    @Max(1000000000)
    @JsonPropertyDescription("Messages per account, all its folders together; 0: none (the default). Enforced and "
            + "reported like quotaPerAccount (RFC 9208 MESSAGE).")
    public Long quotaMessagesPerAccount;
}
