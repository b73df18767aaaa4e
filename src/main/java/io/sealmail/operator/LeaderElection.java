package io.sealmail.operator;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.quarkus.arc.Unremovable;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Optional;

/**
 * Several operator replicas elect one leader through a Lease; only the leader reconciles. Active in the prod
 * profile (quarkus.operator-sdk.activate-leader-election-for-profiles), not in tests. The Lease lives in the
 * operator's own namespace unless {@code sealmail.operator.lease-namespace} says otherwise.
 */
@ApplicationScoped
public class LeaderElection {
    @Produces
    @Singleton
    @Unremovable
    LeaderElectionConfiguration leaderElection(
            @ConfigProperty(name = "sealmail.operator.lease-name", defaultValue = "sealmail-operator-leader") String name,
            @ConfigProperty(name = "sealmail.operator.lease-namespace") Optional<String> namespace) {
        return new LeaderElectionConfiguration(name, namespace.orElse(null));
    }
}
