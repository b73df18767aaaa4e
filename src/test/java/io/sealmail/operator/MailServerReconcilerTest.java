package io.sealmail.operator;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.javaoperatorsdk.operator.Operator;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.sealmail.ca.CaSpec;
import io.sealmail.ca.CertificateAuthority;
import io.sealmail.ca.IssuedCertificate;
import io.sealmail.ca.LeafSpec;
import io.sealmail.ca.Pem;
import io.sealmail.config.EngineConfig;
import io.sealmail.config.EngineConfigYaml;
import io.sealmail.config.Role;
import io.sealmail.operator.api.v1alpha1.MailServer;
import io.sealmail.operator.api.v1alpha1.Protocol;
import io.sealmail.operator.api.v1alpha1.ServiceSpec;
import io.sealmail.operator.api.v1alpha1.TlsSpec;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.sealmail.operator.OperatorTestSupport.TIMEOUT;
import static io.sealmail.operator.OperatorTestSupport.b64;
import static io.sealmail.operator.OperatorTestSupport.condition;
import static io.sealmail.operator.OperatorTestSupport.events;
import static io.sealmail.operator.OperatorTestSupport.get;
import static io.sealmail.operator.OperatorTestSupport.mailServer;
import static io.sealmail.operator.OperatorTestSupport.markPodsReady;
import static io.sealmail.operator.OperatorTestSupport.text;
import static io.sealmail.operator.OperatorTestSupport.updateSpec;
import static io.sealmail.operator.OperatorTestSupport.usersSecret;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The reconciler against the Fabric8 mock API server in CRUD mode (no SSA, no GC, no schema: BUILD.md). */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class MailServerReconcilerTest {
    @KubernetesTestServer
    KubernetesServer server;
    @Inject
    KubernetesClient client;
    @Inject
    Operator operator;
    @Inject
    MailServerReconciler reconciler;
    @Inject
    EngineStatefulSetDependent statefulSets;
    @Inject
    MailServiceDependent services;
    @Inject
    HeadlessServiceDependent headlessServices;

    @BeforeEach
    void start() {
        OperatorTestSupport.start(operator);
    }

    @AfterEach
    void resetClock() {
        ShiftedClock.shift = Duration.ZERO;
    }

    /** Creates the users Secret and the MailServer, plays the pods ready, and waits for Ready=True. */
    private MailServer readyMailServer(String ns, String name) {
        client.secrets().inNamespace(ns).resource(usersSecret(ns, name + "-users",
                Map.of("alice_example.com", "correct horse", "bob", "battery staple"))).create();
        client.resource(mailServer(ns, name)).create();
        markPodsReady(client, ns, name);
        await().atMost(TIMEOUT).until(() -> "True".equals(condition(get(client, ns, name), "Ready", false)));
        return get(client, ns, name);
    }

    private Secret secret(String ns, String name) {
        return client.secrets().inNamespace(ns).withName(name).get();
    }

    @Test
    void aMailServerGetsEveryResourceWithTheRightContent() throws Exception {
        String ns = OperatorTestSupport.namespace("all");
        MailServer ms = readyMailServer(ns, "mail");

        // The namespace CA: created, owned by nobody.
        Secret caSecret = secret(ns, Names.CA_SECRET);
        assertThat(caSecret.getMetadata().getOwnerReferences()).isNullOrEmpty();
        X509Certificate ca = Pem.readCertificate(text(caSecret, "ca.crt"));
        CertificateAuthority.fromPem(text(caSecret, "ca.crt"), text(caSecret, "ca.key"), Clock.systemUTC());

        // The certificate chains to it, covers every name, and matches its key.
        Secret tls = secret(ns, "mail-tls");
        assertThat(tls.getType()).isEqualTo("kubernetes.io/tls");
        assertOwnedBy(tls.getMetadata().getOwnerReferences(), ms);
        X509Certificate leaf = Pem.readCertificates(text(tls, "tls.crt")).get(0);
        leaf.verify(ca.getPublicKey());
        assertThat(text(tls, "ca.crt")).isEqualTo(text(caSecret, "ca.crt"));
        assertThat(ServingCertificate.dnsNames(leaf)).containsExactly("mail.example.com", "mail", "mail." + ns,
                "mail." + ns + ".svc", "mail." + ns + ".svc.cluster.local");
        assertThat(CertificateAuthority.keyMatches(Pem.readPrivateKey(text(tls, "tls.key")), leaf.getPublicKey())).isTrue();

        // Accounts: Argon2id hashes of the passwords, one line per address.
        Map<String, String> accounts = AccountsFile.parse(text(secret(ns, "mail-accounts"), "accounts"));
        assertThat(accounts).containsOnlyKeys("alice@example.com", "bob@example.com");
        assertThat(accounts.get("alice@example.com")).startsWith("$argon2id$v=19$m=19456,t=2,p=1$");
        assertThat(new Argon2idHasher().matches("correct horse", accounts.get("alice@example.com"))).isTrue();
        assertThat(new Argon2idHasher().matches("battery staple", accounts.get("bob@example.com"))).isTrue();
        assertThat(text(secret(ns, "mail-accounts"), "accounts")).doesNotContain("correct horse");

        // Config: the engine's own type, read back the way the engine reads it.
        ConfigMap cm = client.configMaps().inNamespace(ns).withName("mail-config").get();
        assertOwnedBy(cm.getMetadata().getOwnerReferences(), ms);
        EngineConfig config = EngineConfigYaml.read(cm.getData().get("engine.yaml"));
        assertThat(config.hostname()).isEqualTo("mail.example.com");
        assertThat(config.listeners()).extracting(l -> l.role().id() + ":" + l.port())
                .containsExactly("smtp:2525", "submission:5587", "smtps:4465", "pop3s:1995", "imaps:1993");
        assertThat(config.tls().certFile()).isEqualTo(EngineContainer.TLS_CERT_FILE);
        assertThat(config.accountsFile()).isEqualTo(EngineContainer.ACCOUNTS_FILE);

        // StatefulSet: hardened pod, probes, read-only config, a PVC, the config checksum.
        StatefulSet sts = client.apps().statefulSets().inNamespace(ns).withName("mail").get();
        assertOwnedBy(sts.getMetadata().getOwnerReferences(), ms);
        var pod = sts.getSpec().getTemplate().getSpec();
        Container engine = pod.getContainers().get(0);
        assertThat(engine.getImage()).isEqualTo(EngineContainer.DEFAULT_IMAGE);
        assertThat(engine.getCommand()).containsExactly("sealmail");
        assertThat(engine.getArgs()).containsExactly("engine", "--config", "/etc/sealmail/engine.yaml");
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        assertThat(engine.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(engine.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(engine.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(engine.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(engine.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
        assertThat(engine.getPorts()).allSatisfy(p -> assertThat(p.getContainerPort()).isGreaterThan(1024));
        assertThat(engine.getVolumeMounts()).filteredOn(m -> m.getMountPath().equals("/etc/sealmail"))
                .singleElement().satisfies(m -> assertThat(m.getReadOnly()).isTrue());
        assertThat(sts.getSpec().getVolumeClaimTemplates()).singleElement().satisfies(pvc ->
                assertThat(pvc.getSpec().getResources().getRequests().get("storage").toString()).isEqualTo("1Gi"));
        assertThat(sts.getSpec().getTemplate().getMetadata().getAnnotations().get(Names.CONFIG_CHECKSUM))
                .isEqualTo(EngineConfigRenderer.checksum(cm.getData().get("engine.yaml")));
        var sources = pod.getVolumes().stream().filter(v -> v.getProjected() != null).findFirst().orElseThrow()
                .getProjected().getSources();
        assertThat(sources).anySatisfy(s -> assertThat(s.getSecret() != null
                && s.getSecret().getName().equals("mail-tls")).isTrue());

        // Services: exactly the chosen ports, standard numbers onto the pod's named ports.
        Service svc = client.services().inNamespace(ns).withName("mail").get();
        assertThat(svc.getSpec().getPorts()).extracting(p -> p.getName() + ":" + p.getPort() + ">" + p.getTargetPort().getStrVal())
                .containsExactly("smtp:25>smtp", "submission:587>submission", "smtps:465>smtps", "pop3s:995>pop3s",
                        "imaps:993>imaps");
        assertThat(client.services().inNamespace(ns).withName("mail-headless").get().getSpec().getClusterIP())
                .isEqualTo("None");

        // Status: conditions, certificate and endpoints, and the Events.
        assertThat(ms.getStatus().observedGeneration).isEqualTo(ms.getMetadata().getGeneration());
        assertThat(ms.getStatus().conditions).extracting(c -> c.getType() + "=" + c.getStatus()).containsExactly(
                "Ready=True", "CertificateReady=True", "Available=True", "Progressing=False", "Degraded=False",
                "ClientAddressesPreserved=True", "StorageAsRequested=True", "OutboundReady=True");
        assertThat(ms.getStatus().certificate.serial).isEqualTo(leaf.getSerialNumber().toString(16));
        assertThat(Instant.parse(ms.getStatus().certificate.notAfter)).isEqualTo(leaf.getNotAfter().toInstant());
        assertThat(ms.getStatus().certificate.renewalTime).isNotNull();
        assertThat(ms.getStatus().endpoints).extracting(e -> e.protocol + ":" + e.port)
                .containsExactly("smtp:25", "submission:587", "smtps:465", "pop3s:995", "imaps:993");
        assertThat(events(client, ns, "CertificateIssued")).hasSize(1);
    }

    private static void assertOwnedBy(List<OwnerReference> refs, MailServer ms) {
        assertThat(refs).singleElement().satisfies(r -> {
            assertThat(r.getUid()).isEqualTo(ms.getMetadata().getUid());
            assertThat(r.getKind()).isEqualTo("MailServer");
            assertThat(r.getController()).isTrue();
        });
    }

    /**
     * A steady state writes nothing, also after the API server stored the objects its own way (issue 16, item 9):
     * here the test plays kube-apiserver ({@link ApiServerDefaults}: defaults, {@code cpu: "0.5"} stored as
     * {@code 500m}, {@code 1024Mi} as {@code 1Gi}) and waits until the operator's informers hold exactly those
     * versions, then drives reconciles by events. No resourceVersion may move since the objects were stored (the
     * MailServer's since before), and the reconciles may write nothing else. Every reconcile after the wait compares
     * with the canonicalised objects, so a write made in reply to them is seen on every run, however the threads are
     * timed; a reconcile that ran while they were being stored (the old version of an object in its hands, the new
     * one already in the cache) must write nothing either.
     */
    @Test
    void reconcilesWithNothingChangedWriteNothingEvenAfterTheApiServerCanonicalisedTheObjects() throws Exception {
        String ns = OperatorTestSupport.namespace("steady");
        client.secrets().inNamespace(ns).resource(usersSecret(ns, "mail-users", Map.of("alice", "pw"))).create();
        MailServer ms = mailServer(ns, "mail");
        ms.getSpec().resources = new ResourceRequirementsBuilder()
                .withRequests(Map.of("cpu", new Quantity("0.5"), "memory", new Quantity("1024Mi")))
                .withLimits(Map.of("memory", new Quantity("1.5Gi"))).build();
        ms.getSpec().service = new ServiceSpec(ServiceSpec.Type.LoadBalancer);
        client.resource(ms).create();
        markPodsReady(client, ns, "mail");
        await().atMost(TIMEOUT).until(() -> "True".equals(condition(get(client, ns, "mail"), "Ready", false)));

        reconcileByEvents(ns, "mail", 1);
        Map<String, String> before = versions(ns, "mail");
        // The versions as stored, not read again later: a write the operator makes at once in reply must show.
        Map<String, String> stored = storeAsTheApiServerWould(ns, "mail");
        before.putAll(stored);
        drainRequests();
        MailServer current = get(client, ns, "mail");
        await().atMost(TIMEOUT).until(() -> cached(statefulSets, current, stored.get("statefulset"))
                && cached(services, current, stored.get("service"))
                && cached(headlessServices, current, stored.get("headless")));
        assertThat(client.apps().statefulSets().inNamespace(ns).withName("mail").get().getSpec().getTemplate().getSpec()
                .getContainers().get(0).getResources().getRequests().get("cpu").toString()).isEqualTo("500m");

        reconcileByEvents(ns, "mail", 5);
        assertThat(versions(ns, "mail")).as("resourceVersions after 5 reconciles").isEqualTo(before);
        List<String> writes = new ArrayList<>();
        for (RecordedRequest r : drainRequests()) {
            boolean write = !r.getMethod().equals("GET");
            boolean ours = r.getPath().contains("/secrets/" + Names.CA_SECRET);
            // Other tests' MailServers (say, one retrying a refused write) live in other namespaces.
            boolean here = r.getPath().contains("/namespaces/" + ns + "/");
            if (write && !ours && here) {
                writes.add(r.getMethod() + " " + r.getPath());
            }
        }
        assertThat(writes).as("write requests in reconciles with nothing changed").isEmpty();
    }

    /** True once the dependent's informer holds this version of its object (the operator's view of the cluster). */
    private static boolean cached(OwnedDependent<?> dependent, MailServer ms, String version) {
        return dependent.actual(ms).map(o -> version.equals(o.getMetadata().getResourceVersion())).orElse(false);
    }

    /**
     * Stores every object the MailServer owns again the way kube-apiserver would have stored it. The StatefulSet
     * controller's answer comes first: the mock server counts the added defaults as a new generation (a real one
     * does not), and with status written second a reconcile in between would rightly say Progressing for a moment.
     */
    private Map<String, String> storeAsTheApiServerWould(String ns, String name) {
        var json = client.getKubernetesSerialization();
        Map<String, String> versions = new java.util.HashMap<>();
        StatefulSet sts = client.apps().statefulSets().inNamespace(ns).withName(name).get();
        // A 409 on either write means the operator wrote since the test read the object.
        sts.getStatus().setObservedGeneration(sts.getMetadata().getGeneration() + 1);
        StatefulSet observed = client.apps().statefulSets().inNamespace(ns).resource(sts).updateStatus();
        StatefulSet stored = client.apps().statefulSets().inNamespace(ns).resource(json.convertValue(
                ApiServerDefaults.apply(json.convertValue(observed, JsonNode.class)), StatefulSet.class)).update();
        assertThat(stored.getMetadata().getGeneration()).as("generation after the defaults were stored")
                .isEqualTo(observed.getStatus().getObservedGeneration());
        versions.put("statefulset", stored.getMetadata().getResourceVersion());
        for (String service : List.of(name, name + "-headless")) {
            Service svc = client.services().inNamespace(ns).withName(service).get();
            versions.put(service.equals(name) ? "service" : "headless", client.services().inNamespace(ns)
                    .resource(json.convertValue(ApiServerDefaults.apply(json.convertValue(svc, JsonNode.class)),
                            Service.class)).update().getMetadata().getResourceVersion());
        }
        return versions;
    }

    /**
     * Drives {@code n} reconciles of one MailServer, each started by an event (an annotation on the namespace's CA
     * Secret, which concerns every MailServer there and which the operator never writes), and returns once each has
     * run to its end: a write any of them made is in the cluster by then. (Not the users' Secret: the accounts file
     * records which version of it it was derived from, so a new version of it is rightly a write.)
     */
    private void reconcileByEvents(String ns, String name, int n) {
        reconcileByEvents(ns, name, Names.CA_SECRET, n);
    }

    private void reconcileByEvents(String ns, String name, String secretName, int n) {
        for (int i = 0; i < n; i++) {
            long before = reconciler.reconcileCount(ns, name);
            Secret users = secret(ns, secretName);
            users.getMetadata().setAnnotations(Map.of("test.sealmail.io/nudge", before + "-" + i));
            client.secrets().inNamespace(ns).resource(users).update();
            await().atMost(TIMEOUT).until(() -> reconciler.reconcileCount(ns, name) > before);
        }
    }

    /** resourceVersion of the MailServer and of everything it owns. */
    private Map<String, String> versions(String ns, String name) {
        Map<String, String> versions = new java.util.TreeMap<>();
        versions.put("mailserver", get(client, ns, name).getMetadata().getResourceVersion());
        versions.put("statefulset", client.apps().statefulSets().inNamespace(ns).withName(name).get().getMetadata().getResourceVersion());
        versions.put("service", client.services().inNamespace(ns).withName(name).get().getMetadata().getResourceVersion());
        versions.put("headless", client.services().inNamespace(ns).withName(name + "-headless").get().getMetadata().getResourceVersion());
        versions.put("config", client.configMaps().inNamespace(ns).withName(name + "-config").get().getMetadata().getResourceVersion());
        versions.put("tls", secret(ns, name + "-tls").getMetadata().getResourceVersion());
        versions.put("accounts", secret(ns, name + "-accounts").getMetadata().getResourceVersion());
        return versions;
    }

    /**
     * A real API server adds managedFields to every object (the mock server keeps what it is sent): the operator's
     * informer caches it without them (JsonItemStore), and they cost no write.
     */
    @Test
    void theCacheOfOwnedObjectsDropsManagedFieldsAndThatCostsNoWrite() throws Exception {
        String ns = OperatorTestSupport.namespace("managed");
        MailServer ms = readyMailServer(ns, "mail");
        reconcileByEvents(ns, "mail", 2);
        StatefulSet sts = client.apps().statefulSets().inNamespace(ns).withName("mail").get();
        sts.getMetadata().setManagedFields(List.of(new io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder()
                .withManager("kube-controller-manager").withOperation("Update").withApiVersion("apps/v1")
                .withFieldsType("FieldsV1").build()));
        drainRequests();
        long before = reconciler.reconcileCount(ns, "mail");
        String version = client.apps().statefulSets().inNamespace(ns).resource(sts).update().getMetadata().getResourceVersion();
        assertThat(client.apps().statefulSets().inNamespace(ns).withName("mail").get().getMetadata().getManagedFields())
                .as("the mock server keeps managedFields").hasSize(1);

        await().atMost(TIMEOUT).until(() -> statefulSets.actual(ms)
                .map(s -> version.equals(s.getMetadata().getResourceVersion())).orElse(false));
        assertThat(statefulSets.actual(ms).orElseThrow().getMetadata().getManagedFields()).isNullOrEmpty();
        await().atMost(TIMEOUT).until(() -> reconciler.reconcileCount(ns, "mail") > before);
        reconcileByEvents(ns, "mail", 3);
        List<String> writes = new ArrayList<>();
        for (RecordedRequest r : drainRequests()) {
            if (!r.getMethod().equals("GET") && r.getPath().contains("/namespaces/" + ns + "/")
                    && !r.getPath().endsWith("/statefulsets/mail") && !r.getPath().endsWith("/secrets/" + Names.CA_SECRET)) {
                writes.add(r.getMethod() + " " + r.getPath());
            }
        }
        assertThat(writes).as("write requests after a change of managedFields only").isEmpty();
    }

    private List<RecordedRequest> drainRequests() throws InterruptedException {
        return OperatorTestSupport.drainRequests(server);
    }

    @Test
    void changingOneFieldChangesOnlyWhatDependsOnIt() {
        String ns = OperatorTestSupport.namespace("change");
        readyMailServer(ns, "mail");
        String tlsVersion = secret(ns, "mail-tls").getMetadata().getResourceVersion();
        String accountsVersion = secret(ns, "mail-accounts").getMetadata().getResourceVersion();
        String serviceVersion = client.services().inNamespace(ns).withName("mail").get().getMetadata().getResourceVersion();
        String oldYaml = client.configMaps().inNamespace(ns).withName("mail-config").get().getData().get("engine.yaml");

        MailServer ms = get(client, ns, "mail");
        ms.getSpec().limits = new io.sealmail.operator.api.v1alpha1.LimitsSpec();
        ms.getSpec().limits.maxRecipients = 250;
        updateSpec(client, ms);

        await().atMost(TIMEOUT).until(() -> EngineConfigYaml.read(client.configMaps().inNamespace(ns)
                .withName("mail-config").get().getData().get("engine.yaml")).limits().maxRecipients() == 250);
        String newYaml = client.configMaps().inNamespace(ns).withName("mail-config").get().getData().get("engine.yaml");
        await().atMost(TIMEOUT).until(() -> EngineConfigRenderer.checksum(newYaml).equals(
                client.apps().statefulSets().inNamespace(ns).withName("mail").get().getSpec().getTemplate()
                        .getMetadata().getAnnotations().get(Names.CONFIG_CHECKSUM)));
        assertThat(newYaml).isNotEqualTo(oldYaml);
        assertThat(secret(ns, "mail-tls").getMetadata().getResourceVersion()).isEqualTo(tlsVersion);
        assertThat(secret(ns, "mail-accounts").getMetadata().getResourceVersion()).isEqualTo(accountsVersion);
        assertThat(client.services().inNamespace(ns).withName("mail").get().getMetadata().getResourceVersion())
                .isEqualTo(serviceVersion);

        // A new password changes the accounts file only: no restart (the checksum stays), same certificate.
        String checksum = client.apps().statefulSets().inNamespace(ns).withName("mail").get().getSpec().getTemplate()
                .getMetadata().getAnnotations().get(Names.CONFIG_CHECKSUM);
        Secret users = secret(ns, "mail-users");
        users.getData().put("alice_example.com", b64("a new password"));
        client.secrets().inNamespace(ns).resource(users).update();
        await().atMost(TIMEOUT).until(() -> new Argon2idHasher().matches("a new password",
                AccountsFile.parse(text(secret(ns, "mail-accounts"), "accounts")).get("alice@example.com")));
        assertThat(client.apps().statefulSets().inNamespace(ns).withName("mail").get().getSpec().getTemplate()
                .getMetadata().getAnnotations().get(Names.CONFIG_CHECKSUM)).isEqualTo(checksum);
        assertThat(secret(ns, "mail-tls").getMetadata().getResourceVersion()).isEqualTo(tlsVersion);

        // An extra DNS name reissues the certificate and touches nothing else.
        String configVersion = client.configMaps().inNamespace(ns).withName("mail-config").get().getMetadata().getResourceVersion();
        ms = get(client, ns, "mail");
        ms.getSpec().tls = new TlsSpec();
        ms.getSpec().tls.extraDnsNames = List.of("smtp.example.com");
        updateSpec(client, ms);
        await().atMost(TIMEOUT).until(() -> ServingCertificate.read(secret(ns, "mail-tls")).dnsNames()
                .contains("smtp.example.com"));
        assertThat(client.configMaps().inNamespace(ns).withName("mail-config").get().getMetadata().getResourceVersion())
                .isEqualTo(configVersion);
    }

    /** {@code lmtp} is cluster-internal: on {@code <name>-internal} only, never on the LoadBalancer. */
    @Test
    void lmtpIsOnlyOnTheInternalService() {
        String ns = OperatorTestSupport.namespace("lmtp");
        client.secrets().inNamespace(ns).resource(usersSecret(ns, "mail-users", Map.of("alice", "pw"))).create();
        MailServer ms = mailServer(ns, "mail");
        ms.getSpec().ports = List.of(Protocol.SMTP, Protocol.LMTP);
        ms.getSpec().service = new ServiceSpec(ServiceSpec.Type.LoadBalancer);
        client.resource(ms).create();
        markPodsReady(client, ns, "mail");
        await().atMost(TIMEOUT).until(() -> client.services().inNamespace(ns).withName("mail-internal").get() != null
                && client.services().inNamespace(ns).withName("mail").get() != null);
        assertThat(client.services().inNamespace(ns).withName("mail").get().getSpec().getPorts())
                .extracting(ServicePort::getName).containsExactly("smtp");
        assertThat(client.services().inNamespace(ns).withName("mail-internal").get().getSpec().getPorts())
                .extracting(p -> p.getPort() + ">" + p.getTargetPort().getStrVal()).containsExactly("25>smtp", "24>lmtp");
        EngineConfig config = EngineConfigYaml.read(client.configMaps().inNamespace(ns).withName("mail-config").get()
                .getData().get("engine.yaml"));
        assertThat(config.listeners()).extracting(l -> l.role().id() + ":" + l.port()).containsExactly("smtp:2525", "lmtp:2424");
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(get(client, ns, "mail").getStatus().endpoints)
                .anySatisfy(e -> assertThat(e.host + ":" + e.port).isEqualTo("mail-internal." + ns + ".svc:24")));
    }

    /**
     * {@code service.proxyProtocol}: the main Service's ports go to the pod's PROXY listeners (trusting only the
     * given proxies), {@code <name>-internal} serves in-cluster clients on the plain ones and is on the certificate;
     * turned off, the internal Service goes and the main one points at the plain listeners again.
     */
    @Test
    void proxyProtocolSplitsTheLoadBalancerPortsFromTheInClusterOnes() {
        String ns = OperatorTestSupport.namespace("proxy");
        client.secrets().inNamespace(ns).resource(usersSecret(ns, "mail-users", Map.of("alice", "pw"))).create();
        MailServer ms = mailServer(ns, "mail");
        ms.getSpec().ports = List.of(Protocol.SMTP, Protocol.SUBMISSION);
        ms.getSpec().service = new ServiceSpec(ServiceSpec.Type.LoadBalancer);
        ms.getSpec().service.proxyProtocol = true;
        ms.getSpec().service.trustedProxies = List.of("10.0.0.0/8");
        client.resource(ms).create();
        markPodsReady(client, ns, "mail");
        await().atMost(TIMEOUT).until(() -> client.services().inNamespace(ns).withName("mail-internal").get() != null);

        Service lb = client.services().inNamespace(ns).withName("mail").get();
        assertThat(lb.getSpec().getPorts()).extracting(p -> p.getPort() + ">" + p.getTargetPort().getStrVal())
                .containsExactly("25>px-smtp", "587>px-submission");
        Service internal = client.services().inNamespace(ns).withName("mail-internal").get();
        assertThat(internal.getSpec().getType()).isEqualTo("ClusterIP");
        assertThat(internal.getSpec().getPorts()).extracting(p -> p.getPort() + ">" + p.getTargetPort().getStrVal())
                .containsExactly("25>smtp", "587>submission");
        StatefulSet sts = client.apps().statefulSets().inNamespace(ns).withName("mail").get();
        assertThat(sts.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts())
                .extracting(p -> p.getName() + "=" + p.getContainerPort())
                .contains("smtp=2525", "submission=5587", "px-smtp=12525", "px-submission=15587");
        EngineConfig config = EngineConfigYaml.read(client.configMaps().inNamespace(ns).withName("mail-config").get()
                .getData().get("engine.yaml"));
        assertThat(config.listeners()).extracting(l -> l.port() + (l.proxyProtocol() == null ? "" : " proxy " + l.proxyProtocol().trustedProxies()))
                .containsExactly("2525", "5587", "12525 proxy [10.0.0.0/8]", "15587 proxy [10.0.0.0/8]");
        await().atMost(TIMEOUT).until(() -> ServingCertificate.read(secret(ns, "mail-tls")).dnsNames()
                .contains("mail-internal." + ns + ".svc"));
        await().atMost(TIMEOUT).until(() -> "ProxyProtocol".equals(condition(get(client, ns, "mail"), ConditionList.CLIENT_ADDRESSES, true)));

        MailServer edited = get(client, ns, "mail");
        edited.getSpec().service.proxyProtocol = null;
        edited.getSpec().service.trustedProxies = null;
        client.resource(edited).update();
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(client.services().inNamespace(ns).withName("mail-internal").get()).isNull();
            assertThat(client.services().inNamespace(ns).withName("mail").get().getSpec().getPorts())
                    .extracting(p -> p.getTargetPort().getStrVal()).containsExactly("smtp", "submission");
        });
    }

    /**
     * What the user removes from a MailServer disappears from the cluster (issue 16, item 1): a port, a source
     * range, an annotation, the traffic policy, resources, a node selector, tolerations. Annotations someone else put
     * on the Service stay.
     */
    @Test
    void whatTheUserRemovesFromTheSpecIsRemovedFromTheCluster() {
        String ns = OperatorTestSupport.namespace("removal");
        client.secrets().inNamespace(ns).resource(usersSecret(ns, "mail-users", Map.of("alice", "pw"))).create();
        MailServer ms = mailServer(ns, "mail");
        ms.getSpec().ports = List.of(Protocol.SMTP, Protocol.SUBMISSION, Protocol.IMAPS);
        ms.getSpec().service = new ServiceSpec(ServiceSpec.Type.LoadBalancer);
        ms.getSpec().service.annotations = Map.of("lb.example/a", "1", "lb.example/b", "2");
        ms.getSpec().service.loadBalancerSourceRanges = List.of("10.0.0.0/8", "192.168.0.0/16");
        ms.getSpec().service.externalTrafficPolicy = ServiceSpec.TrafficPolicy.Cluster;
        ms.getSpec().resources = new ResourceRequirementsBuilder()
                .withRequests(Map.of("memory", new Quantity("256Mi"))).withLimits(Map.of("memory", new Quantity("512Mi"))).build();
        ms.getSpec().nodeSelector = Map.of("disk", "ssd");
        ms.getSpec().tolerations = List.of(new TolerationBuilder().withKey("mail").withOperator("Exists").build());
        client.resource(ms).create();
        markPodsReady(client, ns, "mail");
        await().atMost(TIMEOUT).until(() -> "True".equals(condition(get(client, ns, "mail"), "Ready", false)));
        assertThat(condition(get(client, ns, "mail"), ConditionList.CLIENT_ADDRESSES, true))
                .isEqualTo("ExternalTrafficPolicyCluster");
        await().atMost(TIMEOUT).until(() -> !events(client, ns, "ExternalTrafficPolicyCluster").isEmpty());
        assertThat(events(client, ns, "ExternalTrafficPolicyCluster").get(0).getType()).isEqualTo("Warning");
        Service lb = client.services().inNamespace(ns).withName("mail").get();
        assertThat(lb.getMetadata().getAnnotations()).containsEntry("lb.example/b", "2");
        assertThat(lb.getSpec().getExternalTrafficPolicy()).isEqualTo("Cluster");
        lb.getMetadata().getAnnotations().put("cloud.example/lb-id", "lb-123");
        client.services().inNamespace(ns).resource(lb).update();

        MailServer edited = get(client, ns, "mail");
        edited.getSpec().ports = List.of(Protocol.SMTP, Protocol.IMAPS);
        edited.getSpec().service.annotations = Map.of("lb.example/a", "1");
        edited.getSpec().service.loadBalancerSourceRanges = List.of("10.0.0.0/8");
        edited.getSpec().service.externalTrafficPolicy = null;
        edited.getSpec().resources = null;
        edited.getSpec().nodeSelector = null;
        edited.getSpec().tolerations = null;
        updateSpec(client, edited);

        await().atMost(TIMEOUT).untilAsserted(() -> {
            Service svc = client.services().inNamespace(ns).withName("mail").get();
            assertThat(svc.getSpec().getPorts()).extracting(ServicePort::getName).containsExactly("smtp", "imaps");
            assertThat(svc.getSpec().getLoadBalancerSourceRanges()).containsExactly("10.0.0.0/8");
            assertThat(svc.getSpec().getExternalTrafficPolicy()).as("the default").isEqualTo("Local");
            assertThat(svc.getMetadata().getAnnotations()).containsEntry("lb.example/a", "1")
                    .containsEntry("cloud.example/lb-id", "lb-123").doesNotContainKey("lb.example/b");
            assertThat(client.services().inNamespace(ns).withName("mail-headless").get().getSpec().getPorts())
                    .extracting(ServicePort::getName).containsExactly("smtp", "imaps");
        });
        await().atMost(TIMEOUT).untilAsserted(() -> {
            var pod = client.apps().statefulSets().inNamespace(ns).withName("mail").get().getSpec().getTemplate().getSpec();
            assertThat(pod.getNodeSelector()).isNullOrEmpty();
            assertThat(pod.getTolerations()).isNullOrEmpty();
            assertThat(pod.getContainers().get(0).getResources()).as("the defaults")
                    .isEqualTo(EngineContainer.defaultResources());
            assertThat(pod.getContainers().get(0).getPorts()).extracting(ContainerPort::getName)
                    .containsExactly("smtp", "imaps", "http");
        });

        await().atMost(TIMEOUT).until(() -> "ExternalTrafficPolicyLocal".equals(
                condition(get(client, ns, "mail"), ConditionList.CLIENT_ADDRESSES, true)));

        // And the last annotation, too.
        edited = get(client, ns, "mail");
        edited.getSpec().service.annotations = null;
        updateSpec(client, edited);
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(client.services().inNamespace(ns).withName("mail").get()
                .getMetadata().getAnnotations()).doesNotContainKey("lb.example/a").containsKey("cloud.example/lb-id"));
    }

    @Test
    void aDeletedCertificateOrServiceComesBack() {
        String ns = OperatorTestSupport.namespace("heal");
        readyMailServer(ns, "mail");
        String serial = ServingCertificate.read(secret(ns, "mail-tls")).serial();

        client.secrets().inNamespace(ns).withName("mail-tls").delete();
        await().atMost(TIMEOUT).until(() -> secret(ns, "mail-tls") != null
                && !ServingCertificate.read(secret(ns, "mail-tls")).serial().equals(serial));

        client.services().inNamespace(ns).withName("mail").delete();
        await().atMost(TIMEOUT).until(() -> client.services().inNamespace(ns).withName("mail").get() != null);
        assertThat(client.services().inNamespace(ns).withName("mail").get().getSpec().getPorts())
                .extracting(ServicePort::getPort).containsExactly(25, 587, 465, 995, 993);
    }

    @Test
    void anExistingCaIsReusedAndNeverOverwritten() throws Exception {
        String ns = OperatorTestSupport.namespace("reuse");
        // A CA left by an earlier operator run (or restored from a backup).
        CertificateAuthority existing = CertificateAuthority.create(CaSpec.defaults(), Clock.systemUTC());
        client.secrets().inNamespace(ns).resource(caSecret(ns, b64(existing.certificatePem()),
                b64(existing.privateKeyPem()))).create();
        String version = secret(ns, Names.CA_SECRET).getMetadata().getResourceVersion();

        readyMailServer(ns, "mail");
        X509Certificate leaf = Pem.readCertificates(text(secret(ns, "mail-tls"), "tls.crt")).get(0);
        leaf.verify(existing.certificate().getPublicKey());
        assertThat(secret(ns, Names.CA_SECRET).getMetadata().getResourceVersion()).isEqualTo(version);

        // A second MailServer in the namespace trusts the same CA; deleting the first keeps it.
        readyMailServer(ns, "other");
        Pem.readCertificates(text(secret(ns, "other-tls"), "tls.crt")).get(0).verify(existing.certificate().getPublicKey());
        client.resources(MailServer.class).inNamespace(ns).withName("mail").delete();
        await().atMost(TIMEOUT).until(() -> get(client, ns, "mail") == null);
        assertThat(secret(ns, Names.CA_SECRET).getMetadata().getResourceVersion()).isEqualTo(version);
    }

    private static Secret caSecret(String ns, String crt, String key) {
        return new SecretBuilder().withNewMetadata().withName(Names.CA_SECRET).withNamespace(ns)
                .withLabels(Map.of(Names.SECRET_ROLE, "ca")).endMetadata()
                .withData(Map.of("ca.crt", crt, "ca.key", key)).build();
    }

    @Test
    void anExpiringCertificateIsReissuedAndStatusShowsTheNewDates() {
        String ns = OperatorTestSupport.namespace("renew");
        MailServer ms = readyMailServer(ns, "mail");
        String oldSerial = ms.getStatus().certificate.serial;
        Instant oldNotAfter = Instant.parse(ms.getStatus().certificate.notAfter);

        // 70 of 90 days later: past the renewal time (two thirds of the lifetime).
        ShiftedClock.shift = Duration.ofDays(70);
        Secret users = secret(ns, "mail-users");
        users.getMetadata().setAnnotations(Map.of("nudge", "1"));
        client.secrets().inNamespace(ns).resource(users).update();

        await().atMost(TIMEOUT).until(() -> {
            MailServer now = get(client, ns, "mail");
            return now.getStatus().certificate != null && !oldSerial.equals(now.getStatus().certificate.serial);
        });
        MailServer renewed = get(client, ns, "mail");
        assertThat(Instant.parse(renewed.getStatus().certificate.notAfter)).isAfter(oldNotAfter.plus(Duration.ofDays(60)));
        assertThat(renewed.getStatus().certificate.serial)
                .isEqualTo(ServingCertificate.read(secret(ns, "mail-tls")).serial());
        await().atMost(TIMEOUT).until(() -> !events(client, ns, "CertificateRenewed").isEmpty());
    }

    @Test
    void aMissingAccountsSecretMakesItNotReady() {
        String ns = OperatorTestSupport.namespace("noaccounts");
        client.resource(mailServer(ns, "mail")).create();
        markPodsReady(client, ns, "mail");
        await().atMost(TIMEOUT).until(() -> "AccountsSecretNotFound".equals(condition(get(client, ns, "mail"), "Ready", true)));
        MailServer ms = get(client, ns, "mail");
        assertThat(condition(ms, "Ready", false)).isEqualTo("False");
        assertThat(condition(ms, "Degraded", false)).isEqualTo("True");
        await().atMost(TIMEOUT).until(() -> !events(client, ns, "AccountsSecretNotFound").isEmpty());
        assertThat(events(client, ns, "AccountsSecretNotFound").get(0).getType()).isEqualTo("Warning");

        // Creating the Secret with the label is noticed at once (the referenced-Secret informer), no edit of the
        // MailServer needed.
        Secret users = usersSecret(ns, "mail-users", Map.of("alice", "pw"));
        users.getMetadata().setLabels(Map.of(Names.REFERENCED, "true"));
        client.secrets().inNamespace(ns).resource(users).create();
        await().atMost(TIMEOUT).until(() -> "True".equals(condition(get(client, ns, "mail"), "Ready", false)));
        assertThat(AccountsFile.parse(text(secret(ns, "mail-accounts"), "accounts"))).containsOnlyKeys("alice@example.com");
    }

    /**
     * Issue 16, item 2: the operator watches only Secrets labelled sealmail.io/referenced=true. A Secret a MailServer
     * names without the label is read by name and labelled; an unrelated Secret is neither labelled nor watched.
     */
    @Test
    void onlyTheSecretsAMailServerNamesAreWatched() throws Exception {
        String ns = OperatorTestSupport.namespace("watch");
        client.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName("unrelated")
                .withNamespace(ns).endMetadata().withData(Map.of("big", b64("x".repeat(1000)))).build()).create();
        drainRequests();
        readyMailServer(ns, "mail");
        assertThat(secret(ns, "mail-users").getMetadata().getLabels()).containsEntry(Names.REFERENCED, "true");
        assertThat(secret(ns, "unrelated").getMetadata().getLabels()).isNullOrEmpty();
        assertThat(drainRequests()).filteredOn(r -> r.getPath().startsWith("/api/v1/secrets")
                        || r.getPath().startsWith("/api/v1/namespaces/" + ns + "/secrets?"))
                .as("every list or watch of Secrets has a label selector")
                .allSatisfy(r -> assertThat(java.net.URLDecoder.decode(r.getPath(), java.nio.charset.StandardCharsets.UTF_8))
                        .contains("labelSelector="));

        // A password change is seen at once, through the informer.
        Secret users = secret(ns, "mail-users");
        users.getData().put("alice_example.com", b64("changed"));
        client.secrets().inNamespace(ns).resource(users).update();
        await().atMost(TIMEOUT).until(() -> new Argon2idHasher().matches("changed",
                AccountsFile.parse(text(secret(ns, "mail-accounts"), "accounts")).get("alice@example.com")));
    }

    @Test
    void anAccountsKeyWithoutAConfiguredDomainIsNamedInStatusAndTheOthersAreServed() {
        String ns = OperatorTestSupport.namespace("badkey");
        client.secrets().inNamespace(ns).resource(usersSecret(ns, "mail-users", Map.of(
                "alice_example.com", "pw1",
                "bob_example.net", "pw2",
                "accounts", "# one per line\ncarol@example.com pw3\n"))).create();
        client.resource(mailServer(ns, "mail")).create();
        markPodsReady(client, ns, "mail");
        await().atMost(TIMEOUT).until(() -> "AccountsSecretInvalid".equals(condition(get(client, ns, "mail"), "Ready", true)));
        MailServer ms = get(client, ns, "mail");
        assertThat(condition(ms, "Ready", false)).isEqualTo("False");
        assertThat(condition(ms, "Degraded", true)).isEqualTo("AccountsSecretInvalid");
        assertThat(ConditionList.find(ms.getStatus().conditions, "Degraded").orElseThrow().getMessage())
                .startsWith("Secret mail-users: key bob_example.net: 'example.net' after the last '_' is not one of "
                        + "spec.domains (example.com)");
        await().atMost(TIMEOUT).until(() -> AccountsFile.parse(text(secret(ns, "mail-accounts"), "accounts")).keySet()
                .equals(java.util.Set.of("alice@example.com", "carol@example.com")));
        await().atMost(TIMEOUT).until(() -> !events(client, ns, "AccountsSecretInvalid").isEmpty());
        assertThat(events(client, ns, "AccountsSecretInvalid").get(0).getType()).isEqualTo("Warning");

        // Fixed: Ready follows at once.
        Secret users = secret(ns, "mail-users");
        users.getData().remove("bob_example.net");
        users.getData().put("bob_example.com", b64("pw2"));
        client.secrets().inNamespace(ns).resource(users).update();
        await().atMost(TIMEOUT).until(() -> "True".equals(condition(get(client, ns, "mail"), "Ready", false)));
        assertThat(AccountsFile.parse(text(secret(ns, "mail-accounts"), "accounts")))
                .containsOnlyKeys("alice@example.com", "bob@example.com", "carol@example.com");
    }

    @Test
    void anAccountsSecretNamedLikeTheOneTheOperatorWritesIsRefused() {
        String ns = OperatorTestSupport.namespace("clash");
        client.secrets().inNamespace(ns).resource(usersSecret(ns, "mail-accounts", Map.of("alice", "pw"))).create();
        MailServer ms = mailServer(ns, "mail");
        ms.getSpec().accounts = new io.sealmail.operator.api.v1alpha1.AccountsSpec("mail-accounts");
        client.resource(ms).create();
        // The StatefulSet waits for the accounts file, which cannot be written: no pods to play ready.
        await().atMost(TIMEOUT).until(() -> "AccountsSecretNameConflict".equals(condition(get(client, ns, "mail"), "Ready", true)));
        assertThat(condition(get(client, ns, "mail"), "Degraded", true)).isEqualTo("AccountsSecretNameConflict");
        assertThat(text(secret(ns, "mail-accounts"), "alice")).as("the user's Secret is left alone").isEqualTo("pw");
        // Its retries would otherwise show up in the request counts of the other tests.
        client.resources(MailServer.class).inNamespace(ns).withName("mail").delete();
    }

    /**
     * Issue 16, item 4: pointing {@code accounts.secretName} of a running MailServer at {@code <name>-accounts}
     * changes nothing that runs (the SDK would delete the StatefulSet of a dependent whose precondition fails) and
     * says why; pointing it back resumes.
     */
    @Test
    void pointingAccountsAtTheOperatorsOwnSecretLeavesTheRunningServerAlone() {
        String ns = OperatorTestSupport.namespace("clash-later");
        readyMailServer(ns, "mail");
        StatefulSet sts = client.apps().statefulSets().inNamespace(ns).withName("mail").get();
        String accounts = text(secret(ns, "mail-accounts"), "accounts");

        MailServer ms = get(client, ns, "mail");
        ms.getSpec().accounts = new io.sealmail.operator.api.v1alpha1.AccountsSpec("mail-accounts");
        updateSpec(client, ms);
        await().atMost(TIMEOUT).until(() -> "AccountsSecretNameConflict".equals(condition(get(client, ns, "mail"), "Ready", true)));
        reconcileByEvents(ns, "mail", "mail-accounts", 3);

        StatefulSet after = client.apps().statefulSets().inNamespace(ns).withName("mail").get();
        assertThat(after).as("the StatefulSet is left alone").isNotNull();
        assertThat(after.getMetadata().getUid()).isEqualTo(sts.getMetadata().getUid());
        assertThat(after.getMetadata().getResourceVersion()).isEqualTo(sts.getMetadata().getResourceVersion());
        assertThat(text(secret(ns, "mail-accounts"), "accounts")).isEqualTo(accounts);
        assertThat(condition(get(client, ns, "mail"), "Degraded", true)).isEqualTo("AccountsSecretNameConflict");

        ms = get(client, ns, "mail");
        ms.getSpec().accounts = new io.sealmail.operator.api.v1alpha1.AccountsSpec("mail-users");
        updateSpec(client, ms);
        await().atMost(TIMEOUT).until(() -> "True".equals(condition(get(client, ns, "mail"), "Ready", false)));
    }

    /**
     * Issue 16, item 10: a pod of an older, broken revision that never became ready is not replaced by the
     * StatefulSet controller (OrderedReady); status says so, with the pod's reason and the way out.
     */
    @Test
    void aRolloutStuckOnABrokenPodIsReportedWithTheWayOut() {
        String ns = OperatorTestSupport.namespace("stuck");
        client.secrets().inNamespace(ns).resource(usersSecret(ns, "mail-users", Map.of("alice", "pw"))).create();
        client.resource(mailServer(ns, "mail")).create();
        await().atMost(TIMEOUT).until(() -> client.apps().statefulSets().inNamespace(ns).withName("mail").get() != null);
        assertThat(client.apps().statefulSets().inNamespace(ns).withName("mail").get().getSpec().getTemplate().getSpec()
                .getContainers().get(0).getResources()).as("default requests and limits").isEqualTo(EngineContainer.defaultResources());
        // What the kubelet and the StatefulSet controller report: mail-0 of revision mail-1 crash-loops, mail-2 is current.
        client.pods().inNamespace(ns).resource(new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata()
                .withName("mail-0").withNamespace(ns).withLabels(Map.of(EnginePods.REVISION_LABEL, "mail-1")).endMetadata()
                .withNewSpec().addNewContainer().withName("engine").withImage("x").endContainer().endSpec()
                .withNewStatus().addNewContainerStatus().withName("engine").withReady(false).withRestartCount(7)
                .withNewState().withNewWaiting().withReason("CrashLoopBackOff")
                .withMessage("back-off 5m0s restarting failed container").endWaiting().endState()
                .endContainerStatus().endStatus().build()).create();
        StatefulSet sts = client.apps().statefulSets().inNamespace(ns).withName("mail").get();
        sts.setStatus(new io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder().withReplicas(1)
                .withReadyReplicas(0).withCurrentRevision("mail-1").withUpdateRevision("mail-2")
                .withObservedGeneration(sts.getMetadata().getGeneration()).build());
        client.apps().statefulSets().inNamespace(ns).resource(sts).updateStatus();

        await().atMost(TIMEOUT).until(() -> "RolloutStuck".equals(condition(get(client, ns, "mail"), "Degraded", true)));
        String message = ConditionList.find(get(client, ns, "mail").getStatus().conditions, "Degraded").orElseThrow().getMessage();
        assertThat(message).contains("pod mail-0 is not ready: CrashLoopBackOff").contains("7 restarts")
                .contains("revision mail-1, not the current mail-2").contains("kubectl -n " + ns + " delete pod mail-0");
        await().atMost(TIMEOUT).until(() -> !events(client, ns, "RolloutStuck").isEmpty());
        client.resources(MailServer.class).inNamespace(ns).withName("mail").delete();
    }

    /**
     * Issue 16, item 5: a storage edit is reported, and a larger size expands the claim when its StorageClass allows
     * it (the claim template cannot change); a smaller one or a class without expansion is refused in status. Mail
     * is kept when the MailServer goes, unless deleteClaim says otherwise.
     */
    @Test
    void aLargerStorageSizeExpandsTheClaimWhenItsClassAllowsIt() {
        String ns = OperatorTestSupport.namespace("storage");
        readyMailServer(ns, "mail");
        StatefulSet sts = client.apps().statefulSets().inNamespace(ns).withName("mail").get();
        assertThat(sts.getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenDeleted()).isEqualTo("Retain");
        assertThat(condition(get(client, ns, "mail"), ConditionList.STORAGE, false)).isEqualTo("True");
        // What the StatefulSet controller made from the template, in a class that can grow, and one that cannot.
        client.storage().v1().storageClasses().resource(new io.fabric8.kubernetes.api.model.storage.StorageClassBuilder()
                .withNewMetadata().withName(ns + "-grows").endMetadata().withProvisioner("example.com/csi")
                .withAllowVolumeExpansion(true).build()).create();
        client.storage().v1().storageClasses().resource(new io.fabric8.kubernetes.api.model.storage.StorageClassBuilder()
                .withNewMetadata().withName(ns + "-fixed").endMetadata().withProvisioner("example.com/csi")
                .withAllowVolumeExpansion(false).build()).create();
        client.persistentVolumeClaims().inNamespace(ns).resource(new io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder()
                .withNewMetadata().withName("data-mail-0").withNamespace(ns).endMetadata()
                .withNewSpec().withAccessModes("ReadWriteOnce").withStorageClassName(ns + "-grows")
                .withNewResources().withRequests(Map.of("storage", new Quantity("1Gi"))).endResources().endSpec()
                .build()).create();

        MailServer ms = get(client, ns, "mail");
        ms.getSpec().storage = new io.sealmail.operator.api.v1alpha1.StorageSpec();
        ms.getSpec().storage.size = "2Gi";
        ms.getSpec().storage.deleteClaim = true;
        updateSpec(client, ms);
        await().atMost(TIMEOUT).until(() -> "2Gi".equals(client.persistentVolumeClaims().inNamespace(ns)
                .withName("data-mail-0").get().getSpec().getResources().getRequests().get("storage").toString()));
        await().atMost(TIMEOUT).until(() -> "StorageResizing".equals(condition(get(client, ns, "mail"), ConditionList.STORAGE, true)));
        sts = client.apps().statefulSets().inNamespace(ns).withName("mail").get();
        assertThat(sts.getSpec().getVolumeClaimTemplates().get(0).getSpec().getResources().getRequests().get("storage"))
                .as("the template keeps its size").hasToString("1Gi");
        assertThat(sts.getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenDeleted()).isEqualTo("Delete");

        ms = get(client, ns, "mail");
        ms.getSpec().storage.size = "512Mi";
        updateSpec(client, ms);
        await().atMost(TIMEOUT).until(() -> "StorageShrinkRefused".equals(condition(get(client, ns, "mail"), ConditionList.STORAGE, true)));

        var claim = client.persistentVolumeClaims().inNamespace(ns).withName("data-mail-0").get();
        claim.getSpec().setStorageClassName(ns + "-fixed");
        client.persistentVolumeClaims().inNamespace(ns).resource(claim).update();
        ms = get(client, ns, "mail");
        ms.getSpec().storage.size = "5Gi";
        updateSpec(client, ms);
        await().atMost(TIMEOUT).until(() -> "StorageExpansionUnsupported".equals(
                condition(get(client, ns, "mail"), ConditionList.STORAGE, true)));
        assertThat(client.persistentVolumeClaims().inNamespace(ns).withName("data-mail-0").get().getSpec().getResources()
                .getRequests().get("storage")).hasToString("2Gi");
        await().atMost(TIMEOUT).until(() -> !events(client, ns, "StorageExpansionUnsupported").isEmpty());
        assertThat(condition(get(client, ns, "mail"), "Degraded", false)).as("not a degradation: the server serves")
                .isEqualTo("False");
    }

    @Test
    void anUnusableCaIssuesNothingAndSaysWhy() {
        String ns = OperatorTestSupport.namespace("badca");
        client.secrets().inNamespace(ns).resource(caSecret(ns, b64("not a certificate"), b64("not a key"))).create();
        client.secrets().inNamespace(ns).resource(usersSecret(ns, "mail-users", Map.of("alice", "pw"))).create();
        client.resource(mailServer(ns, "mail")).create();
        await().atMost(TIMEOUT).until(() -> "CaSecretInvalid".equals(condition(get(client, ns, "mail"), "Ready", true)));
        MailServer ms = get(client, ns, "mail");
        assertThat(condition(ms, "CertificateReady", false)).isEqualTo("False");
        assertThat(condition(ms, "Degraded", true)).isEqualTo("CaSecretInvalid");
        assertThat(secret(ns, "mail-tls")).isNull();
        assertThat(text(secret(ns, Names.CA_SECRET), "ca.crt")).isEqualTo("not a certificate");
        await().atMost(TIMEOUT).until(() -> !events(client, ns, "CaSecretInvalid").isEmpty());
    }

    @Test
    void aBroughtCertificateThatDoesNotCoverTheHostnameIsRejected() {
        String ns = OperatorTestSupport.namespace("byo");
        CertificateAuthority other = CertificateAuthority.create(CaSpec.defaults(), Clock.systemUTC());
        IssuedCertificate wrong = other.issue(LeafSpec.of(List.of("other.example.net"), List.of()));
        client.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName("mail-cert")
                .withNamespace(ns).endMetadata().withType("kubernetes.io/tls")
                .withData(Map.of("tls.crt", b64(wrong.tlsCrtPem()), "tls.key", b64(wrong.tlsKeyPem()))).build()).create();
        client.secrets().inNamespace(ns).resource(usersSecret(ns, "mail-users", Map.of("alice", "pw"))).create();
        MailServer ms = mailServer(ns, "mail");
        ms.getSpec().tls = new TlsSpec();
        ms.getSpec().tls.issuer = TlsSpec.Issuer.SECRET;
        ms.getSpec().tls.secretName = "mail-cert";
        client.resource(ms).create();
        markPodsReady(client, ns, "mail");

        await().atMost(TIMEOUT).until(() -> "CertificateNameMismatch".equals(condition(get(client, ns, "mail"), "Ready", true)));
        assertThat(condition(get(client, ns, "mail"), "Ready", false)).isEqualTo("False");
        await().atMost(TIMEOUT).until(() -> !events(client, ns, "CertificateNameMismatch").isEmpty());
        assertThat(secret(ns, "mail-tls")).isNull();
        assertThat(secret(ns, Names.CA_SECRET)).as("no CA is needed with issuer secret").isNull();
        StatefulSet sts = client.apps().statefulSets().inNamespace(ns).withName("mail").get();
        assertThat(sts.getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(v -> v.getProjected() != null).findFirst().orElseThrow().getProjected().getSources())
                .anySatisfy(s -> assertThat(s.getSecret() != null && s.getSecret().getName().equals("mail-cert")).isTrue());

        // cert-manager renews the Secret with the right name: the informer notices, Ready follows.
        IssuedCertificate right = other.issue(LeafSpec.of(List.of("mail.example.com"), List.of()));
        Secret cert = secret(ns, "mail-cert");
        cert.setData(Map.of("tls.crt", b64(right.tlsCrtPem()), "tls.key", b64(right.tlsKeyPem())));
        client.secrets().inNamespace(ns).resource(cert).update();
        await().atMost(TIMEOUT).until(() -> "True".equals(condition(get(client, ns, "mail"), "Ready", false)));
    }

    @Test
    void theCommittedCrdIsTheGeneratedOne() throws Exception {
        Path generated = Path.of("target", "kubernetes", "mailservers.sealmail.io-v1.yml");
        assertThat(generated).exists();
        assertThat(Files.readString(CrdSchema.COMMITTED))
                .as("crds/ differs from the CRD the build generates: copy " + generated + " to " + CrdSchema.COMMITTED)
                .isEqualTo(Files.readString(generated));
    }
}
