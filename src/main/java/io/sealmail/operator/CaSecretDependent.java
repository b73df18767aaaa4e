package io.sealmail.operator;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.Creator;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import io.sealmail.ca.CaSpec;
import io.sealmail.ca.CertificateAuthority;
import io.sealmail.operator.api.v1alpha1.MailServer;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The namespace's certificate authority, Secret {@code sealmail-ca}: created once when the first MailServer needs it,
 * never updated, never deleted, owned by no MailServer (deleting one keeps the CA the others' clients trust).
 * Only a Creator: the SDK never calls {@link #desired} for an existing CA, so no key is generated in vain.
 */
@KubernetesDependent(informer = @Informer(labelSelector = Names.SECRET_ROLE + "=ca"))
public class CaSecretDependent extends KubernetesDependentResource<Secret, MailServer>
        implements Creator<Secret, MailServer> {
    public static final String NAME = "ca";
    private static final Logger LOG = Logger.getLogger(CaSecretDependent.class);

    @Inject
    OperatorClock clock;

    public CaSecretDependent() {
        super(Secret.class);
    }

    @Override
    protected Secret desired(MailServer ms, Context<MailServer> context) {
        CertificateAuthority ca = CertificateAuthority.create(CaSpec.defaults(), clock.clock());
        LOG.infof("creating the certificate authority of namespace %s (%s)", ms.getMetadata().getNamespace(),
                ca.certificate().getSubjectX500Principal().getName());
        return new SecretBuilder()
                .withMetadata(new ObjectMetaBuilder()
                        .withName(Names.CA_SECRET)
                        .withNamespace(ms.getMetadata().getNamespace())
                        .withLabels(Map.of(Names.MANAGED_BY, Names.MANAGED_BY_VALUE, Names.SECRET_ROLE, "ca"))
                        .build())
                .withType("Opaque")
                .withData(Map.of(
                        Names.CA_CERT_KEY, NamespaceCa.base64(ca.certificatePem()),
                        Names.CA_KEY_KEY, NamespaceCa.base64(ca.privateKeyPem())))
                .build();
    }

    @Override
    public Secret create(Secret desired, MailServer ms, Context<MailServer> context) {
        try {
            return super.create(desired, ms, context);
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            // Another MailServer's reconcile created it first; use that one, never overwrite it.
            return context.getClient().secrets().inNamespace(ms.getMetadata().getNamespace())
                    .withName(Names.CA_SECRET).get();
        }
    }

    /** The CA Secret from this dependent's cache, found by name (it maps to MailServers made after it, too). */
    @SuppressWarnings("unchecked")
    static Optional<Secret> current(Context<MailServer> context, MailServer ms) {
        var source = (io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource<Secret, MailServer>)
                context.eventSourceRetriever().getEventSourceFor(Secret.class, NAME);
        return source.get(new ResourceID(Names.CA_SECRET, ms.getMetadata().getNamespace()));
    }

    /** No owner reference and no owner annotations: the CA belongs to the namespace. */
    @Override
    protected void addReferenceHandlingMetadata(Secret desired, MailServer primary) {
    }

    @Override
    protected ResourceID targetSecondaryResourceID(MailServer ms, Context<MailServer> context) {
        return new ResourceID(Names.CA_SECRET, ms.getMetadata().getNamespace());
    }

    @Override
    public Optional<Secret> getSecondaryResource(MailServer ms, Context<MailServer> context) {
        return eventSource().flatMap(es -> es.get(targetSecondaryResourceID(ms, context)));
    }

    /** A change to the CA concerns every MailServer of its namespace. */
    @Override
    protected Optional<SecondaryToPrimaryMapper<Secret>> getSecondaryToPrimaryMapper(EventSourceContext<MailServer> ctx) {
        return Optional.of(secret -> ctx.getPrimaryCache().list(secret.getMetadata().getNamespace())
                .map(ResourceID::fromResource)
                .collect(Collectors.toSet()));
    }

    /** Ready when the CA parses, is a CA, is unexpired and its key matches: only then is anything issued. */
    public static class Usable implements Condition<Secret, MailServer> {
        @Override
        public boolean isMet(DependentResource<Secret, MailServer> dependent, MailServer ms,
                             Context<MailServer> context) {
            return dependent.getSecondaryResource(ms, context)
                    .map(s -> NamespaceCa.load(s, OperatorClock.current()).usable())
                    .orElse(false);
        }
    }

    static Set<String> keys() {
        return Set.of(Names.CA_CERT_KEY, Names.CA_KEY_KEY);
    }
}
