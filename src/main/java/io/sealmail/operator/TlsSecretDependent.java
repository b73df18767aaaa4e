package io.sealmail.operator;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.sealmail.ca.CertificateAuthority;
import io.sealmail.ca.IssuedCertificate;
import io.sealmail.ca.LeafSpec;
import io.sealmail.ca.RenewalDecision;
import io.sealmail.ca.RenewalPolicy;
import io.sealmail.operator.api.v1alpha1.MailServer;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

/**
 * {@code <name>-tls}: the engine's certificate from the namespace CA. {@link #desired} first asks the renewal policy
 * about the certificate that exists; while it is valid, covers the names and comes from this CA, the desired Secret
 * is the existing one and nothing is written. Only a reissue creates a key.
 */
@KubernetesDependent(informer = @Informer(labelSelector = Names.SECRET_ROLE + "=tls"))
public class TlsSecretDependent extends OwnedDependent<Secret> {
    public static final String NAME = "tls";
    private static final Logger LOG = Logger.getLogger(TlsSecretDependent.class);

    @Inject
    OperatorClock clock;
    @Inject
    OperatorSettings settings;

    public TlsSecretDependent() {
        super(Secret.class, "/data");
    }

    @Override
    String name(MailServer ms) {
        return Names.tlsSecret(ms);
    }

    @Override
    protected Secret desired(MailServer ms, Context<MailServer> context) {
        // One "now" for the whole decision: the renewal check and the issued certificate's dates must agree even if
        // the clock moves meanwhile (a test's shifted clock did, and a cert "renewed" with the old dates came out).
        Clock now = clock.clock();
        Secret caSecret = CaSecretDependent.current(context, ms).orElse(null);
        NamespaceCa ca = NamespaceCa.load(caSecret, now);
        if (!ca.usable()) {
            // The workflow does not get here (the CA dependent is not ready); say why if it ever does.
            throw new IllegalStateException(ca.problem());
        }
        CertificateAuthority authority = ca.authority();
        LeafSpec wanted = CertificateRequest.leafSpec(ms, settings.clusterDomain());
        Secret current = actual(ms).orElse(null);
        RenewalDecision decision = policy(ms, now).decide(bytes(current, "tls.crt"), wanted, authority.certificate());
        boolean complete = current != null && current.getData() != null
                && current.getData().containsKey("tls.key")
                && authority.certificatePem().equals(NamespaceCa.text(current.getData(), "ca.crt"));
        if (!decision.reissue() && complete) {
            return secret(ms, current.getData());
        }
        java.security.KeyPair kept = keptKey(ms, current, wanted);
        IssuedCertificate issued = kept != null ? authority.issue(wanted, kept) : authority.issue(wanted);
        LOG.infof("issuing %s/%s (%s): %s valid until %s", ms.getMetadata().getNamespace(), name(ms),
                decision.reason(), String.join(", ", wanted.dnsNames()), issued.leaf().getNotAfter().toInstant());
        return secret(ms, Map.of(
                "tls.crt", NamespaceCa.base64(issued.tlsCrtPem()),
                "tls.key", NamespaceCa.base64(issued.tlsKeyPem()),
                "ca.crt", NamespaceCa.base64(issued.caCrtPem())));
    }

    /**
     * With {@code dns.dane: true} a renewal keeps the served key, so the published TLSA 3 1 1 record stays valid
     * (RFC 7672 §8.1 would otherwise need the next key published first). Null: make a new key (no key yet, another
     * key type asked for, an unreadable or mismatched key, or DANE off).
     */
    static java.security.KeyPair keptKey(MailServer ms, Secret current, LeafSpec wanted) {
        if (ms.getSpec().dns == null || !Boolean.TRUE.equals(ms.getSpec().dns.dane) || current == null) {
            return null;
        }
        try {
            java.security.PrivateKey key = io.sealmail.ca.Pem.readPrivateKey(NamespaceCa.text(current.getData(), "tls.key"));
            java.security.PublicKey pub = io.sealmail.ca.Pem.readCertificates(NamespaceCa.text(current.getData(), "tls.crt"))
                    .get(0).getPublicKey();
            if (!CertificateAuthority.keyMatches(key, pub) || io.sealmail.ca.KeyAlgorithm.of(pub) != wanted.key()) {
                return null;
            }
            return new java.security.KeyPair(pub, key);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private Secret secret(MailServer ms, Map<String, String> data) {
        return new SecretBuilder()
                .withMetadata(metadata(ms, Map.of(Names.SECRET_ROLE, "tls")))
                .withType("kubernetes.io/tls")
                .withData(Map.copyOf(data))
                .build();
    }

    static RenewalPolicy policy(MailServer ms, Clock now) {
        Duration renewBefore = CertificateRequest.renewBefore(ms);
        return renewBefore == null ? new RenewalPolicy(now) : new RenewalPolicy(now, renewBefore);
    }

    private static byte[] bytes(Secret s, String key) {
        String text = s == null ? null : NamespaceCa.text(s.getData(), key);
        return text == null ? null : text.getBytes(StandardCharsets.US_ASCII);
    }

    /** The CA issues only with {@code tls.issuer: ca}; with {@code secret} the user's Secret is mounted instead. */
    public static class IssuerIsCa implements Condition<Secret, MailServer> {
        @Override
        public boolean isMet(DependentResource<Secret, MailServer> dependent, MailServer ms,
                             Context<MailServer> context) {
            return CertificateRequest.issuedByCa(ms);
        }
    }

    static String base64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }
}
