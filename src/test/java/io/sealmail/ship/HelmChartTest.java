package io.sealmail.ship;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Lints and renders charts/sealmail-operator with Helm's own engine (helm-java) and checks the objects. */
class HelmChartTest {
    static final Path CHART = Path.of("charts", "sealmail-operator");

    static Manifests render(UnaryOperator<TemplateCommand> values) throws Exception {
        TemplateCommand t = new Helm(CHART).template().withName("mail").withNamespace("mail-system")
                .withKubeVersion("1.32.0");
        return Manifests.parse(values.apply(t).call());
    }

    @Test
    void lintsCleanInStrictMode() {
        LintResult r = new Helm(CHART).lint().strict().call();
        assertThat(r.isFailed()).as(String.join("\n", r.getMessages())).isFalse();
    }

    @Test
    void defaultsRenderTheSameRestrictedOperatorAsDeploy() throws Exception {
        Manifests m = render(t -> t);
        JsonNode d = m.one("Deployment");
        OperatorInstall.assertRestrictedPod(d);
        OperatorInstall.assertLeastPrivilege(m.one("ClusterRole"), m.one("Role"));
        assertThat(d.at("/metadata/namespace").asText()).isEqualTo("mail-system");
        assertThat(d.at("/spec/replicas").asInt()).isEqualTo(2);
        JsonNode c = OperatorInstall.operatorContainer(d);
        assertThat(c.path("image").asText()).isEqualTo("ghcr.io/sealmail/sealmail:0.1.0");
        assertThat(c.path("env").toString()).as("all namespaces by default").doesNotContain("QUARKUS_OPERATOR_SDK_NAMESPACES");
        assertThat(OperatorInstall.env(c, "QUARKUS_LOG_CATEGORY__IO_SEALMAIL__LEVEL").path("value").asText())
                .isEqualTo("INFO");
        assertThat(m.one("ClusterRoleBinding").at("/subjects/0").toString())
                .contains("\"name\":\"mail-sealmail-operator\"", "\"namespace\":\"mail-system\"");
        assertThat(m.one("RoleBinding").at("/metadata/namespace").asText()).isEqualTo("mail-system");
        assertThat(m.one("Service").at("/spec/ports/0/port").asInt()).isEqualTo(8080);
        assertThat(m.one("Service").at("/spec/ports/0/targetPort").asText()).isEqualTo(OperatorInstall.METRICS_PORT_NAME);
        assertThat(m.ofKind("ServiceMonitor")).as("no Prometheus Operator API in a plain render").isEmpty();
    }

    @Test
    void engineImageIsTheOnlyWayToPartTheEngineFromTheOperatorsImage() throws Exception {
        JsonNode c = OperatorInstall.operatorContainer(render(t -> t.set("engineImage", "registry.example.test/engine:7"))
                .one("Deployment"));
        assertThat(OperatorInstall.env(c, "SEALMAIL_OPERATOR_IMAGE").path("value").asText()).isEqualTo("registry.example.test/engine:7");
    }

    @Test
    void valuesReachTheRenderedObjects() throws Exception {
        Manifests m = render(t -> t
                .set("image.repository", "registry.example.test/sealmail")
                .set("image.tag", "1.2.3")
                .set("replicas", 3)
                .set("watchNamespaces[0]", "mail-a")
                .set("watchNamespaces[1]", "mail-b")
                .set("logLevel", "DEBUG")
                .set("resources.limits.memory", "1Gi")
                .set("nodeSelector.kubernetes\\.io/arch", "amd64")
                .set("tolerations[0].key", "dedicated")
                .set("tolerations[0].operator", "Exists")
                .set("metrics.enabled", false));
        JsonNode d = m.one("Deployment");
        JsonNode c = OperatorInstall.operatorContainer(d);
        assertThat(c.path("image").asText()).isEqualTo("registry.example.test/sealmail:1.2.3");
        assertThat(c.path("env").toString()).as("the engine image is read from the operator's Pod")
                .doesNotContain("SEALMAIL_OPERATOR_IMAGE\"");
        assertThat(d.at("/spec/replicas").asInt()).isEqualTo(3);
        assertThat(OperatorInstall.env(c, "QUARKUS_OPERATOR_SDK_NAMESPACES").path("value").asText()).isEqualTo("mail-a,mail-b");
        assertThat(OperatorInstall.env(c, "QUARKUS_LOG_CATEGORY__IO_SEALMAIL__LEVEL").path("value").asText()).isEqualTo("DEBUG");
        assertThat(c.at("/resources/limits/memory").asText()).isEqualTo("1Gi");
        assertThat(d.at("/spec/template/spec/nodeSelector/kubernetes.io~1arch").asText()).isEqualTo("amd64");
        assertThat(d.at("/spec/template/spec/tolerations/0/key").asText()).isEqualTo("dedicated");
        assertThat(m.ofKind("Service")).as("metrics disabled").isEmpty();
        OperatorInstall.assertRestrictedPod(d);
    }

