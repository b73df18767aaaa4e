package io.sealmail.operator;

import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.RuntimeInfo;

import java.util.function.BooleanSupplier;

/**
 * The operator process's {@code /readyz}: started, and every informer synced and watching. With leader election a
 * standby replica is ready too (its informers run; only the leader reconciles), so a rollout is not held up by it.
 */
public final class OperatorReadiness implements BooleanSupplier {
    private final Operator operator;

    public OperatorReadiness(Operator operator) {
        this.operator = operator;
    }

    @Override
    public boolean getAsBoolean() {
        RuntimeInfo info = operator.getRuntimeInfo();
        return info.isStarted() && info.allEventSourcesAreHealthy();
    }
}
