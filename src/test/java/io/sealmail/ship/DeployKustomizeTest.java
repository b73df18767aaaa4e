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
     * Issue 16, item 8: {@code kustomize edit set image} (as docs/install.md says, here its result in
     * kustomization.yaml) moves the engine pods' image along with the operator's, for a tag and for a digest.
     */
    @Test
    void theEngineImageFollowsTheOperatorsImage(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        assertThat(env(OperatorInstall.operatorContainer(rendered.one("Deployment")), "SEALMAIL_OPERATOR_IMAGE"))
                .isEqualTo("ghcr.io/sealmail/sealmail:0.1.0");
        for (String[] image : new String[][] {{"newTag: 2.0.0", "registry.example.com/mirror/sealmail:2.0.0"},
                {"digest: sha256:" + "ab".repeat(32), "registry.example.com/mirror/sealmail@sha256:" + "ab".repeat(32)}}) {
            copy(Path.of("deploy"), dir.resolve("deploy"));
            copy(Path.of("crds"), dir.resolve("crds"));
            Path kustomization = dir.resolve("deploy/kustomization.yaml");
            Files.writeString(kustomization, Files.readString(kustomization).replace("    newTag: 0.1.0",
                    "    newName: registry.example.com/mirror/sealmail\n    " + image[0]));
            JsonNode operator = OperatorInstall.operatorContainer(render(dir.resolve("deploy")).one("Deployment"));
            assertThat(operator.path("image").asText()).isEqualTo(image[1]);
            assertThat(env(operator, "SEALMAIL_OPERATOR_IMAGE")).as("the engine's image").isEqualTo(image[1]);
        }
    }

    private static String env(JsonNode container, String name) {
        for (JsonNode e : container.path("env")) {
            if (e.path("name").asText().equals(name)) {
                return e.path("value").asText();
            }
        }
        return null;
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
