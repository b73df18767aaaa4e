package io.sealmail.operator;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.javaoperatorsdk.operator.Operator;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.sealmail.operator.api.v1alpha1.AccountsSpec;
import io.sealmail.operator.api.v1alpha1.MailServer;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.awaitility.Awaitility.await;

/**
 * Figures for docs/operator.md, not a test: time for N MailServers to reach Ready on the mock server (this thread
 * plays the StatefulSet controller), write requests in a steady-state reconcile of all N, and memory at N.
 * {@code ./mvnw -B test -Dtest=OperatorBenchmarkTest -DexcludedGroups= -Dsealmail.bench.sizes=10,100,1000}
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@Tag("benchmark")
class OperatorBenchmarkTest {
    @KubernetesTestServer
    KubernetesServer server;
    @Inject
    KubernetesClient client;
    @Inject
    Operator operator;
    @Inject
    MailServerReconciler reconciler;

    @Test
    void mailServersReachReady() throws Exception {
        OperatorTestSupport.start(operator);
        String phc = new Argon2idHasher().hash("benchmark");
        for (String size : System.getProperty("sealmail.bench.sizes", "10,100").split(",")) {
            run(Integer.parseInt(size.trim()), phc);
        }
    }

    private void run(int n, String phc) throws Exception {
        String ns = "bench-" + n;
        Secret users = OperatorTestSupport.usersSecret(ns, "users", Map.of());
        users.setData(Map.of("alice", OperatorTestSupport.b64(phc)));
        client.secrets().inNamespace(ns).resource(users).create();

        AtomicBoolean done = new AtomicBoolean();
        Thread statefulSetController = new Thread(() -> playStatefulSetController(ns, done), "fake-sts-controller");
        statefulSetController.start();
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            MailServer ms = OperatorTestSupport.mailServer(ns, "m" + i);
            ms.getSpec().accounts = new AccountsSpec("users");
            client.resource(ms).create();
        }
        await().atMost(Duration.ofMinutes(30)).pollInterval(Duration.ofMillis(250)).until(() -> readyCount(ns) == n);
        double seconds = (System.nanoTime() - start) / 1e9;
        done.set(true);
        statefulSetController.join();

        // Steady state: one event that makes every MailServer reconcile, nothing to change. The sleeps here are the
        // benchmark's fixed quiet windows (stray events settle, then writes are counted), not waits for a condition.
        Thread.sleep(2000);
        drain();
        long before = reconciler.reconcileCount();
        Secret u = client.secrets().inNamespace(ns).withName("users").get();
        u.getMetadata().setAnnotations(Map.of("nudge", "1"));
        client.secrets().inNamespace(ns).resource(u).update();
        await().atMost(Duration.ofMinutes(10)).until(() -> reconciler.reconcileCount() - before >= n);
        Thread.sleep(2000);
        long reconciles = reconciler.reconcileCount() - before;
        long writes = drain().stream().filter(r -> !r.getMethod().equals("GET")
                && !r.getPath().contains("/secrets/users")).count();

        System.gc();
        Thread.sleep(500); // lets the collector finish before the heap is read (a measurement, not a condition)
        long heapMb = (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20;
        System.out.printf("BENCH operator n=%d ready_seconds=%.1f steady_reconciles=%d steady_writes=%d "
                        + "heap_used_mb=%d rss_mb=%d (rss includes the in-process mock API server)%n",
                n, seconds, reconciles, writes, heapMb, rssMb());
    }

    private long readyCount(String ns) {
        return client.resources(MailServer.class).inNamespace(ns).list().getItems().stream()
                .filter(m -> "True".equals(OperatorTestSupport.condition(m, "Ready", false))).count();
    }

    /** Sets each new StatefulSet's status as the StatefulSet controller and kubelet would once the pod is ready. */
    private void playStatefulSetController(String ns, AtomicBoolean done) {
        Set<String> ready = new HashSet<>();
        while (!done.get()) {
            for (StatefulSet sts : client.apps().statefulSets().inNamespace(ns).list().getItems()) {
                if (ready.contains(sts.getMetadata().getName())) {
                    continue;
                }
                sts.setStatus(new StatefulSetStatusBuilder().withReplicas(1).withReadyReplicas(1)
                        .withAvailableReplicas(1).withUpdatedReplicas(1)
                        .withCurrentRevision("r1").withUpdateRevision("r1")
                        .withObservedGeneration(sts.getMetadata().getGeneration()).build());
                try {
                    client.apps().statefulSets().inNamespace(ns).resource(sts).updateStatus();
                    ready.add(sts.getMetadata().getName());
                } catch (RuntimeException e) {
                    // a conflict: the next pass retries
                }
            }
            try {
                Thread.sleep(200); // the simulated StatefulSet controller's pass interval
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private java.util.List<RecordedRequest> drain() throws InterruptedException {
        return OperatorTestSupport.drainRequests(server);
    }

    private static long rssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) >> 10;
                }
            }
        } catch (Exception e) {
            // not Linux
        }
        return -1;
    }
}
