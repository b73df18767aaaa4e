package io.sealmail.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Toleration;

import java.util.List;
import java.util.Map;

/**
 * What the user asks for. Every default lives in the CRD schema ({@code @Default}), so the API server fills it in
 * and tools like Argo CD see no drift; the operator never writes to spec.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MailServerSpec {
    /** RFC 1123 host name in lower case with at least two labels; the schema and the operator use the same rule. */
    public static final String HOSTNAME_PATTERN =
            "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)+$";

    @Required
    @Size(min = 1, max = 64)
    @ValidationRule(value = "self.all(d, self.exists_one(e, e == d))", message = "domains must not repeat")
    @JsonPropertyDescription("Local mail domains; mail for other domains is never accepted on port 25 (no open relay).")
    public List<@Pattern(HOSTNAME_PATTERN) @Size(max = 253) String> domains;

    @Required
    @Pattern(HOSTNAME_PATTERN)
    @Size(max = 253)
    @JsonPropertyDescription("Fully qualified host name: the SMTP banner, the HELO name and the certificate's first name.")
    public String hostname;

    @Default("[\"smtp\",\"submission\",\"smtps\",\"pop3s\",\"imaps\"]")
    @Size(max = 8)
    @ValidationRule(value = "size(self) >= 1", message = "at least one port is required")
    @ValidationRule(value = "self.all(p, self.exists_one(q, q == p))", message = "ports must not repeat")
    @JsonPropertyDescription("Ports to open. The defaults favour encrypted ports plus 25 for inbound mail; "
            + "pop3 (110) and imap (143) are opt-in; lmtp (24, RFC 2033) is for an MTA in the cluster and only ever "
            + "on Service <name>-internal, never on a NodePort or LoadBalancer.")
    public List<Protocol> ports;

    @Default("{}")
    @JsonPropertyDescription("How the mail ports are exposed.")
    public ServiceSpec service;

    @Default("{}")
    @JsonPropertyDescription("Where the server's certificate comes from.")
    public TlsSpec tls;

    @JsonPropertyDescription("The Secret holding the mail accounts. Without it the server only receives mail and "
            + "nobody can log in.")
    public AccountsSpec accounts;

    @Size(max = 1000)
    @JsonPropertyDescription("Alias address to account address, e.g. postmaster@example.com: alice@example.com.")
    public Map<String, @Size(max = 254) String> aliases;

    @Default("{}")
    @JsonPropertyDescription("DKIM signing of mail that local users send; keys in the Secret <name>-dkim.")
    public DkimSpec dkim;

    @Default("{}")
    @JsonPropertyDescription("SPF, DKIM and DMARC checks of mail received on port 25.")
    public InboundSpec inbound;

    @Default("{}")
    @JsonPropertyDescription("How mail for other domains leaves: MX look-ups (direct, the default) or a relay.")
    public OutboundSpec outbound;

    @Default("{}")
    @JsonPropertyDescription("What the records listed in status.dns say (DMARC policy, MTA-STS mode, reports, DANE).")
    public DnsSpec dns;

    @Default("{}")
    public StorageSpec storage;

    @Default("{}")
    public LimitsSpec limits;

    @JsonPropertyDescription("CPU and memory for the engine container.")
    public ResourceRequirements resources;

    public Map<String, String> nodeSelector;

    public List<Toleration> tolerations;

    public Affinity affinity;
}
