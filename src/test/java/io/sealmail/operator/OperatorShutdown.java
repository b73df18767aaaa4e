package io.sealmail.operator;

import io.javaoperatorsdk.operator.Operator;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Stops the operator the tests started ({@link OperatorTestSupport#start}) when Quarkus stops the test application.
 * Each test class with its own mock server gets its own application; without this, the previous application's
 * operator kept reconciling (and logging errors from a closed class loader) through the next class's tests.
 */
@ApplicationScoped
class OperatorShutdown {
    void stop(@Observes ShutdownEvent event, Operator operator) {
        operator.stop();
    }
}
