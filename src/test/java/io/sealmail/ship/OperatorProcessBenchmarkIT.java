package io.sealmail.ship;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.sealmail.operator.api.v1alpha1.MailServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.awaitility.Awaitility.await;

/**
 * Figures for docs/operator.md, not a test: one real {@code sealmail operator} process (packaged application, prod
 * profile, deploy/'s 512Mi memory limit) against a mock API server in this JVM. For N MailServers: seconds until all
 * are Ready (this thread plays the StatefulSet controller), write requests in a steady-state reconcile of all N, and
 * the operator's resident memory and heap afterwards.
 * <pre>
 * ./mvnw -B verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=OperatorProcessBenchmarkIT \
 *     -Dsealmail.bench.sizes=10,100,1000
 * </pre>
 * With {@code -Dsealmail.bench.unrelated-secrets=1000}, that many Secrets of 100 KB each that no MailServer names
 * are in the namespace before the operator starts (as Helm's release Secrets are in a real cluster): the operator
 * must not cache them (issue 16, item 2).
 */
@Tag("benchmark")
class OperatorProcessBenchmarkIT {

    @Test
    void mailServersReachReady() throws Exception {
        for (String size : System.getProperty("sealmail.bench.sizes", "10,100").split(",")) {
            run(Integer.parseInt(size.trim()));
        }
    }

    private void run(int n) throws Exception {
        try (MockCluster cluster = new MockCluster()) {
            var client = cluster.client;
            String ns = "bench";
            client.secrets().inNamespace(ns).resource(MockCluster.users(ns)).create();
            int unrelated = Integer.getInteger("sealmail.bench.unrelated-secrets", 0);
            java.util.Random random = new java.util.Random(16);
            for (int i = 0; i < unrelated; i++) {
                byte[] blob = new byte[100 * 1024];
                random.nextBytes(blob);
                client.secrets().inNamespace(ns).resource(new io.fabric8.kubernetes.api.model.SecretBuilder()
                        .withNewMetadata().withName("unrelated-" + i).withNamespace(ns).endMetadata()
                        .withType("helm.sh/release.v1")
                        .withData(Map.of("release", java.util.Base64.getEncoder().encodeToString(blob))).build()).create();
            }
            OperatorProcess operator = cluster.operator("bench-" + n, Map.of(), Duration.ofMinutes(3));
            long idleRss = operator.rssMb();

            AtomicBoolean done = new AtomicBoolean();
            Thread statefulSetController = new Thread(() -> playStatefulSetController(cluster, ns, done), "fake-sts-controller");
            statefulSetController.start();
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                client.resource(MockCluster.mailServer(ns, "m" + i)).create();
            }
            await().atMost(Duration.ofMinutes(30)).pollInterval(Duration.ofMillis(500)).until(() -> readyCount(cluster, ns) == n);
            double seconds = (System.nanoTime() - start) / 1e9;
            done.set(true);
            statefulSetController.join();

            // Steady state: one event that makes every MailServer reconcile, with nothing to change. The sleeps here
            // are the benchmark's fixed quiet windows (stray events settle, then writes are counted), not waits.
            Thread.sleep(3000);
            cluster.operatorRequests();
            double before = operator.metric("sealmail_operator_reconciles_total");
            // The namespace's CA concerns every MailServer in it; the operator never writes it. (Not the users'
            // Secret: each accounts file records the version of it it was derived from, so a new one is a write.)
            Secret ca = client.secrets().inNamespace(ns).withName("sealmail-ca").get();
            ca.getMetadata().setAnnotations(Map.of("nudge", "1"));
            client.secrets().inNamespace(ns).resource(ca).update();
            await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(500))
                    .until(() -> operator.metric("sealmail_operator_reconciles_total") - before >= n);
            Thread.sleep(3000);
            double reconciles = operator.metric("sealmail_operator_reconciles_total") - before;
            List<RecordedRequest> all = cluster.operatorRequests().stream().filter(r -> !r.getMethod().equals("GET")).toList();
            // Renewing the leader's Lease (every 2 s) is not a reconcile's write.
            long leaseRenewals = all.stream().filter(r -> r.getPath().contains("/leases/")).count();
            List<RecordedRequest> writes = all.stream().filter(r -> !r.getPath().contains("/leases/")).toList();
            writes.stream().limit(5).forEach(r -> System.out.println("BENCH steady write: " + r.getMethod() + " " + r.getPath()));

            long rss = operator.rssMb();
            long heapMb = heapUsedMb(operator);
            System.out.printf("BENCH operator-process unrelated_secrets_100kb=%d%n", unrelated);
            System.out.printf("BENCH operator-process n=%d ready_seconds=%.1f steady_reconciles=%.0f steady_writes=%d "
                            + "writes_per_reconcile=%.3f lease_renewals=%d rss_mb=%d (idle %d) heap_used_mb=%d cpu_seconds=%.1f "
                            + "load=%s%n",
                    n, seconds, reconciles, writes.size(), writes.size() / Math.max(1, reconciles), leaseRenewals, rss,
                    idleRss, heapMb, operator.process.info().totalCpuDuration().map(d -> d.toMillis() / 1e3).orElse(-1.0),
                    Files.readString(Path.of("/proc/loadavg")).trim());
            diagnose(operator, n);
            operator.stop();
        }
    }

    /**
     * With {@code -Dsealmail.bench.jcmd=...} (jcmd commands separated by commas, e.g.
     * {@code VM.native_memory summary,GC.class_histogram}), their output for the operator process goes to
     * target/operator-bench-N.jcmd.txt: where the resident memory is.
     */
    private static void diagnose(OperatorProcess operator, int n) throws Exception {
        String commands = System.getProperty("sealmail.bench.jcmd", "");
        if (commands.isBlank()) {
            return;
        }
        Path out = Path.of("target", "operator-bench-" + n + ".jcmd.txt");
        Files.deleteIfExists(out);
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        for (String command : commands.split(",")) {
            List<String> argv = new java.util.ArrayList<>(List.of(jcmd.toString(), Long.toString(operator.process.pid())));
            argv.addAll(List.of(command.trim().split("\\s+")));
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes());
            p.waitFor();
            Files.writeString(out, "== " + command + "\n" + text, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        }
        System.out.println("BENCH jcmd output: " + out);
    }

    /** Sum of the heap pools' used bytes, from the operator's own /metrics. */
    private static long heapUsedMb(OperatorProcess operator) {
        var r = operator.get("/metrics");
        double sum = r.body().lines().filter(l -> l.startsWith("jvm_memory_used_bytes{area=\"heap\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
        return (long) sum >> 20;
    }

    private static long readyCount(MockCluster cluster, String ns) {
        return cluster.client.resources(MailServer.class).inNamespace(ns).list().getItems().stream()
                .filter(m -> "True".equals(MockCluster.ready(m))).count();
    }

    /** Sets each new StatefulSet's status as the StatefulSet controller and kubelet would once the pod is ready. */
    private static void playStatefulSetController(MockCluster cluster, String ns, AtomicBoolean done) {
        Set<String> ready = new HashSet<>();
        while (!done.get()) {
            for (StatefulSet sts : cluster.client.apps().statefulSets().inNamespace(ns).list().getItems()) {
                if (!ready.contains(sts.getMetadata().getName()) && cluster.markPodsReady(sts)) {
                    ready.add(sts.getMetadata().getName());
                }
            }
            try {
                Thread.sleep(200); // the simulated StatefulSet controller's pass interval
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}
