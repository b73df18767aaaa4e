package io.sealmail.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Condition;

import java.util.ArrayList;
import java.util.List;

/** What the operator observed; written only when it changes. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MailServerStatus {
    public Long observedGeneration;
    public List<Condition> conditions = new ArrayList<>();
    public CertificateStatus certificate;
    public List<Endpoint> endpoints;
}
