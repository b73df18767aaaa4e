package io.sealmail.cli;

import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sealmail.config.EngineConfig;
import io.sealmail.engine.MailEngine;
import io.sealmail.http.HealthServer;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

/**
 * The engine's {@code /healthz}, {@code /readyz} and {@code /metrics} on the configuration's
 * {@code httpAddress:httpPort}, as {@code sealmail engine} and {@code sealmail demo} serve it. It is up before the
 * listeners, so liveness answers during start-up; ready only once the engine has warmed up and every listener
 * accepts.
 */
final class EngineEndpoint implements AutoCloseable {
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicReference<MailEngine> engine = new AtomicReference<>();
    private final Optional<HealthServer> server;

    EngineEndpoint(EngineConfig config) {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        server = HealthServer.start(config, () -> engine.get() != null && engine.get().isReady(),
                () -> engine.get() == null ? Optional.empty() : engine.get().delivery().flatMap(d -> d.degradation()), registry);
    }

    /** Builds and starts the engine with its meters in this endpoint's registry. */
    MailEngine start(EngineConfig config) throws InterruptedException {
        return start(config, UnaryOperator.identity());
    }

    /** As {@link #start(EngineConfig)}, with more builder options (tests: accounts, the warm-up's rounds). */
    MailEngine start(EngineConfig config, UnaryOperator<MailEngine.Builder> options) throws InterruptedException {
        MailEngine.Builder builder = options.apply(MailEngine.builder(config).meters(registry));
        if (config.inbound().checks()) {
            // One resolver (outbound.dns) for delivery and the inbound SPF/DKIM/DMARC checks.
            builder.dns(new io.sealmail.engine.delivery.dns.ResolverDnsLookup(config.outbound().dns()));
        }
        MailEngine started = builder.start();
        engine.set(started);
        return started;
    }

    Optional<HealthServer> server() {
        return server;
    }

    /** The URL of {@code /metrics}, when the configuration enables the endpoint. */
    Optional<String> metricsUrl() {
        return server.map(s -> "http://127.0.0.1:" + s.port() + HealthServer.METRICS_PATH);
    }

    @Override
    public void close() {
        server.ifPresent(HealthServer::close);
    }
}
