package io.sealmail.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/**
 * The smarthost all outbound mail goes through. TLS always, its certificate verified before any credential is sent;
 * the login comes from a Secret mounted into the pod (never in engine.yaml, never in the environment).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RelaySpec {
    /** A host name (or IPv4 address) or a bracketed IPv6 address, then an optional port 1-65535. */
    static final String HOST = "^([A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([-A-Za-z0-9]{0,61}"
            + "[A-Za-z0-9])?)*|\\[[0-9a-fA-F:.]+\\])"
            + "(:([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?$";

    public enum Tls {
        @JsonProperty("starttls") STARTTLS,
        @JsonProperty("implicit") IMPLICIT
    }

    @Required
    @Pattern(HOST)
    @Size(max = 261)
    @JsonPropertyDescription("name:port, e.g. smtp.provider.example:587; without a port 587 (starttls) or 465 "
            + "(implicit). Cluster Service names such as relay.mail.svc work.")
    public String host;

    @Default("starttls")
    @JsonPropertyDescription("starttls: STARTTLS required (never plaintext). implicit: TLS from the first byte "
            + "(RFC 8314).")
    public Tls tls;

    @Pattern("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")
    @JsonPropertyDescription("A Secret with keys username and password (type kubernetes.io/basic-auth fits), "
            + "mounted into the pod; the engine reads it at each connection, so a changed password needs no restart. "
            + "Without it no AUTH is sent.")
    public String credentialsSecretName;

    public RelaySpec() {
    }

    public RelaySpec(String host, Tls tls, String credentialsSecretName) {
        this.host = host;
        this.tls = tls;
        this.credentialsSecretName = credentialsSecretName;
    }
}
