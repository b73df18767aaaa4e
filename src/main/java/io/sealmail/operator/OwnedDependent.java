package io.sealmail.operator;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.dependent.Matcher;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.GenericResourceUpdater;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResourceConfig;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.sealmail.operator.api.v1alpha1.MailServer;
import org.jboss.logging.Logger;

import java.net.HttpURLConnection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * A resource a MailServer owns (garbage-collected with it), known by a fixed name. The name alone identifies it:
 * the SDK never has to compute the desired state just to find the actual one, and a user Secret that happens to be
 * watched by another informer can never be mistaken for ours.
 */
abstract class OwnedDependent<R extends HasMetadata> extends CRUDKubernetesDependentResource<R, MailServer> {
    private static final Logger LOG = Logger.getLogger(OwnedDependent.class);

    private final OwnedFields owned;

    /** {@code wholePaths}: the maps and optional fields this dependent owns whole ({@link OwnedFields}). */
    OwnedDependent(Class<R> type, String... wholePaths) {
        super(type);
        this.owned = new OwnedFields(wholePaths);
    }

    /**
     * Matches when the cluster holds exactly what this dependent owns ({@link OwnedFields}), whichever write path the
     * SDK takes: the SDK's matcher without server-side apply ignores whatever the cluster has beyond the desired
     * object, so a removed port or annotation never counted as a change.
     */
    @Override
    public Matcher.Result<R> match(R actual, R desired, MailServer primary, Context<MailServer> context) {
        addMetadata(true, actual, desired, primary, context);
        var serialization = context.getClient().getKubernetesSerialization();
        boolean matches = owned.matches(serialization.convertValue(keptFrom(actual, desired, context), JsonNode.class),
                serialization.convertValue(actual, JsonNode.class)) && ownedBy(actual, primary);
        return Matcher.Result.computed(matches, desired);
    }

    /**
     * What an update must carry over from the object in the cluster: fields the API server allocated (a Service's
     * cluster IP and node ports) or that cannot change after creation (a StatefulSet's claim templates). It is given
     * the very object that is matched and written, never another read of the informer cache: by then the cache may
     * hold a newer version, and a desired object built from that one differs from the older one it is compared
     * with, so the dependent writes for nothing, with the older resourceVersion (a 409 Conflict on a real API
     * server as well as on the mock one).
     */
    void keepFromCluster(R actual, R desired) {
    }

    /** {@code desired} with {@link #keepFromCluster} applied, as a copy: the SDK reuses desired all through a reconcile. */
    private R keptFrom(R actual, R desired, Context<MailServer> context) {
        R copy = context.getClient().getKubernetesSerialization().clone(desired);
        keepFromCluster(actual, copy);
        return copy;
    }

    /**
     * True when the MailServer is among the object's owners. An object of ours always is, unless someone put it
     * there before the MailServer existed (a restored {@code <name>-dkim} with keys whose records are published):
     * then the update adopts it, so it maps to its MailServer and is deleted with it like one the operator made.
     */
    private static boolean ownedBy(HasMetadata object, MailServer primary) {
        return object.getMetadata().getOwnerReferences() != null && object.getMetadata().getOwnerReferences().stream()
                .anyMatch(r -> primary.getMetadata().getUid().equals(r.getUid()));
    }

    /**
     * The SDK's update (everything but metadata replaced by the desired object, labels and annotations merged), and
     * then the annotations the user removed from the MailServer are removed here too: the merge alone keeps them.
     * <p>
     * A 409 Conflict means someone stored a newer version since the informer showed this one (the API server
     * adding what it defaults, another controller, a person): that is not a failure, as in Kubernetes' own
     * controllers (client-go's RetryOnConflict). The object is read again from the API server and matched again;
     * if it already holds what this dependent owns nothing is written, otherwise the update goes once more onto the
     * stored version. A second conflict in a row surfaces as an error, and the SDK retries the reconcile.
     */
    @Override
    public R update(R actual, R desired, MailServer primary, Context<MailServer> context) {
        addMetadata(false, actual, desired, primary, context);
        try {
            return write(actual, desired, primary, context);
        } catch (KubernetesClientException e) {
            if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                throw e;
            }
            R stored = context.getClient().resource(actual).get();
            if (stored == null) {
                throw e;
            }
            LOG.infof("%s/%s: %s changed meanwhile (409 Conflict), matching its stored version %s again",
                    primary.getMetadata().getNamespace(), primary.getMetadata().getName(),
                    actual.getMetadata().getName(), stored.getMetadata().getResourceVersion());
            if (match(stored, desired, primary, context).matched()) {
                return stored;
            }
            return write(stored, desired, primary, context);
        }
    }

    private R write(R actual, R desired, MailServer primary, Context<MailServer> context) {
        R updated = GenericResourceUpdater.updateResource(actual, keptFrom(actual, desired, context), context);
        if (!ownedBy(updated, primary)) {
            addReferenceHandlingMetadata(updated, primary);
        }
        Map<String, String> annotations = updated.getMetadata().getAnnotations();
        Map<String, String> wanted = desired.getMetadata().getAnnotations();
        managedAnnotations(actual).stream().filter(k -> !wanted.containsKey(k)).forEach(annotations::remove);
        if (!wanted.containsKey(OwnedFields.MANAGED_ANNOTATIONS)) {
            annotations.remove(OwnedFields.MANAGED_ANNOTATIONS);
        }
        return context.resourceOperations().update(updated, eventSource().orElse(null));
    }

    private static List<String> managedAnnotations(HasMetadata object) {
        String keys = object.getMetadata().getAnnotations().get(OwnedFields.MANAGED_ANNOTATIONS);
        return keys == null || keys.isEmpty() ? List.of() : List.of(keys.split(","));
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

    /**
     * Metadata with annotations the user gave in the MailServer, and {@value OwnedFields#MANAGED_ANNOTATIONS} listing
     * their keys (always present, empty when there are none, so removing the last one is a change as well).
     */
    ObjectMeta metadata(MailServer ms, Map<String, String> extraLabels, Map<String, String> userAnnotations) {
        ObjectMeta meta = metadata(ms, extraLabels);
        Map<String, String> annotations = new TreeMap<>(userAnnotations == null ? Map.of() : userAnnotations);
        annotations.remove(OwnedFields.MANAGED_ANNOTATIONS);
        String keys = String.join(",", annotations.keySet());
        annotations.put(OwnedFields.MANAGED_ANNOTATIONS, keys);
        meta.setAnnotations(new LinkedHashMap<>(annotations));
        return meta;
    }
}
