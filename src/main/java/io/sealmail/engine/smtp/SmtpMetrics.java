package io.sealmail.engine.smtp;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sealmail.config.Role;

import java.time.Duration;

/**
 * SMTP counters in the engine's registry (Prometheus names after the exporter's conversion):
 * {@code sealmail_smtp_connections_total{role}}, {@code sealmail_smtp_messages_total{role,result,reason}} and
 * {@code sealmail_smtp_delivery_seconds{role}} (end of data to durable, i.e. the wait before our 250).
 */
final class SmtpMetrics {
    private final MeterRegistry registry;
    private final String role;
    private final Timer delivery;

    SmtpMetrics(MeterRegistry registry, Role role) {
        this.registry = registry;
        this.role = role.id();
        this.delivery = Timer.builder("sealmail.smtp.delivery").description("End of DATA until every copy is durable")
                .tag("role", this.role).publishPercentiles(0.5, 0.99).register(registry);
    }

    void connection(boolean admitted) {
        Counter.builder("sealmail.smtp.connections").tag("role", role).tag("result", admitted ? "admitted" : "refused")
                .register(registry).increment();
    }

    void accepted(Duration waited) {
        message("accepted", "ok");
        delivery.record(waited);
    }

    /** @param reason a short stable word: size, bare_lf, bare_cr, line_length, store_failure */
    void rejected(String reason) {
        message("rejected", reason);
    }

    void recipientRefused(String reason) {
        Counter.builder("sealmail.smtp.recipients.refused").tag("role", role).tag("reason", reason).register(registry).increment();
    }

    void authentication(boolean success) {
        Counter.builder("sealmail.smtp.auth").tag("role", role).tag("result", success ? "success" : "failure").register(registry).increment();
    }

    private void message(String result, String reason) {
        Counter.builder("sealmail.smtp.messages").tag("role", role).tag("result", result).tag("reason", reason)
                .register(registry).increment();
    }
}
