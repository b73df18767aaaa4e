package io.sealmail.ship;

import com.fasterxml.jackson.databind.JsonNode;
import io.sealmail.http.HealthServer;
import io.sealmail.operator.OperatorSettings;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every install path (kustomize base, Helm chart) must render for the operator: the restricted pod security
 * profile, probes on the health port, and RBAC limited to what the operator reconciles. Shared so the two paths
 * cannot drift apart.
 */
final class OperatorInstall {
    static final long UID = 10001;
    static final Set<String> READ_WRITE = Set.of("get", "list", "watch", "create", "update", "patch", "delete");

    private OperatorInstall() {
    }

    static void assertRestrictedPod(JsonNode deployment) {
        JsonNode pod = deployment.at("/spec/template/spec");
        assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
        assertThat(pod.at("/securityContext/runAsUser").asLong()).isEqualTo(UID);
        assertThat(pod.at("/securityContext/seccompProfile/type").asText()).isEqualTo("RuntimeDefault");
        assertThat(pod.path("automountServiceAccountToken").asBoolean(true)).isTrue(); // it talks to the API
        assertThat(pod.path("hostNetwork").asBoolean(false)).isFalse();
        JsonNode c = operatorContainer(deployment);
        JsonNode sc = c.path("securityContext");
        assertThat(sc.path("allowPrivilegeEscalation").isBoolean() && !sc.path("allowPrivilegeEscalation").asBoolean())
                .as("allowPrivilegeEscalation: false").isTrue();
        assertThat(sc.path("readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(sc.path("privileged").asBoolean(false)).isFalse();
        assertThat(sc.at("/capabilities/drop").toString()).isEqualTo("[\"ALL\"]");
        assertThat(sc.at("/capabilities/add").isMissingNode()).isTrue();
        // A writable /tmp because the root filesystem is read-only.
        assertThat(c.path("volumeMounts").toString()).contains("\"mountPath\":\"/tmp\"");

        assertThat(c.path("args").toString()).isEqualTo("[\"operator\"]");
        assertProbesHitWhatTheOperatorServes(c);
        assertThat(c.at("/resources/requests/cpu").isMissingNode()).isFalse();
        assertThat(c.at("/resources/limits/memory").isMissingNode()).isFalse();
        assertThat(env(c, "SEALMAIL_OPERATOR_LEASE_NAMESPACE").at("/valueFrom/fieldRef/fieldPath").asText())
                .isEqualTo("metadata.namespace");
        assertThat(env(c, "SEALMAIL_OPERATOR_IMAGE").path("value").asText()).isEqualTo(c.path("image").asText());
    }

    /**
     * The probes name the container port that {@code sealmail operator} serves its endpoints on (OperatorSettings's
     * default, unless the env moves it) and the paths HealthServer answers; kubelet would otherwise kill a healthy pod.
     */
    static void assertProbesHitWhatTheOperatorServes(JsonNode c) {
        int served = OperatorSettings.DEFAULT_HTTP_PORT;
        for (JsonNode e : c.path("env")) {
            if (e.path("name").asText().equals("SEALMAIL_OPERATOR_HTTP_PORT")) {
                served = e.path("value").asInt();
            }
        }
        assertThat(c.at("/livenessProbe/httpGet/path").asText()).isEqualTo(HealthServer.LIVENESS_PATH);
        assertThat(c.at("/readinessProbe/httpGet/path").asText()).isEqualTo(HealthServer.READINESS_PATH);
        for (String probe : List.of("livenessProbe", "readinessProbe")) {
            assertThat(containerPort(c, c.at("/" + probe + "/httpGet/port"))).as(probe).isEqualTo(served);
        }
        assertThat(containerPort(c, new com.fasterxml.jackson.databind.node.TextNode(METRICS_PORT_NAME))).isEqualTo(served);
    }

    /** The name the metrics Service and the ServiceMonitor use for the operator's HTTP port. */
    static final String METRICS_PORT_NAME = "http";

    /** A probe's port, a number or the name of one of the container's ports. */
    static int containerPort(JsonNode container, JsonNode port) {
        if (port.isInt()) {
            return port.asInt();
        }
        for (JsonNode p : container.path("ports")) {
            if (port.asText().equals(p.path("name").asText())) {
                return p.path("containerPort").asInt();
            }
        }
        throw new AssertionError("no container port named " + port);
    }

    static JsonNode operatorContainer(JsonNode deployment) {
        JsonNode containers = deployment.at("/spec/template/spec/containers");
        assertThat(containers.size()).isEqualTo(1);
        return containers.get(0);
    }

    static JsonNode env(JsonNode container, String name) {
        for (JsonNode e : container.path("env")) {
            if (name.equals(e.path("name").asText())) {
                return e;
            }
        }
        throw new AssertionError("no env " + name + " in " + container.path("env"));
    }

    /** The ClusterRole grants exactly what the operator reconciles; the namespaced Role only Leases. */
    static void assertLeastPrivilege(JsonNode clusterRole, JsonNode leaseRole) {
        for (JsonNode rule : clusterRole.path("rules")) {
            assertThat(rule.toString()).doesNotContain("\"*\"");
            assertThat(rule.has("nonResourceURLs")).isFalse();
        }
        Set<String> resources = new HashSet<>();
        clusterRole.path("rules").forEach(r -> r.path("resources").forEach(x -> resources.add(x.asText())));
        assertThat(resources).containsExactlyInAnyOrder("mailservers", "mailservers/status", "mailservers/finalizers",
                "secrets", "configmaps", "services", "statefulsets", "events", "customresourcedefinitions");

        assertThat(Manifests.verbs(clusterRole, "sealmail.io", "mailservers"))
                .containsExactlyInAnyOrder("get", "list", "watch", "update", "patch");
        assertThat(Manifests.verbs(clusterRole, "sealmail.io", "mailservers/status"))
                .containsExactlyInAnyOrder("get", "update", "patch");
        assertThat(Manifests.verbs(clusterRole, "sealmail.io", "mailservers/finalizers")).containsExactly("update");
        for (String r : List.of("secrets", "configmaps", "services")) {
            assertThat(Set.copyOf(Manifests.verbs(clusterRole, "", r))).as(r).isEqualTo(READ_WRITE);
        }
        assertThat(Set.copyOf(Manifests.verbs(clusterRole, "apps", "statefulsets"))).isEqualTo(READ_WRITE);
        assertThat(Manifests.verbs(clusterRole, "", "events")).containsExactlyInAnyOrder("create", "patch");
        assertThat(Manifests.verbs(clusterRole, "apiextensions.k8s.io", "customresourcedefinitions"))
                .containsExactlyInAnyOrder("get", "list");
        // What the StatefulSet controller does on its own is not the operator's to do.
        assertThat(Manifests.verbs(clusterRole, "", "pods")).isEmpty();
        assertThat(Manifests.verbs(clusterRole, "", "persistentvolumeclaims")).isEmpty();
        assertThat(Manifests.verbs(clusterRole, "coordination.k8s.io", "leases")).isEmpty();

        assertThat(leaseRole.path("rules").size()).isEqualTo(1);
        assertThat(Manifests.verbs(leaseRole, "coordination.k8s.io", "leases"))
                .contains("get", "create", "update").doesNotContain("delete");
    }
}
