package io.sealmail.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

import java.util.List;

/**
 * The server certificate: issued by the namespace's CA ({@code issuer: ca}) or taken from a Secret the user manages
 * ({@code issuer: secret}, e.g. written by cert-manager). Durations use Go's syntax ({@code 2160h}), as cert-manager.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.issuer != 'secret' || has(self.secretName)",
        message = "tls.secretName is required when tls.issuer is secret")
@ValidationRule(value = "self.issuer != 'ca' || !has(self.secretName)",
        message = "tls.secretName is only used with tls.issuer secret")
@ValidationRule(value = "!has(self.renewBefore) || duration(self.renewBefore) < duration(self.duration)",
        message = "tls.renewBefore must be shorter than tls.duration")
@ValidationRule(value = "duration(self.duration) >= duration('1h')", message = "tls.duration must be at least 1h")
public class TlsSpec {
    /** Go duration: hours, minutes, seconds (CEL's duration() reads the same syntax). */
    public static final String DURATION_PATTERN = "^([0-9]+h)?([0-9]+m)?([0-9]+s)?$";

    public enum Issuer {
        @JsonProperty("ca") CA,
        @JsonProperty("secret") SECRET
    }

    @Default("ca")
    @JsonPropertyDescription("ca: issue from the namespace's Sealmail CA (Secret sealmail-ca). "
            + "secret: use the kubernetes.io/tls Secret named in secretName.")
    public Issuer issuer;

    @Pattern("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")
    @JsonPropertyDescription("With issuer secret: the Secret holding tls.crt and tls.key (ca.crt optional).")
    public String secretName;

    @Default("2160h")
    @Pattern(DURATION_PATTERN)
    @Size(min = 2, max = 32)
    @JsonPropertyDescription("Lifetime of issued certificates (default 90 days).")
    public String duration;

    @Pattern(DURATION_PATTERN)
    @Size(min = 2, max = 32)
    @JsonPropertyDescription("Renew this long before expiry; default: after two thirds of the lifetime.")
    public String renewBefore;

    @Default("{}")
    public PrivateKeySpec privateKey;

    @Size(max = 32)
    @JsonPropertyDescription("More DNS names for the certificate, e.g. mail.example.com or *.example.com.")
    public List<@Pattern("^(\\*\\.)?[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$")
            @Size(max = 253) String> extraDnsNames;
}
