package io.sealmail.engine;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sealmail.config.Role;
import io.sealmail.engine.delivery.DeliveryListener;
import io.sealmail.engine.tls.TlsListener;
import io.sealmail.engine.tls.TlsSessionInfo;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The mail engine's meters, one method per event so protocols never spell a metric name. Exposed at {@code /metrics}
 * with these Prometheus names:
 * <pre>
 * sealmail_connections_total{role,result="accepted"|"refused"}   connections opened (refused: over a limit)
 * sealmail_connections_active{role}                              open now
 * sealmail_messages_accepted_total{role}                         messages acknowledged (durable)
 * sealmail_messages_rejected_total{role,reason}                  messages refused, by short reason
 * sealmail_recipients_refused_total{role,reason}                RCPT refused: relay, unknown_user, routing_*
 * sealmail_auth_total{role,result="success"|"failure"|"throttled"|"busy"}
 * sealmail_tls_handshakes_total{result="success"|"failure",protocol}
 * sealmail_tls_certificate_reloads_total{result="success"|"failure"}
 * sealmail_tls_certificate_expiry_timestamp_seconds              notAfter of the serving certificate
 * sealmail_delivery_seconds{role}                                end of DATA until durable (histogram)
 * sealmail_outbound_attempts_total{result="delivered"|"deferred"|"bounced"}   per recipient and attempt
 * sealmail_outbound_queue_messages                               messages in the outbound queue
 * sealmail_outbound_queue_oldest_seconds                         age of the oldest of them
 * </pre>
 * Also a {@link TlsListener}: hand it to the engine's TLS so handshakes and reloads are counted. Thread-safe.
 */
public final class MailMetrics implements TlsListener, DeliveryListener {
    /** Reasons are label values: keep them few and stable, e.g. size, bare_lf, bare_cr, line_length, store_failure. */
    private static final int MAX_REASON = 40;
    private static final java.util.regex.Pattern REASON = java.util.regex.Pattern.compile("[a-z0-9_]+");

    private final MeterRegistry registry;
    private final Map<Role, AtomicInteger> active = new EnumMap<>(Role.class);
    private final AtomicLong certificateNotAfter = new AtomicLong();
    // The meters counted once or more per message, looked up once: building a meter's id (its tags sorted) and
    // finding it in the registry on every message cost more than the count.
    private final Map<Role, Counter> accepted = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<Role, Timer> deliveryTimers = new java.util.concurrent.ConcurrentHashMap<>();
    /** Every role's, registered in the constructor (see there). */
    private final Map<Role, Counter> connections = new EnumMap<>(Role.class);
    private final Map<String, Counter> attempts = new java.util.concurrent.ConcurrentHashMap<>();

