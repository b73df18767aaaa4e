package io.sealmail.ship;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRule;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRuleBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectRulesReviewStatusBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.sealmail.http.HealthServer;
import io.sealmail.operator.api.v1alpha1.AccountsSpec;
import io.sealmail.operator.api.v1alpha1.MailServer;
import io.sealmail.operator.api.v1alpha1.MailServerSpec;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * A Fabric8 mock API server in CRUD mode with the CRD installed, the answer the SDK's leader election asks for
 * (deploy/'s Lease Role), a client of the test's own, and real {@code sealmail operator} processes pointed at it.
 */
final class MockCluster implements AutoCloseable {
    static final String LEASE_NAMESPACE = "sealmail-system";
    static final String LEASE = "sealmail-operator-leader";
    /** The test's own requests carry this User-Agent, so audits see only the operators'. */
    static final String TEST_CLIENT = "sealmail-operator-process-test";
    /** A PHC hash, so the operator copies it rather than spend Argon2id time. */
    /** The image of the operator's container in the Pods the processes "run in": the engine pods must get it too. */
    static final String OPERATOR_IMAGE = "registry.example.com/mirror/sealmail@sha256:" + "ab".repeat(32);
    static final String PHC = "$argon2id$v=19$m=19456,t=2,p=1$c2VhbG1haWwtdGVzdA$TmFSqXkeS4qTJ3qLdmYqk8V0b2xM1m0yJ8bB3mQXqWw";

    final KubernetesMockServer server;
    final KubernetesClient client;
    final Manifests rbac;
    private final List<OperatorProcess> processes = new ArrayList<>();

    MockCluster() throws IOException {
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        server = new KubernetesMockServer(new Context(), new MockWebServer(), responses,
                new KubernetesMixedDispatcher(responses), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        client = new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl(server.url("/"))
                .withUserAgent(TEST_CLIENT).withTrustCerts(true).withNamespace("default").build()).build();
        client.resource(Files.readString(Path.of("crds", "mailservers.sealmail.io-v1.yml"))).create();
        rbac = Manifests.parse(Files.readString(Path.of("deploy", "rbac.yaml")));
        // The SDK checks its Lease permissions with a SelfSubjectRulesReview before electing: answer with deploy/'s Role.
        List<ResourceRule> rules = new ArrayList<>();
        for (JsonNode rule : rbac.one("Role").path("rules")) {
            rules.add(new ResourceRuleBuilder().withApiGroups(strings(rule.path("apiGroups")))
                    .withResources(strings(rule.path("resources"))).withVerbs(strings(rule.path("verbs"))).build());
        }
        SelfSubjectRulesReview review = new SelfSubjectRulesReview();
        review.setStatus(new SubjectRulesReviewStatusBuilder().withIncomplete(false).withResourceRules(rules)
                .withNonResourceRules(List.of()).build());
        server.expect().post().withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
                .andReturn(201, review).always();
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** Starts {@code sealmail operator} with deploy/'s settings and memory limit, and waits until it is ready. */
    OperatorProcess operator(String name, Map<String, String> env, Duration timeout) throws IOException {
        Map<String, String> all = new HashMap<>(env);
        all.put("SEALMAIL_OPERATOR_LEASE_NAMESPACE", LEASE_NAMESPACE); // deploy/ sets it from the pod's namespace
        // Each process runs "in" a Pod of its name, as deploy/ tells it through the downward API; a sidecar beside
        // it (a service mesh's) must not be taken for it.
        client.pods().inNamespace(LEASE_NAMESPACE).resource(new io.fabric8.kubernetes.api.model.PodBuilder()
                .withNewMetadata().withName(name).endMetadata()
                .withNewSpec().addNewContainer().withName("istio-proxy").withImage("docker.io/istio/proxyv2:1.24.0").endContainer()
                .addNewContainer().withName("operator").withImage(OPERATOR_IMAGE).endContainer().endSpec().build())
                .createOr(existing -> existing.update());
        all.put("SEALMAIL_OPERATOR_POD_NAME", name);
        all.put("SEALMAIL_OPERATOR_POD_NAMESPACE", LEASE_NAMESPACE);
        // deploy/'s memory limit (512Mi) with its JAVA_TOOL_OPTIONS; -Dsealmail.operator.jvm adds options to try.
        List<String> jvm = new ArrayList<>(List.of("-XX:MaxRAM=512m"));
        jvm.addAll(List.of(OperatorInstall.DEPLOY_JAVA_TOOL_OPTIONS.split(" ")));
        String extra = System.getProperty("sealmail.operator.jvm", "");
        if (!extra.isBlank()) {
            jvm.addAll(List.of(extra.trim().split("\\s+")));
        }
        OperatorProcess p = OperatorProcess.start(name, server.url("/").replaceAll("/$", ""), all, jvm);
        processes.add(p);
        await().atMost(timeout).pollInterval(Duration.ofMillis(500)).failFast(() -> {
            if (!p.process.isAlive()) {
                throw new AssertionError(name + " exited " + p.process.exitValue() + ":\n" + p.log());
            }
        }).until(() -> p.status(HealthServer.READINESS_PATH) == 200);
        return p;
    }

    String leaseHolder() {
        Lease lease = client.leases().inNamespace(LEASE_NAMESPACE).withName(LEASE).get();
        return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
    }

    static MailServer mailServer(String ns, String name) {
        MailServerSpec spec = new MailServerSpec();
        spec.domains = List.of("example.com");
        spec.hostname = "mail.example.com";
        spec.accounts = new AccountsSpec("users");
        return new MailServer(ns, name, spec);
    }

    static Secret users(String ns) {
        return new SecretBuilder().withNewMetadata().withName("users").withNamespace(ns).endMetadata()
                .withData(Map.of("alice", Base64.getEncoder().encodeToString(PHC.getBytes(StandardCharsets.UTF_8))))
                .build();
    }

    String ready(String ns, String name) {
        return ready(client.resources(MailServer.class).inNamespace(ns).withName(name).get());
    }

    static String ready(MailServer ms) {
        if (ms == null || ms.getStatus() == null || ms.getStatus().conditions == null) {
            return null;
        }
        return ms.getStatus().conditions.stream().filter(c -> c.getType().equals("Ready")).findFirst()
                .map(c -> c.getStatus()).orElse(null);
    }

    /** The StatefulSet controller's part: report the pod of an existing StatefulSet ready; false on a conflict. */
    boolean markPodsReady(StatefulSet sts) {
        sts.setStatus(new StatefulSetStatusBuilder().withReplicas(1).withReadyReplicas(1).withAvailableReplicas(1)
                .withUpdatedReplicas(1).withCurrentRevision("r1").withUpdateRevision("r1")
                .withObservedGeneration(sts.getMetadata().getGeneration()).build());
        try {
            client.apps().statefulSets().inNamespace(sts.getMetadata().getNamespace()).resource(sts).updateStatus();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Waits for the operator to make the StatefulSet, then reports its pod ready. */
    void playPodsReady(String ns, String name) {
        await().atMost(Duration.ofSeconds(90)).until(() -> {
            StatefulSet sts = client.apps().statefulSets().inNamespace(ns).withName(name).get();
            return sts != null && markPodsReady(sts);
        });
    }

    /** Every request recorded so far (then forgotten), except the test's own. */
    List<RecordedRequest> operatorRequests() throws InterruptedException {
        List<RecordedRequest> all = new ArrayList<>();
        RecordedRequest r;
        while ((r = server.takeRequest(10, TimeUnit.MILLISECONDS)) != null) {
            if (!TEST_CLIENT.equals(r.getHeader("User-Agent"))) {
                all.add(r);
            }
        }
        return all;
    }

    @Override
    public void close() throws Exception {
        for (OperatorProcess p : processes) {
            p.close();
        }
        client.close();
        server.destroy();
    }
}
