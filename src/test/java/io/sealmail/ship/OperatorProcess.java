package io.sealmail.ship;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real {@code sealmail operator} process from the packaged application (target/quarkus-app), in the prod profile
 * as in a cluster, talking to a mock API server. Its output goes to target/operator-NAME.log.
 */
final class OperatorProcess implements AutoCloseable {
    static final Path APP = Path.of("target", "quarkus-app", "quarkus-run.jar");

    /** HealthServer's start-up line, with the port the system picked for port 0. */
    private static final Pattern HTTP_LINE = Pattern.compile("http: /healthz /readyz /metrics on 127\\.0\\.0\\.1:([0-9]+)");

    final String name;
    final Process process;
    final Path log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** The bound HTTP port once the log has named it; 0 before. */
    private int httpPort;

    private OperatorProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /**
     * @param apiServer the mock API server's URL
     * @param env       more environment, e.g. the watched namespaces
     * @param jvm       JVM options, e.g. the heap limit a container's memory limit implies
     */
    static OperatorProcess start(String name, String apiServer, Map<String, String> env, List<String> jvm) throws IOException {
        if (!Files.exists(APP)) {
            throw new AssertionError(APP + " is missing: run ./mvnw package (failsafe runs this after it)");
        }
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(jvm);
        command.addAll(List.of("-jar", APP.toString(), "operator"));
        ProcessBuilder pb = new ProcessBuilder(command);
        Path log = Path.of("target", "operator-" + name + ".log");
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> e = pb.environment();
        e.keySet().removeIf(k -> k.startsWith("KUBERNETES_") || k.startsWith("QUARKUS_") || k.startsWith("SEALMAIL_"));
        e.put("KUBECONFIG", "/nonexistent");
        e.put("QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL", apiServer);
        e.put("QUARKUS_KUBERNETES_CLIENT_NAMESPACE", "sealmail-system");
        e.put("HOSTNAME", name); // the leader election identity, as a pod's name
        e.put("SEALMAIL_OPERATOR_HTTP_ADDRESS", "127.0.0.1");
        // Port 0: the system picks a free port and the operator logs it, so parallel runs cannot collide.
        e.put("SEALMAIL_OPERATOR_HTTP_PORT", "0");
        e.putAll(env);
        Files.deleteIfExists(log);
        return new OperatorProcess(name, pb.start(), log);
    }

    /** The HTTP port the operator logged, or 0 while it has not bound it yet. */
    int httpPort() {
        if (httpPort == 0) {
            Matcher m = HTTP_LINE.matcher(log());
            if (m.find()) {
                httpPort = Integer.parseInt(m.group(1));
            }
        }
        return httpPort;
    }

    /** Status and body of GET path, or null (status -1) while nothing listens. */
    HttpResponse<String> get(String path) {
        int port = httpPort();
        if (port == 0) {
            return null;
        }
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    int status(String path) {
        HttpResponse<String> r = get(path);
        return r == null ? -1 : r.statusCode();
    }

    /** A sample's value from /metrics, or -1 when absent. */
    double metric(String prefix) {
        HttpResponse<String> r = get("/metrics");
        if (r == null) {
            return -1;
        }
        return r.body().lines().filter(l -> l.startsWith(prefix)).findFirst()
                .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).orElse(-1.0);
    }

    /** Resident set size of the process in MiB (Linux /proc). */
    long rssMb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) >> 10;
            }
        }
        return -1;
    }

    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** SIGTERM, as kubelet stops a pod. */
    void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop();
        }
    }
}
