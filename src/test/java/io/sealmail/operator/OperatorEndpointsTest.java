package io.sealmail.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.sealmail.http.HealthServer;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import static io.sealmail.operator.OperatorTestSupport.TIMEOUT;
import static io.sealmail.operator.OperatorTestSupport.condition;
import static io.sealmail.operator.OperatorTestSupport.get;
import static io.sealmail.operator.OperatorTestSupport.mailServer;
import static io.sealmail.operator.OperatorTestSupport.markPodsReady;
import static io.sealmail.operator.OperatorTestSupport.usersSecret;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The operator process's HTTP endpoints, wired the way {@code sealmail operator} wires them (the same readiness
 * check and registry), against the operator running on the mock API server.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class OperatorEndpointsTest {
    @Inject
    KubernetesClient client;
    @Inject
    Operator operator;
    @Inject
    PrometheusMeterRegistry registry;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private HttpResponse<String> fetch(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthReadinessAndMetricsOfTheRunningOperator() throws Exception {
        OperatorTestSupport.start(operator);
        try (HealthServer server = HealthServer.start("127.0.0.1", 0, new OperatorReadiness(operator), registry)) {
            int port = server.port();
            assertThat(fetch(port, HealthServer.LIVENESS_PATH).statusCode()).isEqualTo(200);
            // Started, and every informer synced against the API server.
            HttpResponse<String> ready = fetch(port, HealthServer.READINESS_PATH);
            assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
            assertThat(ready.body()).isEqualTo("ready\n");

            String ns = OperatorTestSupport.namespace("metrics");
            client.secrets().inNamespace(ns).resource(usersSecret(ns, "mail-users", Map.of("alice", "pw"))).create();
            client.resource(mailServer(ns, "mail")).create();
            markPodsReady(client, ns, "mail");
            await().atMost(TIMEOUT).until(() -> "True".equals(condition(get(client, ns, "mail"), "Ready", false)));

            HttpResponse<String> metrics = fetch(port, HealthServer.METRICS_PATH);
            assertThat(metrics.statusCode()).isEqualTo(200);
            String body = metrics.body();
            // The SDK's meters, per controller; ours; the JVM's.
            assertThat(counter(body, "reconciliations_success_total{controller_name=\"mailserver\"")).isPositive();
            assertThat(body).contains("reconciliations_execution_duration_seconds", "events_received_total");
            assertThat(counter(body, "sealmail_operator_reconciles_total")).isPositive();
            assertThat(counter(body, "sealmail_operator_status_writes_total")).isPositive();
            assertThat(body).contains("jvm_memory_used_bytes");
            assertThat(fetch(port, "/nothing").statusCode()).isEqualTo(404);
        }
    }

    /** The value of the first sample whose line starts with {@code prefix}. */
    private static double counter(String exposition, String prefix) {
        return exposition.lines().filter(l -> l.startsWith(prefix)).findFirst()
                .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .orElseThrow(() -> new AssertionError("no " + prefix + " in\n" + exposition));
    }
}
