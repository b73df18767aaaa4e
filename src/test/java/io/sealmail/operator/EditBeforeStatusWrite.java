package io.sealmail.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.DefaultMockServer;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.sealmail.operator.api.v1alpha1.MailServer;

import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Stores a user's edit of a MailServer at the worst moment for the operator: after it read the object and sent its
 * status write, before the API server applies that write. In a cluster this happens whenever `kubectl edit` lands
 * during a reconcile; here it happens on every run, whatever the machine's load. Every other request passes through
 * to the mock server's own dispatcher untouched.
 *
 * <p>The Fabric8 mock server has no public hook between receiving a request and applying it, so this replaces its
 * dispatcher through reflection (the fields are found by type, not name) and delegates to it.
 */
final class EditBeforeStatusWrite extends Dispatcher {
    private static final Map<KubernetesMockServer, EditBeforeStatusWrite> INSTALLED = new IdentityHashMap<>();

    /** An armed edit: the full object as the user stores it, on the next status write of that MailServer. */
    private record Edit(String statusPath, String resourcePath, String json, CompletableFuture<Fired> fired) {
    }

    /** What happened when the edit fired: the server's answer to the edit, then to the operator's status write. */
    record Fired(int editCode, String statusWriteMethod, int statusWriteCode) {
    }

    private final Dispatcher delegate;
    private final AtomicReference<Edit> armed = new AtomicReference<>();

    private EditBeforeStatusWrite(Dispatcher delegate) {
        this.delegate = delegate;
    }

    /** The one instance on this mock server (the operator tests share one server, so install only once). */
    static synchronized EditBeforeStatusWrite installOn(KubernetesServer server) {
        KubernetesMockServer mock = server.getKubernetesMockServer();
        return INSTALLED.computeIfAbsent(mock, m -> {
            EditBeforeStatusWrite hook = new EditBeforeStatusWrite(fieldOfType(KubernetesMockServer.class, Dispatcher.class, m));
            fieldOfType(DefaultMockServer.class, MockWebServer.class, m).setDispatcher(hook);
            return hook;
        });
    }

    /**
     * Stores {@code edited} (as {@code kubectl replace} would, without a resourceVersion, so it always applies) just
     * before the server applies the operator's next status write of that MailServer; completed with the answers.
     */
    CompletableFuture<Fired> arm(MailServer edited, KubernetesSerialization serialization) {
        MailServer copy = serialization.clone(edited);
        copy.getMetadata().setResourceVersion(null);
        String json = serialization.asJson(copy);
        String base = "/apis/" + HasMetadata.getApiVersion(MailServer.class) + "/namespaces/"
                + edited.getMetadata().getNamespace() + "/" + HasMetadata.getPlural(MailServer.class) + "/"
                + edited.getMetadata().getName();
        Edit edit = new Edit(base + "/status", base, json, new CompletableFuture<>());
        if (!armed.compareAndSet(null, edit)) {
            throw new IllegalStateException("an edit is armed already");
        }
        return edit.fired();
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        Edit edit = armed.get();
        String path = request.getPath() == null ? "" : request.getPath().replaceFirst("\\?.*", "");
        boolean write = "PATCH".equals(request.getMethod()) || "PUT".equals(request.getMethod());
        if (edit == null || !write || !path.equals(edit.statusPath()) || !armed.compareAndSet(edit, null)) {
            return delegate.dispatch(request);
        }
        MockResponse stored = delegate.dispatch(new RecordedRequest("HTTP/1.1", HttpMethod.PUT, edit.resourcePath(),
                Headers.builder().add("Content-Type", "application/json").build(),
                new Buffer(edit.json().getBytes(StandardCharsets.UTF_8))));
        MockResponse answer = delegate.dispatch(request);
        edit.fired().complete(new Fired(stored.code(), request.getMethod(), answer.code()));
        return answer;
    }

    @Override
    public void shutdown() {
        delegate.shutdown();
    }

    @SuppressWarnings("unchecked")
    private static <T> T fieldOfType(Class<?> owner, Class<T> type, Object target) {
        for (Field f : owner.getDeclaredFields()) {
            if (type.isAssignableFrom(f.getType())) {
                try {
                    f.setAccessible(true);
                    return (T) f.get(target);
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        throw new IllegalStateException(owner.getName() + " has no field of type " + type.getName());
    }
}
