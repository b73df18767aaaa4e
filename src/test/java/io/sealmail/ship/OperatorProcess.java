package io.sealmail.ship;

import java.io.IOException;
import java.net.ServerSocket;
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

/**
 * A real {@code sealmail operator} process from the packaged application (target/quarkus-app), in the prod profile
 * as in a cluster, talking to a mock API server. Its output goes to target/operator-NAME.log.
 */
final class OperatorProcess implements AutoCloseable {
    static final Path APP = Path.of("target", "quarkus-app", "quarkus-run.jar");

    final String name;
    final int httpPort;
    final Process process;
    final Path log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private OperatorProcess(String name, int httpPort, Process process, Path log) {
        this.name = name;
        this.httpPort = httpPort;
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
        int port = freePort();
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
        e.put("SEALMAIL_OPERATOR_HTTP_PORT", Integer.toString(port));
        e.putAll(env);
        return new OperatorProcess(name, port, pb.start(), log);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Status and body of GET path, or status -1 while nothing listens. */
    HttpResponse<String> get(String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
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
