package io.sealmail.http;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sealmail.config.ConfigException;
import io.sealmail.config.EngineConfig;
import io.sealmail.config.TlsFiles;
import io.sealmail.config.Role;
import io.sealmail.engine.MailMetrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HealthServerTest {
    private final AtomicBoolean ready = new AtomicBoolean();
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private HealthServer server;
    private String base;

    @BeforeEach
    void start() {
        server = HealthServer.start("127.0.0.1", 0, ready::get, registry);
        base = "http://127.0.0.1:" + server.port();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> send(String method, String path) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create(base + path)).method(method, HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void livenessIsAlwaysOkAndReadinessFollowsTheCheck() throws Exception {
        assertThat(get("/healthz").statusCode()).isEqualTo(200);
        HttpResponse<String> notReady = get("/readyz");
        assertThat(notReady.statusCode()).isEqualTo(503);
        assertThat(notReady.body()).isEqualTo("not ready\n");
        ready.set(true);
        HttpResponse<String> isReady = get("/readyz?verbose");
        assertThat(isReady.statusCode()).isEqualTo(200);
        assertThat(isReady.body()).isEqualTo("ready\n");
        assertThat(isReady.headers().firstValue("cache-control")).contains("no-store");
    }

    @Test
    void aThrowingReadinessCheckIsNotReady() throws Exception {
        server.close();
        server = HealthServer.start("127.0.0.1", 0, () -> {
            throw new IllegalStateException("boom");
        }, registry);
        base = "http://127.0.0.1:" + server.port();
        assertThat(get("/readyz").statusCode()).isEqualTo(503);
        assertThat(get("/healthz").statusCode()).isEqualTo(200);
    }

    @Test
    void metricsArePrometheusText() throws Exception {
        MailMetrics metrics = new MailMetrics(registry);
        metrics.connectionOpened(Role.SUBMISSION);
        metrics.connectionOpened(Role.SUBMISSION);
        metrics.connectionClosed(Role.SUBMISSION);
        metrics.connectionRefused(Role.SMTP);
        metrics.messageAccepted(Role.SMTP, Duration.ofMillis(12));
        metrics.messageRejected(Role.SMTP, "bare_lf");
        metrics.messageRejected(Role.SMTP, "Weird Reason!");
        metrics.authSucceeded(Role.IMAPS);
        metrics.authFailed(Role.IMAPS);
        metrics.authThrottled(Role.IMAPS);
        metrics.handshakeSucceeded(new io.sealmail.engine.tls.TlsSessionInfo("TLSv1.3", "TLS_AES_128_GCM_SHA256"));
        metrics.handshakeFailed(new javax.net.ssl.SSLHandshakeException("no"));
        metrics.reloadFailed("bad key");

        HttpResponse<String> r = get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).contains(HealthServer.PROMETHEUS_TEXT);
        assertThat(r.body()).contains(
                "sealmail_connections_total{result=\"accepted\",role=\"submission\"} 2.0",
                "sealmail_connections_total{result=\"refused\",role=\"smtp\"} 1.0",
                "sealmail_connections_active{role=\"submission\"} 1.0",
                "sealmail_messages_accepted_total{role=\"smtp\"} 1.0",
                "sealmail_messages_rejected_total{reason=\"bare_lf\",role=\"smtp\"} 1.0",
                "sealmail_messages_rejected_total{reason=\"other\",role=\"smtp\"} 1.0",
                "sealmail_auth_total{result=\"success\",role=\"imaps\"} 1.0",
                "sealmail_auth_total{result=\"failure\",role=\"imaps\"} 1.0",
                "sealmail_auth_total{result=\"throttled\",role=\"imaps\"} 1.0",
                "sealmail_tls_handshakes_total{protocol=\"TLSv1.3\",result=\"success\"} 1.0",
                "sealmail_tls_handshakes_total{protocol=\"none\",result=\"failure\"} 1.0",
                "sealmail_tls_certificate_reloads_total{result=\"failure\"} 1.0",
                "sealmail_delivery_seconds_count{role=\"smtp\"} 1",
                "sealmail_delivery_seconds_bucket{role=\"smtp\",le=\"+Inf\"} 1");
    }

    @Test
    void headHasHeadersButNoBodyAndOtherMethodsAre405() throws Exception {
        ready.set(true);
        HttpResponse<String> head = send("HEAD", "/readyz");
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(head.headers().firstValue("content-length")).contains("6");
        for (String method : List.of("POST", "PUT", "DELETE", "OPTIONS")) {
            HttpResponse<String> r = send(method, "/healthz");
            assertThat(r.statusCode()).as(method).isEqualTo(405);
            assertThat(r.headers().firstValue("allow")).contains("GET, HEAD");
        }
        assertThat(get("/").statusCode()).isEqualTo(404);
        assertThat(get("/healthz/../metrics").statusCode()).isEqualTo(404);
        assertThat(get("/admin").statusCode()).isEqualTo(404);
    }

    @Test
    void keepAliveServesSeveralRequestsOnOneConnection() throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(all).startsWith("HTTP/1.1 200 OK").contains("HTTP/1.1 503 Service Unavailable").endsWith("not ready\n");
        }
    }

    @Test
    void oversizeRequestsAreRefusedAndClosed() throws Exception {
        assertThat(raw("GET /" + "a".repeat(5000) + " HTTP/1.1\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 414 ");
        assertThat(raw("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(9000) + "\r\n\r\n")).startsWith("HTTP/1.1 431 ");
        assertThat(raw("GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789")).startsWith("HTTP/1.1 413 ");
        assertThat(raw("BLAH\r\n\r\n")).startsWith("HTTP/1.1 400 ");
        // And the server still answers afterwards.
        assertThat(get("/healthz").statusCode()).isEqualTo(200);
    }

    private String raw(String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            // The server closes after an error reply: reading to the end must not hang.
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    @Test
    void curlSeesTheSameEndpoints() throws Exception {
        ready.set(true);
        assertThat(curl("-fsS", base + "/healthz")).isEqualTo("ok\n");
        assertThat(curl("-fsS", base + "/readyz")).isEqualTo("ready\n");
        assertThat(curl("-sS", "-o", "/dev/null", "-w", "%{http_code}", base + "/nope")).isEqualTo("404");
        assertThat(curl("-sS", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", base + "/metrics")).isEqualTo("405");
        assertThat(curl("-sS", "-I", base + "/metrics")).startsWith("HTTP/1.1 200 OK").containsIgnoringCase("content-type: text/plain; version=0.0.4");
    }

    private static String curl(String... args) throws IOException, InterruptedException {
        io.sealmail.testing.ExternalTool.require("curl");
        List<String> command = new java.util.ArrayList<>(List.of("curl", "--max-time", "5"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    @Test
    void configPortMinusOneDisablesItAndABusyPortIsAConfigError() {
        EngineConfig disabled = config("127.0.0.1", -1);
        assertThat(HealthServer.start(disabled, () -> true, registry)).isEmpty();
        EngineConfig busy = config("127.0.0.1", server.port());
        assertThatThrownBy(() -> HealthServer.start(busy, () -> true, registry))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("httpPort: cannot bind 127.0.0.1:" + server.port() + ": ");
        try (HealthServer ephemeral = HealthServer.start(config("127.0.0.1", 0), () -> true, registry).orElseThrow()) {
            assertThat(ephemeral.port()).isPositive().isNotEqualTo(server.port());
        }
    }

    private static EngineConfig config(String address, int port) {
        return new EngineConfig("mail.example.org", List.of("example.org"), List.of(), new TlsFiles("c", "k"),
                "accounts", Map.of(), "data", null, address, port);
    }
}
