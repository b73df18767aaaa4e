package io.sealmail.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/** The certificate the pods serve, as cert-manager reports it. Times are RFC 3339. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CertificateStatus {
    /** The Secret holding it ({@code <name>-tls}, or the user's Secret with issuer secret). */
    public String secretName;
    public List<String> dnsNames;
    public String notBefore;
    public String notAfter;
    /** Hex serial number. */
    public String serial;
    /** When the operator will issue the next one; absent with issuer secret. */
    public String renewalTime;
    /** Subject of the issuer, so a user can tell the namespace CA from an external one. */
    public String issuer;
}
