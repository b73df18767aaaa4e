package io.sealmail.operator;

import io.fabric8.kubernetes.api.model.Secret;
import io.sealmail.operator.MailServerReconciler.Observation;
import io.sealmail.operator.api.v1alpha1.MailServer;
import io.sealmail.operator.api.v1alpha1.OutboundSpec;
import io.sealmail.operator.api.v1alpha1.RelaySpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The {@code OutboundReady} condition: how mail for other domains leaves, and whether the relay login it needs is
 * there. A missing or incomplete relay Secret is a failure (relayed mail stays queued and is retried until the
 * Secret is fixed, then goes out without a restart: the engine reads the mounted files at each connection).
 */
final class OutboundRoute {
    private OutboundRoute() {
    }

    static Observation observe(MailServer ms, Function<String, Optional<Secret>> secrets) {
        OutboundSpec o = ms.getSpec().outbound == null ? new OutboundSpec() : ms.getSpec().outbound;
        OutboundSpec.Mode mode = o.mode == null ? OutboundSpec.Mode.DIRECT : o.mode;
        switch (mode) {
            case HOLD:
                return Observation.fine("OutboundHeld", "mode hold: mail for other domains stays queued, nothing is sent");
            case DIRECT:
                List<String> servers = o.dns == null || o.dns.servers == null ? List.of() : o.dns.servers;
                return Observation.fine("DirectDelivery", "MX look-ups through "
                        + (servers.isEmpty() ? "the cluster DNS (the pod's resolv.conf)" : String.join(", ", servers))
                        + (o.dns != null && Boolean.TRUE.equals(o.dns.dnssec) ? ", DNSSEC-validated" : ""));
            default:
                break;
        }
        RelaySpec relay = o.relay;
        if (relay == null) {
            // The schema refuses this; an object stored before it would be rendered as nothing to relay to.
            return Observation.failed("RelayNotConfigured", "outbound.mode is relay but outbound.relay is missing");
        }
        String via = "relay " + relay.host + " (" + (relay.tls == RelaySpec.Tls.IMPLICIT ? "implicit TLS" : "STARTTLS")
                + ")";
        String name = relay.credentialsSecretName;
        if (name == null) {
            return Observation.fine("RelayConfigured", via + ", no AUTH");
        }
        Secret secret = secrets.apply(name).orElse(null);
        if (secret == null) {
            return Observation.failed("RelaySecretNotFound", "Secret " + name + " (outbound.relay.credentialsSecretName)"
                    + " not found in namespace " + ms.getMetadata().getNamespace() + "; mail for other domains stays"
                    + " queued and is retried until it exists");
        }
        List<String> missing = new ArrayList<>();
        for (String key : List.of(EngineContainer.RELAY_USERNAME_KEY, EngineContainer.RELAY_PASSWORD_KEY)) {
            String value = secret.getData() == null ? null : secret.getData().get(key);
            if (value == null || value.isEmpty()) {
                missing.add(key);
            }
        }
        if (!missing.isEmpty()) {
            return Observation.failed("RelaySecretInvalid", "Secret " + name + " has no " + String.join(" and ", missing)
                    + " (it needs keys username and password, e.g. type kubernetes.io/basic-auth); mail for other"
                    + " domains stays queued and is retried until it has");
        }
        return Observation.fine("RelayConfigured", via + ", login from Secret " + name);
    }
}
