package io.sealmail.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

import java.util.List;

/**
 * DKIM signing of mail leaving the local domains (RFC 6376). The keys live in the Secret {@code <name>-dkim}, which
 * the operator creates and never overwrites: a key, once made for a selector, stays until the user deletes it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.keys) || self.keys.all(k, self.keys.exists_one(l, l.selector == k.selector))",
        message = "dkim.keys: selectors must not repeat")
@ValidationRule(value = "!has(self.keys) || size(self.keys) == 0 || self.keys.exists(k, k.sign)",
        message = "dkim.keys: at least one key must sign")
public class DkimSpec {
    @Default("true")
    @JsonPropertyDescription("Sign mail submitted by authenticated users whose From domain is local.")
    public Boolean enabled;

    @Size(max = 8)
    @JsonPropertyDescription("Signing keys by selector. Empty: one rsa-sha256 key whose selector is taken from the "
            + "month it was made (e.g. s202612). To rotate, add a key with sign: false, publish its record, switch "
            + "sign, and remove the old entry once verifiers no longer need it.")
    public List<DkimKeySpec> keys;
}
