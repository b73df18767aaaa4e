package io.sealmail.operator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.javaoperatorsdk.operator.api.config.ControllerConfiguration;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * An informer's cache that keeps each object as its JSON text (one byte array) and parses it again when read. A
 * parsed Kubernetes object is mostly overhead: every nested object carries its own map, every label and port name is
 * its own String, so a StatefulSet of about 4 KB of JSON takes several times that on the heap. At 1,000 MailServers
 * the six objects each owns are most of the operator's heap (docs/operator.md, "Figures"); a read costs a parse,
 * and a reconcile reads a few objects.
 * <p>
 * Before storing, it drops what the operator never reads and the API server keeps by itself: {@code
 * metadata.managedFields} (a record of every writer's fields, often larger than the spec) and, with {@code
 * dropLastApplied}, the {@code kubectl.kubernetes.io/last-applied-configuration} annotation (a second copy of a
 * user's applied manifest, Secret data included). An update made from a cached object leaves managedFields as they
 * are (the server keeps them when a request has none); it would remove that annotation, so only the caches of
 * objects the operator never writes (users' Secrets) drop it.
 * <p>
 * One store serves one informer: the SDK gives the same store to every informer of an event source, one per watched
 * namespace, and an informer that re-lists its namespace removes every stored object it did not list. {@link
 * #usable} says whether the controller watches one namespace or all of them.
 */
final class JsonItemStore<R extends HasMetadata> implements ItemStore<R> {
    static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

    private final ConcurrentHashMap<String, byte[]> items = new ConcurrentHashMap<>();
    private final Class<R> type;
    private final KubernetesSerialization serialization;
    private final boolean dropLastApplied;

    JsonItemStore(Class<R> type, KubernetesSerialization serialization, boolean dropLastApplied) {
        this.type = type;
        this.serialization = serialization;
        this.dropLastApplied = dropLastApplied;
    }

    /** True when the SDK makes one informer per event source: all namespaces watched, or exactly one. */
    static boolean usable(ControllerConfiguration<?> controller) {
        Set<String> namespaces = controller.getEffectiveNamespaces();
        return namespaces.size() == 1;
    }

    @Override
    public String getKey(R obj) {
        return Cache.metaNamespaceKeyFunc(obj);
    }

    @Override
    public R put(String key, R obj) {
        return parse(items.put(key, json(obj)));
    }

    @Override
    public R remove(String key) {
        return parse(items.remove(key));
    }

    @Override
    public Stream<String> keySet() {
        return items.keySet().stream();
    }

    @Override
    public Stream<R> values() {
        return items.values().stream().map(this::parse);
    }

    @Override
    public int size() {
        return items.size();
    }

    @Override
    public R get(String key) {
        return parse(items.get(key));
    }

    /** Nothing the operator reads is dropped: the informer may treat this as the objects' full state. */
    @Override
    public boolean isFullState() {
        return true;
    }

    private byte[] json(R obj) {
        ObjectNode tree = serialization.convertValue(obj, ObjectNode.class);
        if (tree.get("metadata") instanceof ObjectNode metadata) {
            metadata.remove("managedFields");
            if (dropLastApplied && metadata.get("annotations") instanceof ObjectNode annotations) {
                annotations.remove(LAST_APPLIED);
                if (annotations.isEmpty()) {
                    metadata.remove("annotations");
                }
            }
        }
        return serialization.asJson(tree).getBytes(StandardCharsets.UTF_8);
    }

    private R parse(byte[] json) {
        return json == null ? null : serialization.unmarshal(new ByteArrayInputStream(json), type);
    }
}
