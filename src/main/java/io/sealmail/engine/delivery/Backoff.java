package io.sealmail.engine.delivery;

import java.time.Duration;

/** Retry intervals: the first one, doubling after each failed attempt, capped (Postfix's minimal/maximal_backoff_time). */
record Backoff(Duration first, Duration max) {
    /** The wait after the {@code attempts}-th failed attempt (1 = the first). */
    Duration after(int attempts) {
        Duration d = first;
        for (int i = 1; i < attempts && d.compareTo(max) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(max) > 0 ? max : d;
    }
}
