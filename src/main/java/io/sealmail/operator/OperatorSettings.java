package io.sealmail.operator;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Operator-wide settings from application.properties or the environment ({@code SEALMAIL_OPERATOR_IMAGE}, ...). */
@ApplicationScoped
public class OperatorSettings {
    @ConfigProperty(name = "sealmail.operator.image", defaultValue = EngineContainer.DEFAULT_IMAGE)
    String image;

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

    public String image() {
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
