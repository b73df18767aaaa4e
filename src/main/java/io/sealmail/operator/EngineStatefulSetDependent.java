package io.sealmail.operator;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.EmptyDirVolumeSourceBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.VolumeProjectionBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.sealmail.operator.api.v1alpha1.MailServer;
import io.sealmail.operator.api.v1alpha1.StorageSpec;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * StatefulSet {@code <name>}: one engine pod with its own volume for mail. Config, certificate and accounts come in
 * one read-only projected volume at /etc/sealmail (no nested mounts into read-only volumes). Only the config's
 * checksum is on the pod template: a new certificate or password reaches the running engine, which reloads the files,
 * without a restart.
 */
@KubernetesDependent(informer = @Informer(labelSelector = Names.MANAGED_BY + "=" + Names.MANAGED_BY_VALUE))
public class EngineStatefulSetDependent extends OwnedDependent<StatefulSet> {
    public static final String NAME = "statefulset";
    static final String CONFIG_VOLUME = "sealmail";
    static final String DATA_VOLUME = "data";
    static final String TMP_VOLUME = "tmp";

    @Inject
    OperatorSettings settings;

    public EngineStatefulSetDependent() {
        // What the user may leave out of the MailServer: when removed there, it must go from the pods too.
        super(StatefulSet.class, "/spec/template/spec/nodeSelector", "/spec/template/spec/tolerations",
                "/spec/template/spec/affinity", "/spec/template/spec/containers/*/resources");
    }

    @Override
    String name(MailServer ms) {
        return Names.statefulSet(ms);
    }

    /** The Secret the pods read their certificate from: ours, or the user's with {@code tls.issuer: secret}. */
    static String tlsSecretName(MailServer ms) {
        return CertificateRequest.issuedByCa(ms) ? Names.tlsSecret(ms) : ms.getSpec().tls.secretName;
    }

