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
    /** The operator's JVM options in deploy/ and the chart; the process tests and benchmark run with the same. */
    static final String DEPLOY_JAVA_TOOL_OPTIONS = "-XX:+UseSerialGC -XX:MaxRAMPercentage=25 -XX:MinHeapFreeRatio=10 "
            + "-XX:MaxHeapFreeRatio=20 -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1";

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
        // The engine runs the operator's image, read from its own Pod (EngineImage): no copy of it to drift.
        assertThat(env(c, "SEALMAIL_OPERATOR_POD_NAME").at("/valueFrom/fieldRef/fieldPath").asText()).isEqualTo("metadata.name");
        assertThat(env(c, "SEALMAIL_OPERATOR_POD_NAMESPACE").at("/valueFrom/fieldRef/fieldPath").asText())
                .isEqualTo("metadata.namespace");
        assertThat(env(c, "JAVA_TOOL_OPTIONS").path("value").asText()).isEqualTo(DEPLOY_JAVA_TOOL_OPTIONS);
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

    /**
     * What the operator's requests need in the namespaces it watches (OperatorProcessIT checks the requests of two
     * running operators against deploy/rbac.yaml): reads of everything it watches, creates and updates of what it
     * owns, status patches, Events, and two deletes (a MailServer's own TLS Secret, when it switches to a brought one;
     * its {@code <name>-internal} Service, when it stops using the PROXY protocol).
     */
    static final Set<String> OPERATOR_GRANTS = Set.of(
            "get sealmail.io/mailservers", "list sealmail.io/mailservers", "watch sealmail.io/mailservers",
            "patch sealmail.io/mailservers/status", "update sealmail.io/mailservers/finalizers",
            "get core/secrets", "list core/secrets", "watch core/secrets", "create core/secrets", "update core/secrets",
            "delete core/secrets",
            "get core/configmaps", "list core/configmaps", "watch core/configmaps", "create core/configmaps",
            "update core/configmaps",
            "get core/services", "list core/services", "watch core/services", "create core/services", "update core/services",
            "delete core/services",
            "get apps/statefulsets", "list apps/statefulsets", "watch apps/statefulsets", "create apps/statefulsets",
            "update apps/statefulsets",
            "create core/events", "get core/pods", "get core/persistentvolumeclaims", "patch core/persistentvolumeclaims");
    /** Cluster-scoped: the start-up check that the CRD is installed. */
    static final Set<String> CRD_GRANTS = Set.of("get apiextensions.k8s.io/customresourcedefinitions",
            "get storage.k8s.io/storageclasses");
    /** The SDK's permission check asks for get, create and update; the client renews with patch. */
    static final Set<String> LEASE_GRANTS = Set.of("get coordination.k8s.io/leases", "create coordination.k8s.io/leases",
            "update coordination.k8s.io/leases", "patch coordination.k8s.io/leases");

    /** The ClusterRole grants exactly what the operator's requests need, the lease Role only Leases. */
    static void assertLeastPrivilege(JsonNode clusterRole, JsonNode leaseRole) {
        for (JsonNode rule : clusterRole.path("rules")) {
            assertThat(rule.toString()).doesNotContain("\"*\"");
            assertThat(rule.has("nonResourceURLs")).isFalse();
        }
        Set<String> expected = new HashSet<>(OPERATOR_GRANTS);
        expected.addAll(CRD_GRANTS);
        assertThat(RbacAudit.grants(clusterRole)).isEqualTo(expected);
        assertThat(RbacAudit.grants(leaseRole)).isEqualTo(LEASE_GRANTS);
        // What the StatefulSet controller does on its own is not the operator's to do: pods are only read.
        assertThat(Manifests.verbs(clusterRole, "", "pods")).containsExactly("get");
        assertThat(Manifests.verbs(clusterRole, "", "persistentvolumeclaims")).containsExactly("get", "patch");
    }
}
