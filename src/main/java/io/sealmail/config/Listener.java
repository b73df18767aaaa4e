package io.sealmail.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One listening socket: the role it plays, where it binds, and the port it binds inside the pod or host.
 *
 * @param proxyProtocol when set, every connection comes from a trusted load balancer and starts with a PROXY
 *                      header naming the real client; null (the default): clients connect directly
 */
public record Listener(Role role, String address, int port, ProxyProtocol proxyProtocol) {

    public Listener(Role role, String address, int port) {
        this(role, address, port, null);
    }

    /** From YAML: a listener without a port takes its role's standard one (25, 587, 465, ...), not 0. */
    @JsonCreator
    static Listener fromYaml(@JsonProperty("role") Role role, @JsonProperty("address") String address,
                             @JsonProperty("port") Integer port,
                             @JsonProperty("proxyProtocol") ProxyProtocol proxyProtocol) {
        if (role == null) {
            throw new ConfigException("listener: role is required");
        }
        return new Listener(role, address, port == null ? role.standardPort() : port, proxyProtocol);
    }

    public Listener {
        if (role == null) {
            throw new ConfigException("listener: role is required");
        }
        if (address == null || address.isBlank()) {
            address = "0.0.0.0";
        }
        if (port < 0 || port > 65535) {
            throw new ConfigException("listener " + role.id() + ": port " + port + " is outside 0-65535");
        }
    }
}
