package io.sealmail.ship;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

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
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two real {@code sealmail operator} processes (the packaged application, prod profile, deploy/'s settings) against
 * one mock API server: health and readiness endpoints, leader election through a Lease with the standby taking over,
 * a watched-namespace list, and every request either process made checked against deploy/rbac.yaml.
 */
class OperatorProcessIT {
    static final String LEASE_NAMESPACE = "sealmail-system";
    static final String LEASE = "sealmail-operator-leader";
    static final Duration START = Duration.ofMinutes(3);
    static final String TEST_CLIENT = "sealmail-operator-process-test";

    private KubernetesMockServer server;
    private KubernetesClient client;
    private final List<OperatorProcess> processes = new ArrayList<>();
    private Manifests rbac;

    @BeforeEach
    void startApiServer() throws Exception {
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        server = new KubernetesMockServer(new Context(), new MockWebServer(), responses,
                new KubernetesMixedDispatcher(responses), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        // The test's own requests carry their own User-Agent, so the RBAC audit below sees only the operators'.
        client = new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl(server.url("/"))
                .withUserAgent(TEST_CLIENT).withTrustCerts(true).withNamespace("default").build()).build();
        client.resource(Files.readString(Path.of("crds", "mailservers.sealmail.io-v1.yml"))).create();
        rbac = Manifests.parse(Files.readString(Path.of("deploy", "rbac.yaml")));
        // The SDK checks its Lease permissions with a SelfSubjectRulesReview before electing: answer with deploy/'s Role.
        SelfSubjectRulesReview review = new SelfSubjectRulesReview();
        var rules = new ArrayList<io.fabric8.kubernetes.api.model.authorization.v1.ResourceRule>();
        for (JsonNode rule : rbac.one("Role").path("rules")) {
            rules.add(new ResourceRuleBuilder().withApiGroups(strings(rule.path("apiGroups")))
                    .withResources(strings(rule.path("resources"))).withVerbs(strings(rule.path("verbs"))).build());
        }
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

    @AfterEach
    void stopAll() throws Exception {
        for (OperatorProcess p : processes) {
            p.close();
        }
        client.close();
        server.destroy();
    }

    private OperatorProcess operator(String name, Map<String, String> env) throws Exception {
        Map<String, String> all = new HashMap<>(env);
        all.put("SEALMAIL_OPERATOR_LEASE_NAMESPACE", LEASE_NAMESPACE); // deploy/ sets it from the pod's namespace
        // deploy/'s memory limit (512Mi) with its JAVA_TOOL_OPTIONS (-XX:MaxRAMPercentage=75).
        OperatorProcess p = OperatorProcess.start(name, server.url("/").replaceAll("/$", ""), all,
                List.of("-XX:MaxRAM=512m", "-XX:MaxRAMPercentage=75"));
        processes.add(p);
        await().atMost(START).pollInterval(Duration.ofMillis(500)).failFast(() -> {
            if (!p.process.isAlive()) {
                throw new AssertionError(name + " exited " + p.process.exitValue() + ":\n" + p.log());
            }
        }).until(() -> p.status(HealthServer.READINESS_PATH) == 200);
        return p;
    }

    private String holder() {
        Lease lease = client.leases().inNamespace(LEASE_NAMESPACE).withName(LEASE).get();
        return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
    }

    @Test
    void twoReplicasElectOneLeaderWhichReconcilesOnlyTheWatchedNamespaces() throws Exception {
        Map<String, String> env = Map.of("QUARKUS_OPERATOR_SDK_NAMESPACES", "watched");
        for (String ns : List.of("watched", "unwatched")) {
            client.secrets().inNamespace(ns).resource(users(ns)).create();
        }
        client.resource(mailServer("unwatched", "mail")).create();

        OperatorProcess a = operator("operator-a", env);
        assertThat(a.status(HealthServer.LIVENESS_PATH)).isEqualTo(200);
        await().atMost(Duration.ofSeconds(60)).until(() -> "operator-a".equals(holder()));
        OperatorProcess b = operator("operator-b", env);
        assertThat(b.status(HealthServer.READINESS_PATH)).as("a standby is ready: its informers run").isEqualTo(200);

        client.resource(mailServer("watched", "mail")).create();
        playPodsReady("watched", "mail");
        await().atMost(Duration.ofSeconds(90)).until(() -> "True".equals(ready("watched", "mail")));
        assertThat(a.metric("sealmail_operator_reconciles_total")).isPositive();
        assertThat(b.metric("sealmail_operator_reconciles_total")).as("the standby reconciles nothing").isZero();
        assertThat(holder()).isEqualTo("operator-a");

        // Not in the list: never reconciled, nothing made for it.
        assertThat(client.resources(MailServer.class).inNamespace("unwatched").withName("mail").get().getStatus()).isNull();
        assertThat(client.apps().statefulSets().inNamespace("unwatched").list().getItems()).isEmpty();
        assertThat(client.configMaps().inNamespace("unwatched").list().getItems()).isEmpty();
        assertThat(client.secrets().inNamespace("unwatched").list().getItems()).extracting(s -> s.getMetadata().getName())
                .containsExactly("users");

        // The leader goes away (SIGTERM, as in a rollout): it releases the Lease, the standby takes over.
        a.stop();
        await().atMost(Duration.ofSeconds(60)).until(() -> "operator-b".equals(holder()));
        client.resource(mailServer("watched", "second")).create();
        playPodsReady("watched", "second");
        await().atMost(Duration.ofSeconds(90)).until(() -> "True".equals(ready("watched", "second")));
        assertThat(b.metric("sealmail_operator_reconciles_total")).isPositive();
        b.stop();

        // Every request either replica made is one deploy/rbac.yaml allows.
        List<RbacAudit.Access> accesses = new ArrayList<>();
        RecordedRequest r;
        while ((r = server.takeRequest(10, TimeUnit.MILLISECONDS)) != null) {
            boolean operators = !TEST_CLIENT.equals(r.getHeader("User-Agent"));
            RbacAudit.Access access = RbacAudit.access(r.getMethod(), r.getPath());
            if (access != null && operators) {
                accesses.add(access);
            }
        }
        assertThat(RbacAudit.denied(accesses, rbac.one("ClusterRole"), rbac.one("Role"), LEASE_NAMESPACE))
                .as("requests deploy/rbac.yaml does not allow").isEmpty();
        // And the other way round: a grant no request used here is one of the few a rarer path needs.
        Set<String> unused = new TreeSet<>(RbacAudit.grants(rbac.one("ClusterRole")));
        unused.addAll(RbacAudit.grants(rbac.one("Role")));
        RbacAudit.used(accesses).forEach(unused::remove);
        assertThat(unused).as("granted, never used").allMatch(g -> g.startsWith("get ") || g.startsWith("update ")
                || g.equals("delete core/secrets"));
    }

    private String ready(String ns, String name) {
        MailServer ms = client.resources(MailServer.class).inNamespace(ns).withName(name).get();
        if (ms == null || ms.getStatus() == null || ms.getStatus().conditions == null) {
            return null;
        }
        return ms.getStatus().conditions.stream().filter(c -> c.getType().equals("Ready")).findFirst()
                .map(c -> c.getStatus()).orElse(null);
    }

    /** The StatefulSet controller's part: once the operator made the StatefulSet, report its pod ready. */
    private void playPodsReady(String ns, String name) {
        await().atMost(Duration.ofSeconds(90)).until(() -> client.apps().statefulSets().inNamespace(ns).withName(name).get() != null);
        StatefulSet sts = client.apps().statefulSets().inNamespace(ns).withName(name).get();
        sts.setStatus(new StatefulSetStatusBuilder().withReplicas(1).withReadyReplicas(1).withAvailableReplicas(1)
                .withUpdatedReplicas(1).withCurrentRevision("r1").withUpdateRevision("r1")
                .withObservedGeneration(sts.getMetadata().getGeneration()).build());
        client.apps().statefulSets().inNamespace(ns).resource(sts).updateStatus();
    }

    private static MailServer mailServer(String ns, String name) {
        MailServerSpec spec = new MailServerSpec();
        spec.domains = List.of("example.com");
        spec.hostname = "mail.example.com";
        spec.accounts = new AccountsSpec("users");
        return new MailServer(ns, name, spec);
    }

    /** A PHC hash, so the operator copies it rather than spend Argon2id time in the test. */
    private static Secret users(String ns) {
        String phc = "$argon2id$v=19$m=19456,t=2,p=1$c2VhbG1haWwtdGVzdA$TmFSqXkeS4qTJ3qLdmYqk8V0b2xM1m0yJ8bB3mQXqWw";
        return new SecretBuilder().withNewMetadata().withName("users").withNamespace(ns).endMetadata()
                .withData(Map.of("alice", Base64.getEncoder().encodeToString(phc.getBytes(StandardCharsets.UTF_8))))
                .build();
    }
}
