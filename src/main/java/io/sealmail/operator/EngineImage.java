package io.sealmail.operator;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.util.List;
import java.util.Optional;

/**
 * The image of the engine pods: the operator's own, read from its Pod at start-up, so that whatever set the
 * operator's image (`kustomize edit set image` in the base or in an overlay, a digest, the chart's values, an
 * admission webhook that rewrites registries) sets the engine's too, and the two never drift apart (issue 16,
 * item 8). The downward API cannot expose an image, hence the read; an explicit {@code sealmail.operator.image}
 * (the chart's {@code engineImage}) wins, and outside a pod (a developer's {@code ./sealmail operator}) the
 * release's default is used.
 */
public final class EngineImage {
    /** The operator's container in deploy/deployment.yaml and the chart. */
    static final String OPERATOR_CONTAINER = "operator";

    private EngineImage() {
    }

    /**
     * @param configured {@code sealmail.operator.image}, if set
     * @param podName    the operator's Pod ({@code sealmail.operator.pod-name}, from the downward API), if in one
     * @throws IllegalStateException naming the fix, when the Pod is not there or has no operator container
     */
    public static String resolve(Optional<String> configured, Optional<String> podName, Optional<String> podNamespace,
                                 KubernetesClient client) {
        if (configured.filter(s -> !s.isBlank()).isPresent()) {
            return configured.get().strip();
        }
        if (podName.filter(s -> !s.isBlank()).isEmpty()) {
            return EngineContainer.DEFAULT_IMAGE;
        }
        String namespace = podNamespace.filter(s -> !s.isBlank()).orElseGet(client::getNamespace);
        String where = "pod " + namespace + "/" + podName.get();
        // A refusal or an unreachable API server propagates: StartupFailure names it with its fix.
        Pod pod = client.pods().inNamespace(namespace).withName(podName.get()).get();
        if (pod == null) {
            throw new IllegalStateException("the operator's own " + where + " does not exist (SEALMAIL_OPERATOR_POD_NAME"
                    + " must come from the downward API, metadata.name); or set SEALMAIL_OPERATOR_IMAGE");
        }
        List<Container> containers = pod.getSpec().getContainers();
        return containers.stream().filter(c -> OPERATOR_CONTAINER.equals(c.getName())).findFirst()
                .or(() -> containers.size() == 1 ? Optional.of(containers.get(0)) : Optional.empty())
                .map(Container::getImage)
                .orElseThrow(() -> new IllegalStateException(where + " has no container named '" + OPERATOR_CONTAINER
                        + "'; set SEALMAIL_OPERATOR_IMAGE to the engine image"));
    }
}
