package io.sealmail.ship;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Renders {@code deploy/} with kubectl's own kustomize, as {@code kubectl apply -k deploy/} would, and checks the
 * objects. kubectl is needed (skipped without it; .ci/run installs it; override the binary with -Dsealmail.kubectl=PATH).
 */
class DeployKustomizeTest {
    static Manifests rendered;

    @BeforeAll
    static void render() throws Exception {
        String kubectl = io.sealmail.testing.ExternalTool.require(
                System.getProperty("sealmail.kubectl", System.getenv().getOrDefault("KUBECTL", "kubectl")));
        Process p;
        try {
            p = new ProcessBuilder(kubectl, "kustomize", "deploy").redirectErrorStream(false).start();
        } catch (IOException e) {
            throw new AssertionError("kubectl is needed to render deploy/ (.ci/run installs it): " + e.getMessage());
        }
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(err).isZero();
        rendered = Manifests.parse(new String(out, StandardCharsets.UTF_8));
    }

    @Test
    void everyNamespacedObjectLandsInSealmailSystem() {
        assertThat(rendered.one("Namespace").at("/metadata/name").asText()).isEqualTo("sealmail-system");
        assertThat(rendered.one("Namespace").at("/metadata/labels/pod-security.kubernetes.io~1enforce").asText())
                .isEqualTo("restricted");
        for (String kind : new String[] {"ServiceAccount", "Deployment", "Service", "Role", "RoleBinding"}) {
            for (JsonNode o : rendered.ofKind(kind)) {
                assertThat(o.at("/metadata/namespace").asText()).as(kind).isEqualTo("sealmail-system");
            }
        }
        assertThat(rendered.one("ClusterRoleBinding").at("/subjects/0/namespace").asText()).isEqualTo("sealmail-system");
        assertThat(rendered.one("RoleBinding").at("/subjects/0/name").asText()).isEqualTo("sealmail-operator");
        assertThat(rendered.one("Deployment").at("/spec/template/spec/serviceAccountName").asText())
                .isEqualTo("sealmail-operator");
    }

    @Test
    void theCrdIsTheCommittedOneUnchanged() throws IOException {
        JsonNode committed = Manifests.YAML.readTree(Files.readString(Path.of("crds/mailservers.sealmail.io-v1.yml")));
        JsonNode crd = rendered.one("CustomResourceDefinition").deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) crd.path("metadata")).remove("labels");
        assertThat(Manifests.sameYaml(crd, committed)).as("deploy/ renders the CRD of crds/ unchanged").isTrue();
        // crds/ is referenced as a base, not copied: no second CRD file exists under deploy/.
        try (var files = Files.walk(Path.of("deploy"))) {
            assertThat(files.filter(f -> f.toString().contains("sealmail.io")).toList()).isEmpty();
        }
    }

    @Test
    void theOperatorPodIsRestricted() {
        JsonNode d = rendered.one("Deployment");
        OperatorInstall.assertRestrictedPod(d);
        assertThat(d.at("/spec/replicas").asInt()).as("leader election needs a standby").isGreaterThanOrEqualTo(2);
        assertThat(OperatorInstall.operatorContainer(d).path("image").asText())
                .isEqualTo("ghcr.io/sealmail/sealmail:0.1.0");
    }

    @Test
    void rbacIsLeastPrivilege() {
        OperatorInstall.assertLeastPrivilege(rendered.one("ClusterRole"), rendered.one("Role"));
        assertThat(rendered.one("ClusterRoleBinding").at("/roleRef/name").asText()).isEqualTo("sealmail-operator");
    }

    @Test
    void metricsServiceSelectsTheOperator() {
        JsonNode s = rendered.one("Service");
        assertThat(s.at("/spec/selector/app.kubernetes.io~1name").asText()).isEqualTo("sealmail-operator");
        assertThat(s.at("/spec/ports/0/port").asInt()).isEqualTo(8080);
        assertThat(s.at("/spec/ports/0/targetPort").asText()).isEqualTo(OperatorInstall.METRICS_PORT_NAME);
    }
}
