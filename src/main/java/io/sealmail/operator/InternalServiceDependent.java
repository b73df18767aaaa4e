package io.sealmail.operator;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.sealmail.operator.api.v1alpha1.MailServer;

import java.util.Map;

/**
 * Service {@code <name>-internal} (ClusterIP), with {@code spec.service.proxyProtocol} or the {@code lmtp} port: the
 * same standard ports (and LMTP, which the main Service never carries) onto the pod's plain listeners, for in-cluster
 * clients (a webmail, a probe, an MTA delivering over LMTP) that send no PROXY header. The main
 * Service's ports then all expect one; a client cannot be both, so each kind gets its own ports (as the
 * docker-mailserver chart does) instead of the engine guessing from the peer's address.
 */
@KubernetesDependent(informer = @Informer(labelSelector = Names.SERVICE_ROLE + "=internal"))
public class InternalServiceDependent extends OwnedDependent<Service> {
    public static final String NAME = "internal";

    public InternalServiceDependent() {
        super(Service.class, "/spec/selector");
    }

    @Override
    String name(MailServer ms) {
        return Names.internalService(ms);
    }

    @Override
    protected Service desired(MailServer ms, Context<MailServer> context) {
        return new ServiceBuilder()
                .withMetadata(metadata(ms, Map.of(Names.SERVICE_ROLE, "internal")))
                .withNewSpec()
                .withType("ClusterIP")
                .withSelector(Names.selector(ms))
                .withPorts(MailServiceDependent.ports(ms, false, false))
                .endSpec()
                .build();
    }

    /** The cluster IP the API server assigned: an update carries it back. */
    @Override
    void keepFromCluster(Service actual, Service desired) {
        MailServiceDependent.keepAllocated(actual, desired);
    }

    /** True while the MailServer has in-cluster-only ports: PROXY on the main Service, or LMTP. */
    public static boolean wanted(MailServer ms) {
        return EngineContainer.proxyProtocol(ms) || EngineConfigRenderer.ports(ms).contains(io.sealmail.operator.api.v1alpha1.Protocol.LMTP);
    }

    /** Made while {@link #wanted}; deleted when neither PROXY nor LMTP is in use any more. */
    public static class Wanted implements Condition<Service, MailServer> {
        @Override
        public boolean isMet(DependentResource<Service, MailServer> dependent, MailServer ms, Context<MailServer> context) {
            return wanted(ms);
        }
    }
}
