package io.sealmail.operator;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.sealmail.operator.api.v1alpha1.MailServer;

import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The Secrets a user names in a MailServer (accounts, the certificate with {@code tls.issuer: secret}, the relay
 * login). One
 * informer watches the Secrets labelled {@value Names#REFERENCED}{@code =true}; an index on the MailServers maps a
 * changed Secret to exactly the MailServers naming it, so editing a password or a cert-manager renewal reconciles at
 * once.
 * <p>
 * Only labelled Secrets: watching every Secret would cache all of them (Helm keeps each release in a Secret, and a
 * cluster has thousands) in a heap of 128 MiB. A named Secret without the label is read once by name and labelled, so
 * the informer sees it from then on; a Secret created after the MailServer that names it is found by the next
 * reconcile (at most {@code NOT_READY_RECHECK} later), at once when it is created with the label.
 */
public final class ReferencedSecrets {
    public static final String EVENT_SOURCE = "referenced-secrets";
    private static final String INDEX = "sealmail.io/referenced-secret";
    private static final Logger LOG = Logger.getLogger(ReferencedSecrets.class);

    private ReferencedSecrets() {
    }

    static List<String> names(MailServer ms) {
        List<String> names = new ArrayList<>();
        if (ms.getSpec() == null) {
            return names;
        }
        if (ms.getSpec().accounts != null && ms.getSpec().accounts.secretName != null) {
            names.add(ms.getSpec().accounts.secretName);
        }
        if (!CertificateRequest.issuedByCa(ms) && ms.getSpec().tls.secretName != null) {
            names.add(ms.getSpec().tls.secretName);
        }
        String relay = EngineConfigRenderer.relaySecret(ms.getSpec());
        if (relay != null) {
            names.add(relay);
        }
        return names;
    }

    private static String key(String namespace, String name) {
        return namespace + "/" + name;
    }

    static InformerEventSource<Secret, MailServer> eventSource(EventSourceContext<MailServer> context) {
        context.getPrimaryCache().addIndexer(INDEX, ms -> names(ms).stream()
                .map(n -> key(ms.getMetadata().getNamespace(), n)).toList());
        var config = InformerEventSourceConfiguration.from(Secret.class, MailServer.class)
                .withName(EVENT_SOURCE)
                .withLabelSelector(Names.REFERENCED + "=true")
                .withSecondaryToPrimaryMapper(secret -> context.getPrimaryCache()
                        .byIndex(INDEX, key(secret.getMetadata().getNamespace(), secret.getMetadata().getName()))
                        .stream().map(ResourceID::fromResource).collect(Collectors.toSet()))
                .withItemStore(JsonItemStore.usable(context.getControllerConfiguration())
                        ? new JsonItemStore<>(Secret.class, context.getClient().getKubernetesSerialization(), true)
                        : null)
                .build();
        return new InformerEventSource<>(config, context);
    }

    /**
     * A referenced Secret: from the informer's cache, or read by name and labelled {@value Names#REFERENCED} so the
     * informer watches it from now on. The operator's own Secrets (they have informers of their own) are never the
     * user's input.
     */
    @SuppressWarnings("unchecked")
    static Optional<Secret> get(Context<MailServer> context, MailServer ms, String name) {
        var source = (InformerEventSource<Secret, MailServer>) context.eventSourceRetriever()
                .getEventSourceFor(Secret.class, EVENT_SOURCE);
        String ns = ms.getMetadata().getNamespace();
        Optional<Secret> cached = source.get(new ResourceID(name, ns));
        if (cached.isPresent()) {
            return cached;
        }
        Secret secret = context.getClient().secrets().inNamespace(ns).withName(name).get();
        if (secret == null || secret.getMetadata().getLabels().containsKey(Names.SECRET_ROLE)) {
            return Optional.empty();
        }
        if (!"true".equals(secret.getMetadata().getLabels().get(Names.REFERENCED))) {
            Secret labelled = new SecretBuilder(secret).editMetadata().addToLabels(Names.REFERENCED, "true").endMetadata()
                    .build();
            try {
                // An update with the resourceVersion read: a Secret changed meanwhile is left for the next reconcile.
                context.getClient().secrets().inNamespace(ns).resource(labelled).update();
                LOG.infof("%s/%s: labelled Secret %s %s=true, so changes to it are seen at once", ns,
                        ms.getMetadata().getName(), name, Names.REFERENCED);
            } catch (KubernetesClientException e) {
                LOG.warnf("%s/%s: cannot label Secret %s %s=true (%s); changes to it are seen at the next periodic"
                        + " check only", ns, ms.getMetadata().getName(), name, Names.REFERENCED, e.getMessage());
            }
        }
        return Optional.of(secret);
    }
}
