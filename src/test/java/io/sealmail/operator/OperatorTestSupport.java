package io.sealmail.operator;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.sealmail.operator.api.v1alpha1.AccountsSpec;
import io.sealmail.operator.api.v1alpha1.MailServer;
import io.sealmail.operator.api.v1alpha1.MailServerSpec;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;

/** Shared steps of the operator tests: start the operator once, make objects, play the StatefulSet controller. */
final class OperatorTestSupport {
    static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final AtomicBoolean STARTED = new AtomicBoolean();
    private static final AtomicInteger NAMESPACES = new AtomicInteger();

    private OperatorTestSupport() {
    }

    /** With picocli on the classpath the operator does not start by itself (BUILD.md pitfall 4). */
    static void start(Operator operator) {
        if (STARTED.compareAndSet(false, true)) {
            operator.start();
        }
    }

    static boolean started() {
        return STARTED.get();
    }

    /** Each test works in its own namespace, so namespaces' CAs and informer events never mix. */
    static String namespace(String prefix) {
        return prefix + "-" + NAMESPACES.incrementAndGet();
    }

    static MailServer mailServer(String ns, String name) {
        MailServerSpec spec = new MailServerSpec();
        spec.domains = List.of("example.com");
        spec.hostname = "mail.example.com";
        spec.accounts = new AccountsSpec(name + "-users");
        return new MailServer(ns, name, spec);
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    static String text(Secret s, String key) {
        return new String(Base64.getDecoder().decode(s.getData().get(key)), StandardCharsets.UTF_8);
    }

    static Secret usersSecret(String ns, String name, Map<String, String> plain) {
        Map<String, String> data = new LinkedHashMap<>();
        plain.forEach((k, v) -> data.put(k, b64(v)));
        return new SecretBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata()
                .withData(data).build();
    }

    /** What the StatefulSet controller and kubelet would report once the engine pod answers /readyz. */
    static void markPodsReady(KubernetesClient client, String ns, String name) {
        await().atMost(TIMEOUT).until(() -> client.apps().statefulSets().inNamespace(ns).withName(name).get() != null);
        StatefulSet sts = client.apps().statefulSets().inNamespace(ns).withName(name).get();
        sts.setStatus(new io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder()
                .withReplicas(1).withReadyReplicas(1).withAvailableReplicas(1).withUpdatedReplicas(1)
                .withCurrentRevision(name + "-1").withUpdateRevision(name + "-1")
                .withObservedGeneration(sts.getMetadata().getGeneration())
                .build());
        client.apps().statefulSets().inNamespace(ns).resource(sts).updateStatus();
    }

    static MailServer get(KubernetesClient client, String ns, String name) {
        return client.resources(MailServer.class).inNamespace(ns).withName(name).get();
    }

    /**
     * Writes {@code edited}'s spec as {@code kubectl edit} does: with the resourceVersion it was read at, so a status
     * write of the operator in between answers 409 Conflict; then the spec goes onto the object read again and the
     * write is retried (the operator writes only status, so nothing of the user's is lost).
     */
    static MailServer updateSpec(KubernetesClient client, MailServer edited) {
        MailServer attempt = edited;
        for (int tries = 1; ; tries++) {
            try {
                return client.resource(attempt).update();
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                if (e.getCode() != 409 || tries == 20) {
                    throw e;
                }
                attempt = get(client, edited.getMetadata().getNamespace(), edited.getMetadata().getName());
                attempt.setSpec(edited.getSpec());
            }
        }
    }

    static String condition(MailServer ms, String type, boolean reason) {
        if (ms == null || ms.getStatus() == null) {
            return null;
        }
        return ConditionList.find(ms.getStatus().conditions, type)
                .map(c -> reason ? c.getReason() : c.getStatus()).orElse(null);
    }

    static List<Event> events(KubernetesClient client, String ns, String reason) {
        return client.v1().events().inNamespace(ns).list().getItems().stream()
                .filter(e -> reason.equals(e.getReason())).toList();
    }

    /** Every request the mock API server recorded since the last drain (it keeps them until taken). */
    static java.util.List<io.fabric8.mockwebserver.http.RecordedRequest> drainRequests(
            io.quarkus.test.kubernetes.client.KubernetesServer server) throws InterruptedException {
        java.util.List<io.fabric8.mockwebserver.http.RecordedRequest> all = new java.util.ArrayList<>();
        io.fabric8.mockwebserver.http.RecordedRequest r;
        while ((r = server.getKubernetesMockServer().takeRequest(100, java.util.concurrent.TimeUnit.MILLISECONDS)) != null) {
            all.add(r);
        }
        return all;
    }
}
