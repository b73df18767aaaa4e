package io.sealmail.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.sealmail.config.Role;

/** A mail port a MailServer can expose; the names are the engine's listener roles. */
public enum Protocol {
    @JsonProperty("smtp") SMTP(Role.SMTP),
    @JsonProperty("submission") SUBMISSION(Role.SUBMISSION),
    @JsonProperty("smtps") SMTPS(Role.SMTPS),
    @JsonProperty("pop3") POP3(Role.POP3),
    @JsonProperty("pop3s") POP3S(Role.POP3S),
    @JsonProperty("imap") IMAP(Role.IMAP),
    @JsonProperty("imaps") IMAPS(Role.IMAPS),
    @JsonProperty("lmtp") LMTP(Role.LMTP);

    private final Role role;

    Protocol(Role role) {
        this.role = role;
    }

    public Role role() {
        return role;
    }

    /** The name used in the manifest, the Service port name and the container port name. */
    public String id() {
        return role.id();
    }
}
