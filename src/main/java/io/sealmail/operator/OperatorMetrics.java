package io.sealmail.operator;

import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetricsV2;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.quarkus.arc.Unremovable;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The operator's meters, scraped at {@code /metrics}: the Java Operator SDK's own (the Quarkus extension picks up
 * this {@link Metrics} bean instead of its no-op default), the reconciler's ({@code sealmail_operator_*}) and the
 * JVM's. One Prometheus registry without Quarkus's HTTP server, which stays off so CLI commands bind nothing.
 * <pre>
 * reconciliations_started_total / _success_total / _failure_total{controller_name="mailserver"}
 * reconciliations_execution_duration_seconds, reconciliations_queue, reconciliations_active, custom_resources
 * events_received_total{event, action}
 * sealmail_operator_reconciles_total                 reconciles that ran to the end (status computed)
 * sealmail_operator_status_writes_total              of those, the ones that wrote status (steady state: none)
 * jvm_memory_used_bytes, jvm_threads_live_threads, process_uptime_seconds, ...
 * </pre>
 */
@ApplicationScoped
public class OperatorMetrics {
    @Produces
    @Singleton
    @Unremovable
    PrometheusMeterRegistry registry() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        return registry;
    }

    /** Per controller, not per resource: 1,000 MailServers do not make 1,000 sets of meters. */
    @Produces
    @Singleton
    @Unremovable
    Metrics sdkMetrics(PrometheusMeterRegistry registry) {
        return MicrometerMetricsV2.newBuilder(registry).build();
    }
}
