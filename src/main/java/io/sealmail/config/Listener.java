package io.sealmail.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/** One listening socket: the role it plays, where it binds, and the port it binds inside the pod or host. */
public record Listener(Role role, String address, int port) {
    /** From YAML: a listener without a port takes its role's standard one (25, 587, 465, ...), not 0. */
    @JsonCreator
    static Listener fromYaml(@JsonProperty("role") Role role, @JsonProperty("address") String address,
                             @JsonProperty("port") Integer port) {
        if (role == null) {
            throw new ConfigException("listener: role is required");
        }
        return new Listener(role, address, port == null ? role.standardPort() : port);
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
