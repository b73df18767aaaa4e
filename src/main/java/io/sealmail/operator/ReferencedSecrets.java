package io.sealmail.operator;

import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.sealmail.operator.api.v1alpha1.MailServer;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The Secrets a user names in a MailServer (accounts, and the certificate with {@code tls.issuer: secret}). One
 * informer watches Secrets; an index on the MailServers maps a changed Secret to exactly the MailServers naming it,
 * so editing a password or a cert-manager renewal reconciles at once.
 */
public final class ReferencedSecrets {
    public static final String EVENT_SOURCE = "referenced-secrets";
    private static final String INDEX = "sealmail.io/referenced-secret";

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
                // The operator's own Secrets (CA, certificates, accounts files) have informers of their own: caching
                // them here too would hold each twice (at 1,000 MailServers, 2,000 Secrets).
                .withLabelSelector("!" + Names.SECRET_ROLE)
                .withSecondaryToPrimaryMapper(secret -> context.getPrimaryCache()
                        .byIndex(INDEX, key(secret.getMetadata().getNamespace(), secret.getMetadata().getName()))
                        .stream().map(ResourceID::fromResource).collect(Collectors.toSet()))
                .withItemStore(JsonItemStore.usable(context.getControllerConfiguration())
                        ? new JsonItemStore<>(Secret.class, context.getClient().getKubernetesSerialization(), true)
                        : null)
                .build();
        return new InformerEventSource<>(config, context);
    }

    /** A referenced Secret from the informer's cache. */
    @SuppressWarnings("unchecked")
    static Optional<Secret> get(Context<MailServer> context, MailServer ms, String name) {
        var source = (InformerEventSource<Secret, MailServer>) context.eventSourceRetriever()
                .getEventSourceFor(Secret.class, EVENT_SOURCE);
        return source.get(new ResourceID(name, ms.getMetadata().getNamespace()));
    }
}
