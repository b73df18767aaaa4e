package io.sealmail.operator;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.sealmail.operator.api.v1alpha1.MailServer;
import io.sealmail.operator.api.v1alpha1.ServiceSpec;

import java.util.List;
import java.util.Map;

/**
 * Service {@code <name>}: exactly the chosen ports, each named by its protocol, standard port onto the pod's port;
 * with {@code spec.service.proxyProtocol} onto the pod's PROXY listeners ({@code px-<role>}).
 */
@KubernetesDependent(informer = @Informer(labelSelector = Names.SERVICE_ROLE + "=main"))
public class MailServiceDependent extends OwnedDependent<Service> {
    public static final String NAME = "service";

    public MailServiceDependent() {
        super(Service.class, "/spec/selector", "/spec/loadBalancerSourceRanges", "/spec/externalTrafficPolicy");
    }

    @Override
    String name(MailServer ms) {
        return Names.service(ms);
    }

    /**
     * The standard ports onto the pod's PROXY listeners ({@code proxied}) or its plain ones; {@code external}: without
     * LMTP, which is never exposed beyond the cluster.
     */
    static List<ServicePort> ports(MailServer ms, boolean proxied, boolean external) {
        return (external ? EngineConfigRenderer.externalPorts(ms) : EngineConfigRenderer.ports(ms)).stream()
                .map(p -> new ServicePortBuilder()
                        .withName(p.id())
                        .withProtocol("TCP")
                        .withPort(p.role().standardPort())
                        .withTargetPort(new IntOrString(proxied ? EngineContainer.proxyPortName(p.role()) : p.id()))
                        .build())
                .toList();
    }

    @Override
    protected Service desired(MailServer ms, Context<MailServer> context) {
        ServiceSpec spec = ms.getSpec().service == null ? new ServiceSpec() : ms.getSpec().service;
        ServiceSpec.Type type = spec.type == null ? ServiceSpec.Type.ClusterIP : spec.type;
        var meta = metadata(ms, Map.of(Names.SERVICE_ROLE, "main"), spec.annotations);
        var builder = new ServiceBuilder()
                .withMetadata(meta)
                .withNewSpec()
                .withType(type.name())
                .withSelector(Names.selector(ms))
                .withPorts(ports(ms, EngineContainer.proxyProtocol(ms), true))
                .endSpec();
        if (type != ServiceSpec.Type.ClusterIP) {
            // Always set: the API server defaults it to Cluster, which would hide clients' addresses (ServiceSpec).
            builder.editSpec().withExternalTrafficPolicy(trafficPolicy(spec).name()).endSpec();
        }
        if (type == ServiceSpec.Type.LoadBalancer && spec.loadBalancerSourceRanges != null) {
            builder.editSpec().withLoadBalancerSourceRanges(spec.loadBalancerSourceRanges).endSpec();
        }
        return builder.build();
    }

    /** The API server assigns the cluster IP and node ports; an update must carry them back, not clear them. */
    @Override
    void keepFromCluster(Service actual, Service desired) {
        keepAllocated(actual, desired);
    }

    /** Local unless the user asks for Cluster: the engine's per-address limits need the client's own address. */
    static ServiceSpec.TrafficPolicy trafficPolicy(ServiceSpec spec) {
        return spec.externalTrafficPolicy == null ? ServiceSpec.TrafficPolicy.Local : spec.externalTrafficPolicy;
    }

    static void keepAllocated(Service current, Service desired) {
        if (current.getSpec() == null) {
            return;
        }
        if (desired.getSpec().getClusterIP() == null) {
            desired.getSpec().setClusterIP(current.getSpec().getClusterIP());
            desired.getSpec().setClusterIPs(current.getSpec().getClusterIPs());
        }
        if (current.getSpec().getPorts() != null && !"ClusterIP".equals(desired.getSpec().getType())) {
            for (ServicePort port : desired.getSpec().getPorts()) {
                current.getSpec().getPorts().stream()
                        .filter(p -> port.getName().equals(p.getName()) && p.getNodePort() != null)
                        .findFirst().ifPresent(p -> port.setNodePort(p.getNodePort()));
            }
        }
    }
}
