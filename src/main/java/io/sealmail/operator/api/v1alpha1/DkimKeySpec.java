package io.sealmail.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** One DKIM key: its selector, its algorithm, and whether it signs or is only published. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DkimKeySpec {
    public enum Algorithm {
        @JsonProperty("rsa-sha256") RSA_SHA256,
        @JsonProperty("ed25519-sha256") ED25519_SHA256;

        /** The {@code a=} tag name, as {@link io.sealmail.ca.DkimKey.Algorithm#id()}. */
        public String id() {
            return this == RSA_SHA256 ? "rsa-sha256" : "ed25519-sha256";
        }
    }

    @Required
    @Pattern("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
    @JsonPropertyDescription("The DNS label under _domainkey, e.g. s202612.")
    public String selector;

    @Default("rsa-sha256")
    @JsonPropertyDescription("rsa-sha256 (2048-bit key) or ed25519-sha256 (RFC 8463). Sign with one of each for "
            + "dual signing.")
    public Algorithm algorithm;

    @Default("true")
    @JsonPropertyDescription("false: publish the key's record but do not sign with it yet (or any more).")
    public Boolean sign;
}
