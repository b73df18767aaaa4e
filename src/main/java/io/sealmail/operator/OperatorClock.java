package io.sealmail.operator;

import io.quarkus.arc.Arc;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;

/** The operator's notion of now, one bean so tests can move time (certificate renewal) without sleeping. */
@ApplicationScoped
public class OperatorClock {
    public Clock clock() {
        return Clock.systemUTC();
    }

    /** For the SDK's workflow conditions, which are not CDI beans. */
    static Clock current() {
        return Arc.container().instance(OperatorClock.class).get().clock();
    }
}
