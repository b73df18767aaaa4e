package io.sealmail.operator;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.javaoperatorsdk.operator.Operator;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.sealmail.operator.api.v1alpha1.MailServer;
import io.sealmail.operator.api.v1alpha1.ServiceSpec;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

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
    @KubernetesTestServer
    KubernetesServer server;
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

    /**
     * A 409 Conflict on writing an owned object is no failure: someone stored a newer version after the operator's
     * informer showed it one (the API server's own defaulting, another controller, a person). The operator reads the
     * object again and writes onto the stored version, as Kubernetes' controllers do; no ReconcileError in status, no
     * Warning event. The mock server answers the operator's first write of the Service with the 409 kube-apiserver
     * sends when the resourceVersion given is no longer the stored one, so the conflict happens on every run.
     */
    @Test
    void aConflictOnWritingAnOwnedObjectIsRetriedOnTheStoredVersionWithoutReportingAFailure() throws Exception {
        String ns = OperatorTestSupport.namespace("conflict");
        client.secrets().inNamespace(ns).resource(usersSecret(ns, "mail-users", Map.of("alice", "pw"))).create();
        client.resource(OperatorTestSupport.mailServer(ns, "mail")).create();
        markPodsReady(client, ns, "mail");
        await().atMost(TIMEOUT).until(() -> "True".equals(condition(get(client, ns, "mail"), "Ready", false)));
        drainRequests();

        String path = "/api/v1/namespaces/" + ns + "/services/mail";
        AtomicInteger conflicts = new AtomicInteger();
        server.expect().put().withPath(path).andReply(409, request -> {
            conflicts.incrementAndGet();
            return new StatusBuilder().withStatus("Failure").withReason("Conflict").withCode(409)
                    .withMessage("Operation cannot be fulfilled on services \"mail\": the object has been modified; "
                            + "please apply your changes to the latest version and try again").build();
        }).once();
        MailServer edited = get(client, ns, "mail");
        edited.getSpec().service = new ServiceSpec(ServiceSpec.Type.ClusterIP);
        edited.getSpec().service.annotations = Map.of("example.com/team", "mail");
        OperatorTestSupport.updateSpec(client, edited);

        // Waits by listing, so that the requests for the Service itself are all the operator's.
        await().atMost(TIMEOUT).until(() -> client.services().inNamespace(ns).list().getItems().stream()
                .anyMatch(svc -> svc.getMetadata().getName().equals("mail")
                        && "mail".equals(annotation(svc, "example.com/team"))));
        assertThat(conflicts).as("conflicts answered").hasValue(1);
        List<String> serviceRequests = new ArrayList<>();
        for (RecordedRequest r : drainRequests()) {
            if (r.getPath().equals(path)) {
                serviceRequests.add(r.getMethod());
            }
        }
        assertThat(serviceRequests).as("the refused write, the read of the stored version, the write onto it")
                .containsExactly("PUT", "GET", "PUT");
        // The write went through in the reconcile that met the conflict: had it failed, that reconcile would have
        // recorded its Warning before the next one wrote the Service.
        assertThat(events(client, ns, "ReconcileError")).isEmpty();
        MailServer ms = get(client, ns, "mail");
        assertThat(condition(ms, "Degraded", false)).isEqualTo("False");
        assertThat(condition(ms, "Ready", false)).isEqualTo("True");
    }

    private static String annotation(Service svc, String key) {
        return svc == null || svc.getMetadata().getAnnotations() == null ? null : svc.getMetadata().getAnnotations().get(key);
    }

    private List<RecordedRequest> drainRequests() throws InterruptedException {
        return OperatorTestSupport.drainRequests(server);
    }
}
