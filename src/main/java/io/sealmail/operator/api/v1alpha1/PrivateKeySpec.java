package io.sealmail.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.ValidationRule;

/** Key of issued certificates, in cert-manager's terms. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.algorithm != 'ECDSA' || !has(self.size) || self.size == 256",
        message = "ECDSA keys are P-256: size must be 256")
@ValidationRule(value = "self.algorithm != 'RSA' || !has(self.size) || self.size in [2048, 3072, 4096]",
        message = "RSA size must be 2048, 3072 or 4096")
public class PrivateKeySpec {
    public enum Algorithm { ECDSA, RSA }

    @Default("ECDSA")
    public Algorithm algorithm;

    /** 256 for ECDSA; 2048 (default), 3072 or 4096 for RSA. */
    public Integer size;
}
