package io.sealmail.operator;

import io.javaoperatorsdk.operator.Operator;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;

/**
 * Stops the operator the tests started ({@link OperatorTestSupport#start}) when Quarkus stops the test application.
 * Each test class with its own mock server gets its own application; without this, the previous application's
 * operator kept reconciling (and logging errors from a closed class loader) through the next class's tests.
 */
@ApplicationScoped
class OperatorShutdown {
    void stop(@Observes ShutdownEvent event, Instance<Operator> operator) {
        // Only an operator a test started: asking for the bean otherwise would create one (and apply the CRD).
        if (OperatorTestSupport.started()) {
            operator.get().stop();
        }
    }
}
