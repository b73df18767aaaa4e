package io.sealmail.config;

/** One listening socket: the role it plays, where it binds, and the port it binds inside the pod or host. */
public record Listener(Role role, String address, int port) {
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