    @Test
    void watchedNamespacesGetRolesAndTheClusterRoleOnlyReadsTheCrd() throws Exception {
        Manifests m = render(t -> t.set("watchNamespaces[0]", "mail-a").set("watchNamespaces[1]", "mail-b"));
        assertThat(RbacAudit.grants(m.one("ClusterRole"))).isEqualTo(OperatorInstall.CRD_GRANTS);
        for (String ns : List.of("mail-a", "mail-b")) {
            JsonNode role = m.ofKind("Role").stream().filter(r -> ns.equals(r.at("/metadata/namespace").asText()))
                    .findFirst().orElseThrow();
            assertThat(RbacAudit.grants(role)).isEqualTo(OperatorInstall.OPERATOR_GRANTS);
            JsonNode binding = m.ofKind("RoleBinding").stream().filter(b -> ns.equals(b.at("/metadata/namespace").asText()))
                    .findFirst().orElseThrow();
            assertThat(binding.at("/roleRef/name").asText()).isEqualTo(role.at("/metadata/name").asText());
            assertThat(binding.at("/subjects/0").toString())
                    .contains("\"name\":\"mail-sealmail-operator\"", "\"namespace\":\"mail-system\"");
        }
        assertThat(RbacAudit.grants(m.one("Role", "mail-sealmail-operator-leader-election")))
                .isEqualTo(OperatorInstall.LEASE_GRANTS);
    }

    @Test
    void theSchemaRejectsWrongValues() {
        assertThatThrownBy(() -> render(t -> t.set("logLevel", "LOUD"))).hasMessageContaining("logLevel");
        assertThatThrownBy(() -> render(t -> t.set("replicas", "two"))).hasMessageContaining("replicas");
        assertThatThrownBy(() -> render(t -> t.set("watchNamespaces[0]", "Not_A_Namespace")))
                .hasMessageContaining("watchNamespaces");
        assertThatThrownBy(() -> render(t -> t.set("imagee.tag", "typo"))).hasMessageContaining("imagee");
    }

    @Test
    void theCrdIsTheOneInCrdsDirectory() throws Exception {
        // The chart's crds/ entry is a symbolic link to ../../../crds: one file, nothing to drift.
        Path link = CHART.resolve("crds/mailservers.sealmail.io-v1.yml");
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(link.toRealPath()).isEqualTo(Path.of("crds/mailservers.sealmail.io-v1.yml").toRealPath());
        JsonNode committed = Manifests.YAML.readTree(Files.readString(Path.of("crds/mailservers.sealmail.io-v1.yml")));
        // What Helm installs from the chart's crds/ (helm show crds: the chart as Helm loads it).
        JsonNode installed = Manifests.parse(new Helm(CHART).show().crds().call()).one("CustomResourceDefinition");
        assertThat(Manifests.sameYaml(installed, committed)).as("helm installs crds/ unchanged").isTrue();
        try (var files = Files.list(CHART.resolve("crds"))) {
            assertThat(files.toList()).allMatch(Files::isSymbolicLink);
        }
    }

    /** helm-java cannot declare extra API versions; the helm CLI (installed by .ci/run) can. */
    @Test
    void serviceMonitorOnlyWhenThePrometheusOperatorApiExists() throws Exception {
        String helm = io.sealmail.testing.ExternalTool.require(
                System.getProperty("sealmail.helm", System.getenv().getOrDefault("HELM", "helm")));
        Process p = new ProcessBuilder(List.of(helm, "template", "mail", CHART.toString(), "--namespace", "mail-system",
                "--api-versions", "monitoring.coreos.com/v1")).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(err).isZero();
        JsonNode sm = Manifests.parse(out).one("ServiceMonitor");
        assertThat(sm.at("/spec/endpoints/0/path").asText()).isEqualTo(io.sealmail.http.HealthServer.METRICS_PATH);
        assertThat(sm.at("/spec/endpoints/0/port").asText()).isEqualTo(OperatorInstall.METRICS_PORT_NAME);
        assertThat(sm.at("/spec/selector/matchLabels/app.kubernetes.io~1name").asText()).isEqualTo("sealmail-operator");
    }
}
