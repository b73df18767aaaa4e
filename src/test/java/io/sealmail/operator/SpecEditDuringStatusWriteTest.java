package io.sealmail.operator;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.sealmail.config.EngineConfigYaml;
import io.sealmail.config.Outbound;
import io.sealmail.operator.api.v1alpha1.MailServer;
import io.sealmail.operator.api.v1alpha1.OutboundSpec;
import io.sealmail.operator.api.v1alpha1.RelaySpec;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static io.sealmail.operator.OperatorTestSupport.TIMEOUT;
import static io.sealmail.operator.OperatorTestSupport.b64;
import static io.sealmail.operator.OperatorTestSupport.condition;
import static io.sealmail.operator.OperatorTestSupport.get;
import static io.sealmail.operator.OperatorTestSupport.mailServer;
import static io.sealmail.operator.OperatorTestSupport.markPodsReady;
import static io.sealmail.operator.OperatorTestSupport.usersSecret;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A user's write that the API server stores between the operator's read of a MailServer and its status write. The
 * operator's write carries the resourceVersion it was computed from, so the server refuses it (409) rather than
 * storing it on top of the user's edit, and the edit's own watch event reconciles. Written without that version, the
 * status landed on top of the edit and JOSDK 5.3.2 dropped both watch events as the operator's own: the edit waited
 * for the next scheduled reconcile (OutboundSpecTest once timed out this way under load).
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class SpecEditDuringStatusWriteTest {
    @KubernetesTestServer
    KubernetesServer server;
    @Inject
    KubernetesClient client;
    @Inject
    Operator operator;
    @Inject
    MailServerReconciler reconciler;

    @BeforeEach
    void start() {
        OperatorTestSupport.start(operator);
    }

    /** Relay delivery, everything in place but the pods: the next status write is the one pods becoming ready cause. */
    private MailServer relayedAndWaitingForPods(String ns) {
        client.secrets().inNamespace(ns).resource(usersSecret(ns, "mail-users", Map.of("alice", "pw"))).create();
        client.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName("relay-login")
                .withNamespace(ns).endMetadata().withData(Map.of("username", b64("u"), "password", b64("p")))
                .build()).create();
        MailServer ms = mailServer(ns, "mail");
        ms.getSpec().outbound = new OutboundSpec();
        ms.getSpec().outbound.mode = OutboundSpec.Mode.RELAY;
        ms.getSpec().outbound.relay = new RelaySpec("relay.mail.svc:587", RelaySpec.Tls.STARTTLS, "relay-login");
        client.resource(ms).create();
        await().atMost(TIMEOUT).until(() -> "PodsNotReady".equals(condition(get(client, ns, "mail"), "Ready", true))
                && "RelayConfigured".equals(condition(get(client, ns, "mail"), ConditionList.OUTBOUND, true)));
        assertThat(relayProjections(ns)).hasSize(1);
        return get(client, ns, "mail");
    }

    @Test
    void aSpecEditStoredJustBeforeTheOperatorsStatusWriteIsReconciledAtOnce() {
        String ns = OperatorTestSupport.namespace("editrace");
        MailServer edited = relayedAndWaitingForPods(ns);
        long generation = edited.getMetadata().getGeneration();
        edited.getSpec().outbound.mode = OutboundSpec.Mode.DIRECT;
        edited.getSpec().outbound.relay = null;
        CompletableFuture<EditBeforeStatusWrite.Fired> fired = EditBeforeStatusWrite.installOn(server)
                .arm(edited, client.getKubernetesSerialization());

        markPodsReady(client, ns, "mail"); // Ready=True: the operator writes status, and the edit lands first
        await().atMost(TIMEOUT).until(fired::isDone);
        assertThat(fired.join().editCode()).as("the edit is stored").isEqualTo(200);
        assertThat(get(client, ns, "mail").getMetadata().getGeneration()).isEqualTo(generation + 1);

        // The edit is reconciled through its own watch event, long before any scheduled reconcile (2 minutes here).
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(relayProjections(ns)).isEmpty();
            assertThat(engineOutbound(ns).mode()).isEqualTo(Outbound.Mode.DIRECT);
            assertThat(engineOutbound(ns).relay()).isNull();
        });
        assertThat(fired.join().statusWriteCode())
                .as("the status write computed from the object before the edit is refused, not stored on top of it")
                .isEqualTo(409);
        markPodsReady(client, ns, "mail"); // the StatefulSet controller's part after the new pod template
        await().atMost(TIMEOUT).until(() -> "DirectDelivery".equals(condition(get(client, ns, "mail"),
                ConditionList.OUTBOUND, true)) && "True".equals(condition(get(client, ns, "mail"), "Ready", false)));
        assertThat(get(client, ns, "mail").getStatus().observedGeneration).isEqualTo(generation + 1);

        assertNoReconcileLoop(ns);
    }

    /**
     * Someone else's write that leaves the spec alone (a label from a tool) between the operator's read and its status
     * write: the refused status is written onto the stored version at once, not at the next scheduled reconcile.
     */
    @Test
    void aMetadataEditStoredJustBeforeTheOperatorsStatusWriteDoesNotDelayTheStatus() {
        String ns = OperatorTestSupport.namespace("labelrace");
        MailServer labelled = relayedAndWaitingForPods(ns);
        long generation = labelled.getMetadata().getGeneration();
        Map<String, String> labels = new HashMap<>(labelled.getMetadata().getLabels() == null ? Map.of()
                : labelled.getMetadata().getLabels());
        labels.put("example.com/team", "mail");
        labelled.getMetadata().setLabels(labels);
        CompletableFuture<EditBeforeStatusWrite.Fired> fired = EditBeforeStatusWrite.installOn(server)
                .arm(labelled, client.getKubernetesSerialization());

        markPodsReady(client, ns, "mail");
        await().atMost(TIMEOUT).until(fired::isDone);
        assertThat(fired.join().statusWriteCode()).isEqualTo(409);
        await().atMost(TIMEOUT).until(() -> "True".equals(condition(get(client, ns, "mail"), "Ready", false)));
        MailServer ms = get(client, ns, "mail");
        assertThat(ms.getMetadata().getLabels()).containsEntry("example.com/team", "mail");
        assertThat(ms.getMetadata().getGeneration()).isEqualTo(generation);
        assertThat(relayProjections(ns)).hasSize(1);

        assertNoReconcileLoop(ns);
    }

    /**
     * Reconciles driven one at a time by an event that changes nothing the MailServer depends on: each runs once and
     * writes nothing, so no reconcile feeds the next (the echo of a status write is never taken for a change).
     */
    private void assertNoReconcileLoop(String ns) {
        nudge(ns, 1); // whatever the last change left to observe is observed and written now
        String version = get(client, ns, "mail").getMetadata().getResourceVersion();
        long before = reconciler.reconcileCount(ns, "mail");
        nudge(ns, 3);
        assertThat(reconciler.reconcileCount(ns, "mail") - before).as("one reconcile per event").isEqualTo(3);
        assertThat(get(client, ns, "mail").getMetadata().getResourceVersion()).as("no status write").isEqualTo(version);
    }

    private void nudge(String ns, int times) {
        for (int i = 0; i < times; i++) {
            long before = reconciler.reconcileCount(ns, "mail");
            Secret users = client.secrets().inNamespace(ns).withName("mail-users").get();
            users.getMetadata().setAnnotations(Map.of("test.sealmail.io/nudge", before + "-" + i));
            client.secrets().inNamespace(ns).resource(users).update();
            await().atMost(TIMEOUT).until(() -> reconciler.reconcileCount(ns, "mail") > before);
        }
    }

    private Outbound engineOutbound(String ns) {
        ConfigMap cm = client.configMaps().inNamespace(ns).withName("mail-config").get();
        return EngineConfigYaml.read(cm.getData().get("engine.yaml")).outbound();
    }

    private List<VolumeProjection> relayProjections(String ns) {
        StatefulSet sts = client.apps().statefulSets().inNamespace(ns).withName("mail").get();
        return sts.getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(v -> v.getProjected() != null).findFirst().orElseThrow().getProjected().getSources().stream()
                .filter(p -> p.getSecret() != null && p.getSecret().getItems().stream()
                        .anyMatch(i -> i.getPath().startsWith("relay/")))
                .toList();
    }
}
