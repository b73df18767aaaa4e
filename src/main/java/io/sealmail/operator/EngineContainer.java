package io.sealmail.operator;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.sealmail.config.Role;

import java.util.List;
import java.util.Map;

/**
 * The engine container's contract with the pod spec: command, mount paths, ports. One place, so the StatefulSet,
 * the engine config the operator writes, and the end-to-end tests that run the pod spec agree.
 */
public final class EngineContainer {
    public static final String DEFAULT_IMAGE = "ghcr.io/sealmail/sealmail:0.1.0";
    public static final String NAME = "engine";
    public static final List<String> COMMAND = List.of("sealmail");

    /** Everything under /etc/sealmail comes from one projected volume, read-only (see {@link EngineStatefulSetDependent}). */
    public static final String CONFIG_DIR = "/etc/sealmail";
    public static final String CONFIG_KEY = "engine.yaml";
    public static final String CONFIG_FILE = CONFIG_DIR + "/" + CONFIG_KEY;
    public static final String TLS_DIR = CONFIG_DIR + "/tls";
    public static final String TLS_CERT_FILE = TLS_DIR + "/tls.crt";
    public static final String TLS_KEY_FILE = TLS_DIR + "/tls.key";
    public static final String TLS_CA_FILE = TLS_DIR + "/ca.crt";
    public static final String ACCOUNTS_DIR = CONFIG_DIR + "/accounts";
    /** Key of the accounts Secret, and the file name under {@link #ACCOUNTS_DIR}. */
    public static final String ACCOUNTS_KEY = "accounts";
    public static final String ACCOUNTS_FILE = ACCOUNTS_DIR + "/" + ACCOUNTS_KEY;
    /** DKIM signing keys from the {@code <name>-dkim} Secret, one file per key ({@code <selector>.<algorithm>.pem}). */
    public static final String DKIM_DIR = CONFIG_DIR + "/dkim";
    /**
     * The relay login: the user's Secret named in {@code outbound.relay.credentialsSecretName}, keys
     * {@value #RELAY_USERNAME_KEY} and {@value #RELAY_PASSWORD_KEY} as files here (what the engine's
     * {@code credentialsFile} reads as a directory).
     */
    public static final String RELAY_DIR = CONFIG_DIR + "/relay";
    public static final String RELAY_USERNAME_KEY = "username";
    public static final String RELAY_PASSWORD_KEY = "password";
    /** Mailboxes and the queue: the pod's PersistentVolumeClaim. */
    public static final String DATA_DIR = "/var/lib/sealmail";
    /** A writable /tmp: the root filesystem is read-only and the JVM and Netty's native TLS need scratch space. */
    public static final String TMP_DIR = "/tmp";

    public static final List<String> ARGS = List.of("engine", "--config", CONFIG_FILE);

    /** Health ({@code /healthz}, {@code /readyz}) and {@code /metrics}. */
    public static final int HTTP_PORT = 8080;
    public static final String HTTP_PORT_NAME = "http";
    public static final String LIVENESS_PATH = "/healthz";
    public static final String READINESS_PATH = "/readyz";
    public static final String METRICS_PATH = "/metrics";

    /** A fixed unprivileged user, so the PVC's group ownership (fsGroup) is stable across image versions. */
    public static final long RUN_AS_USER = 10001;

    private EngineContainer() {
    }

    /**
     * Without {@code spec.resources}: requests and limits for both CPU and memory, so the pod schedules in a
     * namespace whose ResourceQuota demands them, and a memory limit over the engine's bounded buffers (64 MiB of
     * spooled mail, TLS and the JVM).
     */
    public static ResourceRequirements defaultResources() {
        return new ResourceRequirementsBuilder()
                .withRequests(Map.of("cpu", new Quantity("100m"), "memory", new Quantity("256Mi")))
                .withLimits(Map.of("cpu", new Quantity("1"), "memory", new Quantity("512Mi")))
                .build();
    }

    /**
     * The unprivileged port the engine binds for a role inside the pod (no NET_BIND_SERVICE needed); the Service maps
     * the standard port onto it.
     */
    /** The port of a role's listener that requires a PROXY header (spec.service.proxyProtocol). */
    public static int proxyContainerPort(Role role) {
        return 10000 + containerPort(role);
    }

    /** The container port name of that listener: {@code px-smtp}, ... (at most 15 characters). */
    public static String proxyPortName(Role role) {
        return "px-" + role.id();
    }

    /** True when the MailServer's Service sits behind a load balancer that speaks the PROXY protocol. */
    public static boolean proxyProtocol(io.sealmail.operator.api.v1alpha1.MailServer ms) {
        var service = ms.getSpec().service;
        return service != null && Boolean.TRUE.equals(service.proxyProtocol);
    }

    public static int containerPort(Role role) {
        return switch (role) {
            case SMTP -> 2525;
            case SUBMISSION -> 5587;
            case SMTPS -> 4465;
            case POP3 -> 1110;
            case POP3S -> 1995;
            case IMAP -> 1143;
            case IMAPS -> 1993;
            case LMTP -> 2424;
        };
    }
}
