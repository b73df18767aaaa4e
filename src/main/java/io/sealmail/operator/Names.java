package io.sealmail.operator;

import io.sealmail.operator.api.v1alpha1.MailServer;

import java.util.LinkedHashMap;
import java.util.Map;

/** Names and labels of everything a MailServer produces (DESIGN.md: "what a reconcile produces"). */
public final class Names {
    /** The namespace's certificate authority: one per namespace, owned by no MailServer. */
    public static final String CA_SECRET = "sealmail-ca";
    public static final String CA_CERT_KEY = "ca.crt";
    public static final String CA_KEY_KEY = "ca.key";

    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String MANAGED_BY_VALUE = "sealmail-operator";
    public static final String APP_NAME = "app.kubernetes.io/name";
    public static final String APP_NAME_VALUE = "sealmail";
    public static final String INSTANCE = "app.kubernetes.io/instance";
    /** Tells the operator's informers apart: each watches only the Secrets of one role. */
    public static final String SECRET_ROLE = "sealmail.io/secret";
    /**
     * On the users' Secrets a MailServer names (accounts, certificate): the only Secrets of theirs the operator watches.
     * The operator adds it to a named Secret that lacks it; users may set it themselves, so a Secret created after
     * its MailServer is seen at once.
     */
    public static final String REFERENCED = "sealmail.io/referenced";
    /** Tells the Service informers apart: the mail Service and the StatefulSet's headless one. */
    public static final String SERVICE_ROLE = "sealmail.io/service";
    /** sha256 of engine.yaml on the pod template: config changes roll the pods, certificate and account changes do not. */
    public static final String CONFIG_CHECKSUM = "sealmail.io/config-checksum";

    /**
     * A MailServer's name: a DNS-1035 label, because it names Services ({@code <name>}, {@code <name>-headless}),
     * which must start with a letter and have no dots.
     */
    public static final String NAME_PATTERN = "^[a-z]([-a-z0-9]*[a-z0-9])?$";
    /**
     * The longest MailServer name: the StatefulSet's pods carry the label {@code controller-revision-hash=<name>-<hash>}
     * with a hash of up to 10 characters, and a label value has at most 63 (the same bound as {@code kubectl create
     * statefulset}'s 52). {@code <name>-headless} (61) then fits a Service name too.
     */
    public static final int MAX_NAME_LENGTH = 52;

    private Names() {
    }

    public static String tlsSecret(MailServer ms) {
        return ms.getMetadata().getName() + "-tls";
    }

    public static String accountsSecret(MailServer ms) {
        return ms.getMetadata().getName() + "-accounts";
    }

    public static String dkimSecret(MailServer ms) {
        return ms.getMetadata().getName() + "-dkim";
    }

    public static String configMap(MailServer ms) {
        return ms.getMetadata().getName() + "-config";
    }

    public static String statefulSet(MailServer ms) {
        return ms.getMetadata().getName();
    }

    public static String service(MailServer ms) {
        return ms.getMetadata().getName();
    }

    /** The ClusterIP Service for in-cluster clients when the main one expects PROXY headers. */
    public static String internalService(MailServer ms) {
        return ms.getMetadata().getName() + "-internal";
    }

    public static String headlessService(MailServer ms) {
        return ms.getMetadata().getName() + "-headless";
    }

    /** Selects the pods of one MailServer. */
    public static Map<String, String> selector(MailServer ms) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(APP_NAME, APP_NAME_VALUE);
        labels.put(INSTANCE, ms.getMetadata().getName());
        return labels;
    }

    public static Map<String, String> labels(MailServer ms) {
        Map<String, String> labels = selector(ms);
        labels.put(MANAGED_BY, MANAGED_BY_VALUE);
        return labels;
    }
}
