package io.sealmail.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResourceConfig;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.sealmail.operator.api.v1alpha1.MailServer;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A resource a MailServer owns (garbage-collected with it), known by a fixed name. The name alone identifies it:
 * the SDK never has to compute the desired state just to find the actual one, and a user Secret that happens to be
 * watched by another informer can never be mistaken for ours.
 */
abstract class OwnedDependent<R extends HasMetadata> extends CRUDKubernetesDependentResource<R, MailServer> {

    OwnedDependent(Class<R> type) {
        super(type);
    }

    /**
     * The SDK's event source, with one difference: the informer caches these objects as JSON ({@link JsonItemStore};
     * at 1,000 MailServers they would be most of the heap). The item store is set after the annotation's informer
     * settings are applied, which would reset it.
     */
    @Override
    protected InformerEventSource<R, MailServer> createEventSource(EventSourceContext<MailServer> context) {
        var builder = informerConfigurationBuilder(context)
                .withSecondaryToPrimaryMapper(getSecondaryToPrimaryMapper(context).orElseThrow())
                .withName(name());
        configuration().map(KubernetesDependentResourceConfig::informerConfig).ifPresent(builder::updateFrom);
        if (JsonItemStore.usable(context.getControllerConfiguration())) {
            builder.withItemStore(new JsonItemStore<>(resourceType(), context.getClient().getKubernetesSerialization(), false));
        }
        var source = new InformerEventSource<>(builder.build(), context);
        setEventSource(source);
        return source;
    }

    abstract String name(MailServer ms);

    @Override
    protected ResourceID targetSecondaryResourceID(MailServer ms, Context<MailServer> context) {
        return new ResourceID(name(ms), ms.getMetadata().getNamespace());
    }

    @Override
    protected Optional<R> selectTargetSecondaryResource(Set<R> secondaries, MailServer ms, Context<MailServer> c) {
        return actual(ms);
    }

    @Override
    public Optional<R> getSecondaryResource(MailServer ms, Context<MailServer> context) {
        return actual(ms);
    }

    /** Marks the MailServer as the controller, so {@code kubectl describe} shows "Controlled By". */
    @Override
    protected void addReferenceHandlingMetadata(R desired, MailServer primary) {
        super.addReferenceHandlingMetadata(desired, primary);
        desired.getMetadata().getOwnerReferences().stream()
                .filter(r -> primary.getMetadata().getUid().equals(r.getUid()))
                .forEach(r -> {
                    r.setController(true);
                    r.setBlockOwnerDeletion(true);
                });
    }

    /** The current object from this dependent's own informer cache. */
    Optional<R> actual(MailServer ms) {
        return eventSource().flatMap(es -> es.get(new ResourceID(name(ms), ms.getMetadata().getNamespace())));
    }

    ObjectMeta metadata(MailServer ms, Map<String, String> extraLabels) {
        Map<String, String> labels = Names.labels(ms);
        labels.putAll(extraLabels);
        return new ObjectMetaBuilder()
                .withName(name(ms))
                .withNamespace(ms.getMetadata().getNamespace())
                .withLabels(labels)
                .build();
    }
}
