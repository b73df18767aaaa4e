package io.sealmail.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

import java.util.List;
import java.util.Map;

/** The Service in front of the pods. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.loadBalancerSourceRanges) || self.type == 'LoadBalancer'",
        message = "loadBalancerSourceRanges needs type LoadBalancer")
@ValidationRule(value = "!has(self.externalTrafficPolicy) || self.type != 'ClusterIP'",
        message = "externalTrafficPolicy needs type NodePort or LoadBalancer")
@ValidationRule(value = "!has(self.proxyProtocol) || !self.proxyProtocol || (has(self.trustedProxies) && size(self.trustedProxies) > 0)",
        message = "proxyProtocol needs trustedProxies (the load balancer's addresses)")
@ValidationRule(value = "!has(self.trustedProxies) || (has(self.proxyProtocol) && self.proxyProtocol)",
        message = "trustedProxies needs proxyProtocol: true")
public class ServiceSpec {
    public enum Type { ClusterIP, NodePort, LoadBalancer }

    public enum TrafficPolicy { Cluster, Local }

    @Default("ClusterIP")
    public Type type;

    @JsonPropertyDescription("Annotations for the Service, e.g. for a cloud load balancer.")
    public Map<String, String> annotations;

    @JsonPropertyDescription("With NodePort or LoadBalancer: Local (the default) keeps the client's address, which "
            + "the per-address connection limit, the AUTH throttle and spam checks need; Cluster spreads traffic over "
            + "all nodes but shows every client as a node's address.")
    public TrafficPolicy externalTrafficPolicy;

    @Size(max = 64)
    public List<@Pattern("^[0-9a-fA-F:.]+/[0-9]{1,3}$") @Size(max = 43) String> loadBalancerSourceRanges;

    @JsonPropertyDescription("The load balancer in front sends a PROXY protocol header (v1 or v2) naming each client: "
            + "this Service's ports then go to listeners that require it, from trustedProxies only. In-cluster clients "
            + "use Service <name>-internal (ClusterIP, same ports, no PROXY header).")
    public Boolean proxyProtocol;

    @JsonPropertyDescription("With proxyProtocol: the addresses (CIDRs) the load balancer's connections come from; "
            + "a connection from anywhere else to a PROXY port is refused.")
    @Size(max = 64)
    public List<@Pattern("^[0-9a-fA-F:.]+(/[0-9]{1,3})?$") @Size(max = 43) String> trustedProxies;

    public ServiceSpec() {
    }

    public ServiceSpec(Type type) {
        this.type = type;
    }
}
