package io.sealmail.operator;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Issue 16, item 8: the engine image is the operator container's, read from the operator's own Pod. */
class EngineImageTest {
    private static final String NS = "sealmail-system";
    private static final String POD = "sealmail-operator-5f7b9c-abcde";
    private static final String PATH = "/api/v1/namespaces/" + NS + "/pods/" + POD;
    private KubernetesMockServer server;
    private KubernetesClient client;

    @BeforeEach
    void start() {
        server = new KubernetesMockServer(false);
        server.init();
        client = server.createClient();
    }

    @AfterEach
    void stop() {
        client.close();
        server.destroy();
    }

    private static Pod pod(String... namesAndImages) {
        PodBuilder b = new PodBuilder().withNewMetadata().withName(POD).withNamespace(NS).endMetadata().withNewSpec().endSpec();
        for (int i = 0; i < namesAndImages.length; i += 2) {
            b.editSpec().addNewContainer().withName(namesAndImages[i]).withImage(namesAndImages[i + 1]).endContainer().endSpec();
        }
        return b.build();
    }

    private String resolve(Optional<String> configured) {
        return EngineImage.resolve(configured, Optional.of(POD), Optional.of(NS), client);
    }

    @Test
    void theOperatorContainersImageNotASidecars() {
        server.expect().get().withPath(PATH).andReturn(200, pod("linkerd-proxy", "cr.l5d.io/proxy:2.14",
                "operator", "registry.example.com/sealmail@sha256:" + "cd".repeat(32))).once();
        assertThat(resolve(Optional.empty())).isEqualTo("registry.example.com/sealmail@sha256:" + "cd".repeat(32));
    }

    @Test
    void aPodOfOneContainerUnderAnotherName() {
        server.expect().get().withPath(PATH).andReturn(200, pod("main", "registry.example.com/sealmail:1.0")).once();
        assertThat(resolve(Optional.empty())).isEqualTo("registry.example.com/sealmail:1.0");
    }

    @Test
    void anExplicitImageWinsWithoutReadingThePod() {
        assertThat(resolve(Optional.of(" registry.example.com/engine:9 "))).isEqualTo("registry.example.com/engine:9");
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void outsideAPodTheReleaseDefault() {
        assertThat(EngineImage.resolve(Optional.empty(), Optional.empty(), Optional.empty(), client))
                .isEqualTo(EngineContainer.DEFAULT_IMAGE);
        assertThat(EngineImage.resolve(Optional.of(""), Optional.of(" "), Optional.empty(), client))
                .isEqualTo(EngineContainer.DEFAULT_IMAGE);
    }

    @Test
    void aMissingPodOrAnAmbiguousOneStopsTheStartWithTheFix() {
        assertThatThrownBy(() -> resolve(Optional.empty())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("pod " + NS + "/" + POD + " does not exist").hasMessageContaining("SEALMAIL_OPERATOR_IMAGE");
        server.expect().get().withPath(PATH).andReturn(200, pod("a", "x:1", "b", "y:1")).once();
        assertThatThrownBy(() -> resolve(Optional.empty())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no container named 'operator'");
    }

    @Test
    void aRefusalNamesTheMissingPermission() {
        server.expect().get().withPath(PATH).andReturn(403, new io.fabric8.kubernetes.api.model.StatusBuilder()
                .withCode(403).withReason("Forbidden").withMessage("pods \"" + POD + "\" is forbidden: User"
                        + " \"system:serviceaccount:sealmail-system:sealmail-operator\" cannot get resource \"pods\"")
                .build()).once();
        KubernetesClientException refused = org.junit.jupiter.api.Assertions.assertThrows(KubernetesClientException.class,
                () -> resolve(Optional.empty()));
        assertThat(StartupFailure.describe(refused, "https://10.0.0.1:443"))
                .contains("cannot get resource \"pods\"").contains("deploy/rbac.yaml");
    }
}
