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
        rendered = render(Path.of("deploy"));
    }

    static Manifests render(Path kustomization) throws Exception {
        String kubectl = io.sealmail.testing.ExternalTool.require(
                System.getProperty("sealmail.kubectl", System.getenv().getOrDefault("KUBECTL", "kubectl")));
        Process p;
        try {
            p = new ProcessBuilder(kubectl, "kustomize", kustomization.toString()).redirectErrorStream(false).start();
        } catch (IOException e) {
            throw new AssertionError("kubectl is needed to render deploy/ (.ci/run installs it): " + e.getMessage());
        }
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(err).isZero();
        return Manifests.parse(new String(out, StandardCharsets.UTF_8));
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

    /**
     * Issue 16, item 8: {@code kustomize edit set image} moves the engine pods' image along with the operator's, in
     * deploy/ and in an overlay of one's own (where an {@code images:} entry runs after the base's transformers, so
     * a copy of the image into the environment would keep the old one), for a tag and for a digest. The operator
     * learns the engine image from its own Pod: here a Pod made from the rendered template, read back as the
     * operator does.
     */
    @Test
    void theEngineImageFollowsTheOperatorsImageInAnOverlay(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        copy(Path.of("deploy"), dir.resolve("deploy"));
        copy(Path.of("crds"), dir.resolve("crds"));
        Path overlay = Files.createDirectories(dir.resolve("overlay"));
        for (String[] image : new String[][] {{"newTag: 2.0.0", "registry.example.com/mirror/sealmail:2.0.0"},
                {"digest: sha256:" + "ab".repeat(32), "registry.example.com/mirror/sealmail@sha256:" + "ab".repeat(32)}}) {
            Files.writeString(overlay.resolve("kustomization.yaml"), """
                    apiVersion: kustomize.config.k8s.io/v1beta1
                    kind: Kustomization
                    resources:
                      - ../deploy
                    images:
                      - name: ghcr.io/sealmail/sealmail
                        newName: registry.example.com/mirror/sealmail
                        %s
                    """.formatted(image[0]));
            JsonNode deployment = render(overlay).one("Deployment");
            JsonNode operator = OperatorInstall.operatorContainer(deployment);
            assertThat(operator.path("image").asText()).isEqualTo(image[1]);
            assertThat(operator.path("env").toString()).as("no copy of the image that could drift")
                    .doesNotContain("SEALMAIL_OPERATOR_IMAGE");
            assertThat(engineImageOfAPodFrom(deployment)).as("the engine's image").isEqualTo(image[1]);
        }
    }

    /** Runs the rendered pod template "as a Pod" on a mock API server and resolves the engine image as the operator does. */
    private static String engineImageOfAPodFrom(JsonNode deployment) throws Exception {
        var server = new io.fabric8.kubernetes.client.server.mock.KubernetesMockServer(false);
        server.init();
        try (var client = server.createClient()) {
            io.fabric8.kubernetes.api.model.Pod pod = io.fabric8.kubernetes.client.utils.Serialization.unmarshal(
                    Manifests.YAML.writeValueAsString(deployment.at("/spec/template")), io.fabric8.kubernetes.api.model.Pod.class);
            pod.getMetadata().setName("sealmail-operator-7d9f8c6b5-x2x4q");
            pod.getMetadata().setNamespace("sealmail-system");
            server.expect().get().withPath("/api/v1/namespaces/sealmail-system/pods/sealmail-operator-7d9f8c6b5-x2x4q")
                    .andReturn(200, pod).once();
            JsonNode env = OperatorInstall.operatorContainer(deployment).path("env");
            assertThat(env.toString()).contains("\"fieldPath\":\"metadata.name\"");
            return io.sealmail.operator.EngineImage.resolve(java.util.Optional.empty(),
                    java.util.Optional.of(pod.getMetadata().getName()), java.util.Optional.of("sealmail-system"), client);
        } finally {
            server.destroy();
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        try (var files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
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