    @Override
    protected StatefulSet desired(MailServer ms, Context<MailServer> context) {
        var spec = ms.getSpec();
        String checksum = EngineConfigRenderer.checksum(EngineConfigRenderer.yaml(ms));
        List<ContainerPort> ports = new ArrayList<>();
        for (var p : EngineConfigRenderer.ports(ms)) {
            ports.add(new ContainerPortBuilder().withName(p.id()).withProtocol("TCP")
                    .withContainerPort(EngineContainer.containerPort(p.role())).build());
        }
        if (EngineContainer.proxyProtocol(ms)) {
            for (var p : EngineConfigRenderer.externalPorts(ms)) {
                ports.add(new ContainerPortBuilder().withName(EngineContainer.proxyPortName(p.role())).withProtocol("TCP")
                        .withContainerPort(EngineContainer.proxyContainerPort(p.role())).build());
            }
        }
        ports.add(new ContainerPortBuilder().withName(EngineContainer.HTTP_PORT_NAME).withProtocol("TCP")
                .withContainerPort(EngineContainer.HTTP_PORT).build());

        var container = new ContainerBuilder()
                .withName(EngineContainer.NAME)
                .withImage(settings.image())
                .withImagePullPolicy(settings.imagePullPolicy())
                .withCommand(EngineContainer.COMMAND)
                .withArgs(EngineContainer.ARGS)
                .withPorts(ports)
                .withNewSecurityContext()
                .withAllowPrivilegeEscalation(false)
                .withReadOnlyRootFilesystem(true)
                .withRunAsNonRoot(true)
                .withNewCapabilities().withDrop("ALL").endCapabilities()
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .endSecurityContext()
                .withLivenessProbe(new ProbeBuilder()
                        .withNewHttpGet().withPath(EngineContainer.LIVENESS_PATH)
                        .withPort(new IntOrString(EngineContainer.HTTP_PORT_NAME)).endHttpGet()
                        .withInitialDelaySeconds(10).withPeriodSeconds(10).withTimeoutSeconds(3)
                        .withFailureThreshold(6).build())
                .withReadinessProbe(new ProbeBuilder()
                        .withNewHttpGet().withPath(EngineContainer.READINESS_PATH)
                        .withPort(new IntOrString(EngineContainer.HTTP_PORT_NAME)).endHttpGet()
                        .withPeriodSeconds(5).withTimeoutSeconds(3).withFailureThreshold(3).build())
                .withVolumeMounts(
                        new VolumeMountBuilder().withName(CONFIG_VOLUME).withMountPath(EngineContainer.CONFIG_DIR)
                                .withReadOnly(true).build(),
                        new VolumeMountBuilder().withName(DATA_VOLUME).withMountPath(EngineContainer.DATA_DIR).build(),
                        new VolumeMountBuilder().withName(TMP_VOLUME).withMountPath(EngineContainer.TMP_DIR).build());
        container.withResources(spec.resources != null ? spec.resources : EngineContainer.defaultResources());

        String tlsSecret = tlsSecretName(ms);
        var config = new VolumeBuilder()
                .withName(CONFIG_VOLUME)
                .withNewProjected()
                .withDefaultMode(0440)
                .withSources(
                        new VolumeProjectionBuilder().withNewConfigMap().withName(Names.configMap(ms))
                                .withItems(item(EngineContainer.CONFIG_KEY, EngineContainer.CONFIG_KEY))
                                .endConfigMap().build(),
                        new VolumeProjectionBuilder().withNewSecret().withName(tlsSecret)
                                .withItems(item("tls.crt", "tls/tls.crt"), item("tls.key", "tls/tls.key"))
                                .endSecret().build(),
                        // cert-manager's ACME Secrets have no ca.crt; the engine does not need it.
                        new VolumeProjectionBuilder().withNewSecret().withName(tlsSecret).withOptional(true)
                                .withItems(item("ca.crt", "tls/ca.crt"))
                                .endSecret().build(),
                        new VolumeProjectionBuilder().withNewSecret().withName(Names.accountsSecret(ms))
                                .withItems(item(EngineContainer.ACCOUNTS_KEY, "accounts/" + EngineContainer.ACCOUNTS_KEY))
                                .endSecret().build())
                .endProjected()
                .build();
        // Only the keys that sign; the workflow writes <name>-dkim before this StatefulSet, so they exist.
        var signing = DkimKeys.of(ms).stream().filter(DkimKeys.Key::sign)
                .map(k -> item(k.secretKey(), "dkim/" + k.secretKey())).toList();
        if (!signing.isEmpty()) {
            config.getProjected().getSources().add(new VolumeProjectionBuilder().withNewSecret()
                    .withName(Names.dkimSecret(ms)).withItems(signing).endSecret().build());
        }
        // The relay login, straight from the user's Secret. Optional: a missing Secret or key must not keep the pod
        // from starting (inbound and local mail go on); the engine defers relayed mail until the kubelet brings the
        // files, which it does for a Secret created or fixed later, and status says RelaySecretNotFound meanwhile.
        String relaySecret = EngineConfigRenderer.relaySecret(spec);
        if (relaySecret != null) {
            config.getProjected().getSources().add(new VolumeProjectionBuilder().withNewSecret()
                    .withName(relaySecret).withOptional(true)
                    .withItems(item(EngineContainer.RELAY_USERNAME_KEY, "relay/" + EngineContainer.RELAY_USERNAME_KEY),
                            item(EngineContainer.RELAY_PASSWORD_KEY, "relay/" + EngineContainer.RELAY_PASSWORD_KEY))
                    .endSecret().build());
        }
        var tmp = new VolumeBuilder().withName(TMP_VOLUME)
                .withEmptyDir(new EmptyDirVolumeSourceBuilder().withSizeLimit(new Quantity("64Mi")).build())
                .build();

        StorageSpec storage = spec.storage == null ? new StorageSpec() : spec.storage;
        PersistentVolumeClaim data = new PersistentVolumeClaimBuilder()
                .withNewMetadata().withName(DATA_VOLUME).withLabels(Names.selector(ms)).endMetadata()
                .withNewSpec()
                .withAccessModes("ReadWriteOnce")
                .withStorageClassName(storage.storageClassName)
                .withNewResources()
                .withRequests(Map.of("storage", new Quantity(storage.size == null ? "1Gi" : storage.size)))
                .endResources()
                .endSpec()
                .build();

        StatefulSet desired = new StatefulSetBuilder()
                .withMetadata(metadata(ms, Map.of()))
                .withNewSpec()
                .withReplicas(1)
                .withServiceName(Names.headlessService(ms))
                .withNewSelector().withMatchLabels(Names.selector(ms)).endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(Names.labels(ms))
                .withAnnotations(Map.of(Names.CONFIG_CHECKSUM, checksum))
                .endMetadata()
                .withNewSpec()
                .withAutomountServiceAccountToken(false)
                .withEnableServiceLinks(false)
                .withTerminationGracePeriodSeconds(60L)
                .withNewSecurityContext()
                .withRunAsNonRoot(true)
                .withRunAsUser(EngineContainer.RUN_AS_USER)
                .withRunAsGroup(EngineContainer.RUN_AS_USER)
                .withFsGroup(EngineContainer.RUN_AS_USER)
                .withFsGroupChangePolicy("OnRootMismatch")
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .endSecurityContext()
                .withContainers(container.build())
                .withVolumes(config, tmp)
                .withNodeSelector(spec.nodeSelector)
                .withTolerations(spec.tolerations)
                .withAffinity(spec.affinity)
                .endSpec()
                .endTemplate()
                .withVolumeClaimTemplates(data)
                // Mail is kept when the MailServer goes unless the user asks otherwise (Strimzi's deleteClaim).
                .withNewPersistentVolumeClaimRetentionPolicy()
                .withWhenDeleted(StorageClaim.deleteClaim(ms) ? "Delete" : "Retain")
                .withWhenScaled("Retain")
                .endPersistentVolumeClaimRetentionPolicy()
                .endSpec()
                .build();
        return desired;
    }

    /**
     * A StatefulSet's claim templates cannot change after creation: keep what exists so a storage edit does not turn
     * into a rejected update on every reconcile (StorageClaim expands the claim itself, status says so).
     */
    @Override
    void keepFromCluster(StatefulSet current, StatefulSet desired) {
        if (current.getSpec() == null) {
            return;
        }
        // An API server before 1.27 (or with the StatefulSetAutoDeletePVC gate off) drops the field, where a newer one
        // always has it: do not ask for it again on every reconcile there.
        if (current.getSpec().getPersistentVolumeClaimRetentionPolicy() == null) {
            desired.getSpec().setPersistentVolumeClaimRetentionPolicy(null);
        }
        var templates = current.getSpec().getVolumeClaimTemplates();
        if (templates != null && !templates.isEmpty()) {
            desired.getSpec().setVolumeClaimTemplates(templates);
        }
    }

    private static KeyToPath item(String key, String path) {
        return new KeyToPath(key, null, path);
    }

    /** Ready when every replica reports ready (the engine's /readyz). */
    public static class PodsReady implements Condition<StatefulSet, MailServer> {
        @Override
        public boolean isMet(DependentResource<StatefulSet, MailServer> dependent, MailServer ms,
                             Context<MailServer> context) {
            return dependent.getSecondaryResource(ms, context)
                    .map(s -> s.getStatus() != null && s.getStatus().getReadyReplicas() != null
                            && s.getStatus().getReadyReplicas() >= (s.getSpec().getReplicas() == null ? 1
                            : s.getSpec().getReplicas()))
                    .orElse(false);
        }
    }
}