    public MailMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (Role role : Role.values()) {
            AtomicInteger gauge = new AtomicInteger();
            active.put(role, gauge);
            Gauge.builder("sealmail.connections.active", gauge, AtomicInteger::get)
                    .description("Open connections").tag("role", role.id()).register(registry);
            // Registered now, at zero, not at the first connection: a series that exists from the start is what
            // rate() and alerts on it expect, and registering the first counter loads the registry's counter
            // classes with java.util.concurrent.atomic.DoubleAdder. That is the second subclass of Striped64 after
            // LongAdder (which Netty's buffer pools count with), and loading it makes HotSpot discard every method
            // compiled on the assumption that LongAdder was the only one: after the warm-up, that was most of
            // the IMAP response path, thrown away at the first client's connection and compiled again during its
            // first large FETCH (docs/store.md, "After a restart: the warm-up"). The warm-up runs after this.
            connections.put(role, counter("sealmail.connections", "role", role.id(), "result", "accepted"));
            counter("sealmail.connections", "role", role.id(), "result", "refused");
        }
        Gauge.builder("sealmail.tls.certificate.expiry.timestamp", certificateNotAfter, AtomicLong::get)
                .description("notAfter of the serving certificate, seconds since the epoch").baseUnit("seconds").register(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** A connection was accepted; call {@link #connectionClosed} when it closes. */
    public void connectionOpened(Role role) {
        connections.get(role).increment();
        active.get(role).incrementAndGet();
    }

    public void connectionClosed(Role role) {
        active.get(role).decrementAndGet();
    }

    /** A connection was turned away (connection limits, shutdown) and never counted as open. */
    public void connectionRefused(Role role) {
        counter("sealmail.connections", "role", role.id(), "result", "refused").increment();
    }

    /** A message was acknowledged; {@code latency} is end of data until every copy was durable. */
    public void messageAccepted(Role role, Duration latency) {
        accepted.computeIfAbsent(role, r -> counter("sealmail.messages.accepted", "role", r.id())).increment();
        deliveryTimers.computeIfAbsent(role, r -> Timer.builder("sealmail.delivery")
                .description("End of message data until every copy is durable")
                .tag("role", r.id()).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry)).record(latency);
    }

    /** A message was refused; {@code reason} is a short stable word such as {@code size} or {@code bare_lf}. */
    public void messageRejected(Role role, String reason) {
        counter("sealmail.messages.rejected", "role", role.id(), "reason", reason(reason)).increment();
    }

    /** A RCPT was refused; {@code reason} is relay, unknown_user or routing_<trick>. */
    public void recipientRefused(Role role, String reason) {
        counter("sealmail.recipients.refused", "role", role.id(), "reason", reason(reason)).increment();
    }

    public void authSucceeded(Role role) {
        counter("sealmail.auth", "role", role.id(), "result", "success").increment();
    }

    public void authFailed(Role role) {
        counter("sealmail.auth", "role", role.id(), "result", "failure").increment();
    }

    /** One login's outcome, as {@link io.sealmail.engine.auth.LoginGate} decided it. */
    public void auth(Role role, io.sealmail.engine.auth.LoginGate.Outcome outcome) {
        switch (outcome) {
            case SUCCESS -> authSucceeded(role);
            case FAILURE -> authFailed(role);
            case THROTTLED -> authThrottled(role);
            case BUSY -> counter("sealmail.auth", "role", role.id(), "result", "busy").increment();
        }
    }

    /** AUTH refused without checking because the client address is over its failure limit. */
    public void authThrottled(Role role) {
        counter("sealmail.auth", "role", role.id(), "result", "throttled").increment();
    }

    // ---------------------------------------------------------------- outbound delivery

    @Override
    public void attempted(String result) {
        // The results are the runner's few fixed words, so the map stays small.
        attempts.computeIfAbsent(result, r -> counter("sealmail.outbound.attempts", "result", reason(r))).increment();
    }

    /** Registers the outbound queue's gauges, read at each scrape. */
    public void outboundQueue(java.util.function.IntSupplier size, java.util.function.LongSupplier oldestAgeSeconds) {
        Gauge.builder("sealmail.outbound.queue.messages", size, s -> s.getAsInt())
                .description("Messages in the outbound queue").register(registry);
        Gauge.builder("sealmail.outbound.queue.oldest", oldestAgeSeconds, s -> s.getAsLong())
                .description("Age of the oldest message in the outbound queue").baseUnit("seconds").register(registry);
    }

    // ---------------------------------------------------------------- TlsListener

    @Override
    public void handshakeSucceeded(TlsSessionInfo session) {
        counter("sealmail.tls.handshakes", "result", "success", "protocol", session.protocol()).increment();
    }

    @Override
    public void handshakeFailed(Throwable cause) {
        counter("sealmail.tls.handshakes", "result", "failure", "protocol", "none").increment();
    }

    @Override
    public void certificateLoaded(X509Certificate leaf, boolean reload) {
        certificateNotAfter.set(leaf.getNotAfter().toInstant().getEpochSecond());
        if (reload) {
            counter("sealmail.tls.certificate.reloads", "result", "success").increment();
        }
    }

    @Override
    public void reloadFailed(String reason) {
        counter("sealmail.tls.certificate.reloads", "result", "failure").increment();
    }

    private Counter counter(String name, String... tags) {
        return Counter.builder(name).tags(tags).register(registry);
    }

    /** Label values must stay a small set: anything unexpected becomes "other". */
    private static String reason(String reason) {
        if (reason == null || reason.isEmpty() || reason.length() > MAX_REASON || !REASON.matcher(reason).matches()) {
            return "other";
        }
        return reason;
    }
}
