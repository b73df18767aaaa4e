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
    /** The DNS records to publish (MX, SPF, DKIM, DMARC, MTA-STS, TLS-RPT, TLSA), ready for a zone file. */
    public List<DnsRecord> dns;
    /** The MTA-STS policy to serve at https://mta-sts.DOMAIN/.well-known/mta-sts.txt (RFC 8461 §3.2). */
    public String mtaStsPolicy;
}
