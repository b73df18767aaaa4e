package io.sealmail.operator;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Conditions in the Kubernetes shape. lastTransitionTime moves only when a condition's status changes (the API
 * conventions), so an unchanged observation produces an identical list and no status write. The list is a map keyed
 * by {@code type} (the CRD says {@code x-kubernetes-list-type: map}): conditions of types the operator does not set
 * (another controller's, a tool's) are kept as they are, after the operator's own.
 */
public final class ConditionList {
    public static final String READY = "Ready";
    public static final String CERTIFICATE_READY = "CertificateReady";
    public static final String AVAILABLE = "Available";
    public static final String PROGRESSING = "Progressing";
    public static final String DEGRADED = "Degraded";
    /** Whether the engine sees clients' own addresses (its per-address limits and AUTH throttle need them). */
    public static final String CLIENT_ADDRESSES = "ClientAddressesPreserved";
    /** Whether the mail volume has what spec.storage asks for (a claim template cannot change: see StorageClaim). */
    public static final String STORAGE = "StorageAsRequested";
    /** Whether mail for other domains can leave as spec.outbound says (the relay login Secret, above all). */
    public static final String OUTBOUND = "OutboundReady";
    private static final java.util.Set<String> OWN = java.util.Set.of(READY, CERTIFICATE_READY, AVAILABLE, PROGRESSING,
            DEGRADED, CLIENT_ADDRESSES, STORAGE, OUTBOUND);

    private final List<Condition> previous;
    private final List<Condition> next = new ArrayList<>();
    private final long generation;
    private final Instant now;

    public ConditionList(List<Condition> previous, long generation, Instant now) {
        this.previous = previous == null ? List.of() : previous;
        this.generation = generation;
        this.now = now;
    }

    public ConditionList set(String type, boolean status, String reason, String message) {
        String s = status ? "True" : "False";
        String time = find(previous, type)
                .filter(c -> s.equals(c.getStatus()) && c.getLastTransitionTime() != null)
                .map(Condition::getLastTransitionTime)
                .orElse(now.toString());
        next.add(new ConditionBuilder()
                .withType(type)
                .withStatus(s)
                .withReason(reason)
                .withMessage(message)
                .withObservedGeneration(generation)
                .withLastTransitionTime(time)
                .build());
        return this;
    }

    public List<Condition> build() {
        List<Condition> all = new ArrayList<>(next);
        previous.stream()
                .filter(c -> c.getType() != null && find(next, c.getType()).isEmpty() && !OWN.contains(c.getType()))
                .forEach(all::add);
        return List.copyOf(all);
    }

    public static Optional<Condition> find(List<Condition> conditions, String type) {
        return conditions == null ? Optional.empty()
                : conditions.stream().filter(c -> Objects.equals(type, c.getType())).findFirst();
    }

    /** True when the condition is new or its status or reason differs from before: worth an Event. */
    public static boolean changed(List<Condition> before, Condition after) {
        return find(before, after.getType())
                .map(c -> !Objects.equals(c.getStatus(), after.getStatus())
                        || !Objects.equals(c.getReason(), after.getReason()))
                .orElse(true);
    }
}
