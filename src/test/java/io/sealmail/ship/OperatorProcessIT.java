package io.sealmail.ship;

import io.fabric8.mockwebserver.http.RecordedRequest;
import io.sealmail.http.HealthServer;
import io.sealmail.operator.api.v1alpha1.MailServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two real {@code sealmail operator} processes (the packaged application, prod profile, deploy/'s settings) against
 * one mock API server: health and readiness endpoints, leader election through a Lease with the standby taking over,
 * a watched-namespace list, the engine image read from the operator's own Pod, and every request either process made checked against deploy/rbac.yaml.
 */
class OperatorProcessIT {
    static final Duration START = Duration.ofMinutes(3);
    private MockCluster cluster;

    @BeforeEach
    void startApiServer() throws Exception {
        cluster = new MockCluster();
    }

    @AfterEach
    void stopAll() throws Exception {
        cluster.close();
    }

    @Test
    void twoReplicasElectOneLeaderWhichReconcilesOnlyTheWatchedNamespaces() throws Exception {
        var client = cluster.client;
        Map<String, String> env = Map.of("QUARKUS_OPERATOR_SDK_NAMESPACES", "watched");
        for (String ns : List.of("watched", "unwatched")) {
            client.secrets().inNamespace(ns).resource(MockCluster.users(ns)).create();
        }
        client.resource(MockCluster.mailServer("unwatched", "mail")).create();

        OperatorProcess a = cluster.operator("operator-a", env, START);
        assertThat(a.status(HealthServer.LIVENESS_PATH)).isEqualTo(200);
        await().atMost(Duration.ofSeconds(60)).until(() -> "operator-a".equals(cluster.leaseHolder()));
        OperatorProcess b = cluster.operator("operator-b", env, START);
        assertThat(b.status(HealthServer.READINESS_PATH)).as("a standby is ready: its informers run").isEqualTo(200);

        client.resource(MockCluster.mailServer("watched", "mail")).create();
        cluster.playPodsReady("watched", "mail");
        await().atMost(Duration.ofSeconds(90)).until(() -> "True".equals(cluster.ready("watched", "mail")));
        // Counted when a reconcile ends, after its status write: the Ready seen above may come a moment before it.
        await().atMost(Duration.ofSeconds(10)).until(() -> a.metric("sealmail_operator_reconciles_total") > 0);
        // Issue 16, item 8: the engine runs the image of the operator's own container, read from its Pod.
        assertThat(client.apps().statefulSets().inNamespace("watched").withName("mail").get().getSpec().getTemplate()
                .getSpec().getContainers().get(0).getImage()).isEqualTo(MockCluster.OPERATOR_IMAGE);
        assertThat(b.metric("sealmail_operator_reconciles_total")).as("the standby reconciles nothing").isZero();
        assertThat(cluster.leaseHolder()).isEqualTo("operator-a");

        // Not in the list: never reconciled, nothing made for it.
        assertThat(client.resources(MailServer.class).inNamespace("unwatched").withName("mail").get().getStatus()).isNull();
        assertThat(client.apps().statefulSets().inNamespace("unwatched").list().getItems()).isEmpty();
        assertThat(client.configMaps().inNamespace("unwatched").list().getItems()).isEmpty();
        assertThat(client.secrets().inNamespace("unwatched").list().getItems()).extracting(s -> s.getMetadata().getName())
                .containsExactly("users");

        // The leader goes away (SIGTERM, as in a rollout): it releases the Lease, the standby takes over.
        a.stop();
        await().atMost(Duration.ofSeconds(60)).until(() -> "operator-b".equals(cluster.leaseHolder()));
        client.resource(MockCluster.mailServer("watched", "second")).create();
        cluster.playPodsReady("watched", "second");
        await().atMost(Duration.ofSeconds(90)).until(() -> "True".equals(cluster.ready("watched", "second")));
        assertThat(b.metric("sealmail_operator_reconciles_total")).isPositive();
        b.stop();

        // Every request either replica made is one deploy/rbac.yaml allows.
        List<RbacAudit.Access> accesses = new ArrayList<>();
        for (RecordedRequest r : cluster.operatorRequests()) {
            RbacAudit.Access access = RbacAudit.access(r.getMethod(), r.getPath());
            if (access != null) {
                accesses.add(access);
            }
        }
        var rbac = cluster.rbac;
        assertThat(RbacAudit.denied(accesses, rbac.one("ClusterRole"), rbac.one("Role"), MockCluster.LEASE_NAMESPACE))
                .as("requests deploy/rbac.yaml does not allow").isEmpty();
        // And the other way round: a grant no request used here is one of the few a rarer path needs.
        Set<String> unused = new TreeSet<>(RbacAudit.grants(rbac.one("ClusterRole")));
        unused.addAll(RbacAudit.grants(rbac.one("Role")));
        RbacAudit.used(accesses).forEach(unused::remove);
        assertThat(unused).as("granted, never used").allMatch(g -> g.startsWith("get ") || g.startsWith("update ")
                || g.equals("delete core/secrets") || g.equals("delete core/services")
                || g.equals("patch core/persistentvolumeclaims"));
    }
}
