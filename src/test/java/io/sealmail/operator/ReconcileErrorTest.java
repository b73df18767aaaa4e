package io.sealmail.operator;

import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.sealmail.operator.api.v1alpha1.MailServer;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.sealmail.operator.OperatorTestSupport.TIMEOUT;
import static io.sealmail.operator.OperatorTestSupport.condition;
import static io.sealmail.operator.OperatorTestSupport.events;
import static io.sealmail.operator.OperatorTestSupport.get;
import static io.sealmail.operator.OperatorTestSupport.markPodsReady;
import static io.sealmail.operator.OperatorTestSupport.usersSecret;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A write the API server refuses shows up in status (Ready=False, Degraded=True, reason ReconcileError, the failing
 * dependent and the server's words) and as a Warning Event, and clears once the cause is gone.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class ReconcileErrorTest {
    @Inject
    KubernetesClient client;
    @Inject
    Operator operator;

    @BeforeEach
    void start() {
        OperatorTestSupport.start(operator);
    }

    @Test
    void aServiceOfTheSameNameThatTheOperatorDoesNotOwnIsReportedThenHealed() {
        String ns = OperatorTestSupport.namespace("clash");
        // Someone's own Service called "mail" was there first.
        client.services().inNamespace(ns).resource(new ServiceBuilder().withNewMetadata().withName("mail")
                .withNamespace(ns).endMetadata().withNewSpec().addNewPort().withPort(80).endPort().endSpec().build())
                .create();
        client.secrets().inNamespace(ns).resource(usersSecret(ns, "mail-users", Map.of("alice", "pw"))).create();
        client.resource(OperatorTestSupport.mailServer(ns, "mail")).create();

        await().atMost(TIMEOUT).until(() -> "ReconcileError".equals(condition(get(client, ns, "mail"), "Degraded", true)));
        MailServer ms = get(client, ns, "mail");
        assertThat(condition(ms, "Ready", false)).isEqualTo("False");
        assertThat(condition(ms, "Ready", true)).isEqualTo("ReconcileError");
        assertThat(ConditionList.find(ms.getStatus().conditions, "Degraded").orElseThrow().getMessage())
                .startsWith("service: ").contains("already exists");
        await().atMost(TIMEOUT).until(() -> !events(client, ns, "ReconcileError").isEmpty());
        assertThat(events(client, ns, "ReconcileError").get(0).getType()).isEqualTo("Warning");

        // The owner removes their Service: the operator's own takes its place and the server becomes Ready.
        client.services().inNamespace(ns).withName("mail").delete();
        markPodsReady(client, ns, "mail");
        await().atMost(TIMEOUT).until(() -> "True".equals(condition(get(client, ns, "mail"), "Ready", false)));
        assertThat(condition(get(client, ns, "mail"), "Degraded", false)).isEqualTo("False");
    }
}
