package io.sealmail.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Optional;

/** Operator-wide settings from application.properties or the environment ({@code SEALMAIL_OPERATOR_POD_NAME}, ...). */
@ApplicationScoped
public class OperatorSettings {
    /** Set only to run engine pods on another image than the operator's own (the chart's {@code engineImage}). */
    @ConfigProperty(name = "sealmail.operator.image")
    Optional<String> configuredImage;

    /** The operator's Pod, from the downward API: its image is the engine's ({@link EngineImage}). */
    @ConfigProperty(name = "sealmail.operator.pod-name")
    Optional<String> podName;

    @ConfigProperty(name = "sealmail.operator.pod-namespace")
    Optional<String> podNamespace;

    /** The engine image, once {@link #resolveImage} ran; the release default before (tests without a Pod). */
    volatile String image = EngineContainer.DEFAULT_IMAGE;

    @ConfigProperty(name = "sealmail.operator.image-pull-policy", defaultValue = "IfNotPresent")
    String imagePullPolicy;

    @ConfigProperty(name = "sealmail.operator.cluster-domain", defaultValue = "cluster.local")
    String clusterDomain;

    @ConfigProperty(name = "sealmail.operator.http-address", defaultValue = "0.0.0.0")
    String httpAddress;

    @ConfigProperty(name = "sealmail.operator.http-port", defaultValue = "" + DEFAULT_HTTP_PORT)
    int httpPort;

    /** Where {@code /healthz}, {@code /readyz} and {@code /metrics} are served; deploy/ and the chart probe it. */
    public static final int DEFAULT_HTTP_PORT = 8080;

    public String httpAddress() {
        return httpAddress;
    }

    public int httpPort() {
        return httpPort;
    }

    /** The image of the engine pods. */
    public String image() {
        return image;
    }

    /** Learns the engine image before the operator starts; throws {@link IllegalStateException} naming the fix. */
    public String resolveImage(KubernetesClient client) {
        image = EngineImage.resolve(configuredImage, podName, podNamespace, client);
        return image;
    }

    public String imagePullPolicy() {
        return imagePullPolicy;
    }

    /** The cluster's DNS suffix, for the certificate's {@code <name>.<ns>.svc.<domain>} name. */
    public String clusterDomain() {
        return clusterDomain;
    }
}
