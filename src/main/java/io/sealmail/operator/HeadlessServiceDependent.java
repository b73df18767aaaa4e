package io.sealmail.operator;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.sealmail.operator.api.v1alpha1.MailServer;

import java.util.Map;

/** Service {@code <name>-headless}: the StatefulSet's governing Service, giving each pod a stable DNS name. */
@KubernetesDependent(informer = @Informer(labelSelector = Names.SERVICE_ROLE + "=headless"))
public class HeadlessServiceDependent extends OwnedDependent<Service> {
    public static final String NAME = "headless";

    public HeadlessServiceDependent() {
        super(Service.class, "/spec/selector");
    }

    @Override
    String name(MailServer ms) {
        return Names.headlessService(ms);
    }

    @Override
    protected Service desired(MailServer ms, Context<MailServer> context) {
        return new ServiceBuilder()
                .withMetadata(metadata(ms, Map.of(Names.SERVICE_ROLE, "headless")))
                .withNewSpec()
                .withClusterIP("None")
                .withSelector(Names.selector(ms))
                .withPorts(MailServiceDependent.ports(ms, false, false))
                .endSpec()
                .build();
    }
}
