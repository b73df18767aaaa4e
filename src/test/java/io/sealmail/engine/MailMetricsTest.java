package io.sealmail.engine;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sealmail.config.Role;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MailMetricsTest {
    /**
     * The connection counters exist, at zero, before the first connection: for rate() over them, and so that the
     * registry's counter classes are loaded before the engine's warm-up compiles the IMAP paths (see MailMetrics).
     */
    @Test
    void connectionCountersExistAtZeroBeforeTheFirstConnection() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        MailMetrics metrics = new MailMetrics(registry);
        for (Role role : Role.values()) {
            for (String result : new String[]{"accepted", "refused"}) {
                Counter c = registry.find("sealmail.connections").tags("role", role.id(), "result", result).counter();
                assertThat(c).as(role.id() + " " + result).isNotNull();
                assertThat(c.count()).isZero();
            }
        }
        metrics.connectionOpened(Role.IMAPS);
        metrics.connectionRefused(Role.SMTP);
        assertThat(registry.find("sealmail.connections").tags("role", "imaps", "result", "accepted").counter().count())
                .isEqualTo(1.0);
        assertThat(registry.find("sealmail.connections").tags("role", "smtp", "result", "refused").counter().count())
                .isEqualTo(1.0);
        assertThat(registry.find("sealmail.connections").counters()).hasSize(2 * Role.values().length);
    }
}
