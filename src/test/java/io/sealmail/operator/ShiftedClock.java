package io.sealmail.operator;

import io.quarkus.test.Mock;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Duration;

/** The operator's clock in tests: real time plus a shift a test can set, to make certificates age. */
@Mock
@ApplicationScoped
public class ShiftedClock extends OperatorClock {
    static volatile Duration shift = Duration.ZERO;

    @Override
    public Clock clock() {
        return Clock.offset(Clock.systemUTC(), shift);
    }
}
