package io.sealmail.operator;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.jboss.logging.Logger;

import java.util.Optional;
import java.util.Set;

/**
 * Why the engine pod is not ready, read from the pod itself while the StatefulSet is not available (never in a steady
 * state: a ready server costs no request). One {@code get} of {@code <name>-0}, the only pod, which is why the
 * operator may read pods.
 * <p>
 * The case that needs a person: with {@code podManagementPolicy: OrderedReady} the StatefulSet controller does not
 * replace a pod of a broken revision that never became ready, even after the spec is fixed (kubernetes/kubernetes
 * issue 67250). Status says so (Degraded, {@code RolloutStuck}) and names the way out: delete the pod.
 */
final class EnginePods {
    private static final Logger LOG = Logger.getLogger(EnginePods.class);
    static final String REVISION_LABEL = "controller-revision-hash";
    /** Container states that do not clear by waiting. */
    private static final Set<String> FAILING = Set.of("CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull",
            "CreateContainerConfigError", "CreateContainerError", "InvalidImageName", "RunContainerError");

    private EnginePods() {
    }

    /** A failing pod of this StatefulSet as a condition reason and message, or empty. */
    static Optional<MailServerReconciler.Observation> problem(KubernetesClient client, StatefulSet sts) {
        String name = sts.getMetadata().getName() + "-0";
        Pod pod;
        try {
            pod = client.pods().inNamespace(sts.getMetadata().getNamespace()).withName(name).get();
        } catch (KubernetesClientException e) {
            LOG.debugf("cannot read pod %s: %s", name, e.getMessage());
            return Optional.empty();
        }
        if (pod == null || pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
            return Optional.empty();
        }
        for (ContainerStatus c : pod.getStatus().getContainerStatuses()) {
            String reason = c.getState() != null && c.getState().getWaiting() != null ? c.getState().getWaiting().getReason()
                    : null;
            if (Boolean.TRUE.equals(c.getReady()) || reason == null || !FAILING.contains(reason)) {
                continue;
            }
            String message = c.getState().getWaiting().getMessage();
            String what = "pod " + name + " is not ready: " + reason + (message == null ? "" : " (" + message + ")")
                    + (c.getRestartCount() == null || c.getRestartCount() == 0 ? "" : ", " + c.getRestartCount() + " restarts");
            String podRevision = pod.getMetadata().getLabels().get(REVISION_LABEL);
            String updateRevision = sts.getStatus() == null ? null : sts.getStatus().getUpdateRevision();
            if (podRevision != null && updateRevision != null && !podRevision.equals(updateRevision)) {
                return Optional.of(MailServerReconciler.Observation.failed("RolloutStuck", what + "; it runs revision "
                        + podRevision + ", not the current " + updateRevision + ", and the StatefulSet controller does"
                        + " not replace a pod that never became ready: delete it (kubectl -n "
                        + sts.getMetadata().getNamespace() + " delete pod " + name + ")"));
            }
            return Optional.of(MailServerReconciler.Observation.failed("PodFailing", what));
        }
        return Optional.empty();
    }
}
