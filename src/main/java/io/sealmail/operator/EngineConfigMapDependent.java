package io.sealmail.operator;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.sealmail.operator.api.v1alpha1.MailServer;

import java.util.Map;

/** {@code <name>-config}: engine.yaml, written from the same {@code io.sealmail.config} types the engine reads. */
@KubernetesDependent(informer = @Informer(labelSelector = Names.MANAGED_BY + "=" + Names.MANAGED_BY_VALUE))
public class EngineConfigMapDependent extends OwnedDependent<ConfigMap> {
    public static final String NAME = "config";

    public EngineConfigMapDependent() {
        super(ConfigMap.class, "/data");
    }

    @Override
    String name(MailServer ms) {
        return Names.configMap(ms);
    }

    @Override
    protected ConfigMap desired(MailServer ms, Context<MailServer> context) {
        return new ConfigMapBuilder()
                .withMetadata(metadata(ms, Map.of()))
                .withData(Map.of(EngineContainer.CONFIG_KEY, EngineConfigRenderer.yaml(ms)))
                .build();
    }
}
