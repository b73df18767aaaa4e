package io.sealmail.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/**
 * The Secret listing mail accounts. Secret keys cannot hold '@', so a key is the address with its '@' written as
 * '_' ({@code alice_example.com}), or a bare local part for the first domain ({@code alice}). A value is a plaintext
 * password (the operator hashes it with Argon2id) or a PHC hash ({@code $argon2id$...}) kept as is.
 */
public class AccountsSpec {
    @Required
    @Pattern("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")
    @JsonPropertyDescription("Name of a Secret in the MailServer's namespace.")
    public String secretName;

    public AccountsSpec() {
    }

    public AccountsSpec(String secretName) {
        this.secretName = secretName;
    }
}
