package io.sealmail.operator;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.sealmail.ca.DkimKey;
import io.sealmail.ca.Pem;
import io.sealmail.config.EngineConfig;
import io.sealmail.config.EngineConfigYaml;
import io.sealmail.config.Inbound;
import io.sealmail.operator.api.v1alpha1.DkimKeySpec;
import io.sealmail.operator.api.v1alpha1.DkimSpec;
import io.sealmail.operator.api.v1alpha1.DnsRecord;
import io.sealmail.operator.api.v1alpha1.DnsSpec;
import io.sealmail.operator.api.v1alpha1.MailServer;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.security.MessageDigest;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static io.sealmail.operator.OperatorTestSupport.get;
import static io.sealmail.operator.OperatorTestSupport.mailServer;
import static io.sealmail.operator.OperatorTestSupport.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The {@code <name>-dkim} Secret and {@code status.dns}, against the mock API server. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class DkimAndDnsStatusTest {
    /** Each step rolls the StatefulSet and rewrites the config; on a loaded machine that took over 30 s once. */
    private static final java.time.Duration TIMEOUT = OperatorTestSupport.TIMEOUT.multipliedBy(3);
    @Inject
    KubernetesClient client;
    @Inject
    Operator operator;

    @BeforeEach
    void start() {
        OperatorTestSupport.start(operator);
    }

    private Secret dkim(String ns) {
        return client.secrets().inNamespace(ns).withName("mail-dkim").get();
    }

    private static List<DnsRecord> dns(MailServer ms) {
        return ms.getStatus() == null || ms.getStatus().dns == null ? List.of() : ms.getStatus().dns;
    }

    @Test
    void aNewMailServerGetsOneRsaKeyNamedForItsMonthAndListsItsRecords() throws Exception {
        String ns = OperatorTestSupport.namespace("dkim");
        client.resource(mailServer(ns, "mail")).create();
        await().atMost(TIMEOUT).until(() -> dns(get(client, ns, "mail")).stream().anyMatch(r -> r.name.contains("._domainkey.")));

        MailServer ms = get(client, ns, "mail");
        String month = "s" + OffsetDateTime.parse(ms.getMetadata().getCreationTimestamp())
                .withOffsetSameInstant(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMM"));
        Secret secret = dkim(ns);
        assertThat(secret.getData()).containsOnlyKeys(month + ".rsa-sha256.pem");
        DkimKey key = DkimKey.fromPem(text(secret, month + ".rsa-sha256.pem"));
        assertThat(key.algorithm()).isEqualTo(DkimKey.Algorithm.RSA_SHA256);

        List<DnsRecord> records = dns(ms);
        assertThat(records).contains(
                new DnsRecord("example.com", "MX", "10 mail.example.com."),
                new DnsRecord("example.com", "TXT", "\"v=spf1 mx -all\""),
                new DnsRecord("_dmarc.example.com", "TXT", "\"v=DMARC1; p=quarantine\""),
                DnsRecords.txt(month + "._domainkey.example.com", key.recordValue()));
        assertThat(ms.getStatus().mtaStsPolicy).contains("mode: testing", "mx: mail.example.com");

        // The engine signs with it: engine.yaml names the mounted file, the pod mounts exactly that key.
        await().atMost(TIMEOUT).until(() -> client.apps().statefulSets().inNamespace(ns).withName("mail").get() != null);
        EngineConfig config = EngineConfigYaml.read(client.configMaps().inNamespace(ns).withName("mail-config").get()
                .getData().get("engine.yaml"));
        assertThat(config.dkim()).containsExactly(new io.sealmail.config.DkimKey("example.com", month, "rsa-sha256",
                "/etc/sealmail/dkim/" + month + ".rsa-sha256.pem"));
        assertThat(config.inbound().dmarc()).isEqualTo(Inbound.DmarcMode.REPORT_ONLY);
        var sources = client.apps().statefulSets().inNamespace(ns).withName("mail").get().getSpec().getTemplate()
                .getSpec().getVolumes().stream().filter(v -> v.getProjected() != null).findFirst().orElseThrow()
                .getProjected().getSources();
        assertThat(sources).filteredOn(p -> p.getSecret() != null && p.getSecret().getName().equals("mail-dkim"))
                .singleElement().satisfies(p -> assertThat(p.getSecret().getItems())
                        .extracting(i -> i.getKey() + "->" + i.getPath())
                        .containsExactly(month + ".rsa-sha256.pem->dkim/" + month + ".rsa-sha256.pem"));
        String policyId = DnsRecords.policyId(ms.getStatus().mtaStsPolicy);
        assertThat(records).contains(new DnsRecord("_mta-sts.example.com", "TXT", "\"v=STSv1; id=" + policyId + "\""));
    }

    @Test
    void aNewSelectorAddsAKeyAndNeverReplacesAnExistingOne() throws Exception {
        String ns = OperatorTestSupport.namespace("rotate");
        MailServer ms = mailServer(ns, "mail");
        ms.getSpec().dkim = new DkimSpec();
        ms.getSpec().dkim.keys = List.of(key("old", DkimKeySpec.Algorithm.RSA_SHA256, true));
        client.resource(ms).create();
        await().atMost(TIMEOUT).until(() -> dkim(ns) != null && dkim(ns).getData().containsKey("old.rsa-sha256.pem"));
        String oldKey = text(dkim(ns), "old.rsa-sha256.pem");

        // Rotation: a new ed25519 selector published beside the old one, then the old one retired from the spec.
        edit(ns, m -> m.getSpec().dkim.keys = List.of(key("old", DkimKeySpec.Algorithm.RSA_SHA256, true),
                key("new", DkimKeySpec.Algorithm.ED25519_SHA256, false)));
        await().atMost(TIMEOUT).until(() -> dns(get(client, ns, "mail")).stream()
                .anyMatch(r -> r.name.equals("new._domainkey.example.com")));
        assertThat(text(dkim(ns), "old.rsa-sha256.pem")).isEqualTo(oldKey);
        DkimKey ed = DkimKey.fromPem(text(dkim(ns), "new.ed25519-sha256.pem"));
        assertThat(dns(get(client, ns, "mail"))).contains(DnsRecords.txt("new._domainkey.example.com", ed.recordValue()));
        // Published, not signing yet: only the old key reaches the engine.
        assertThat(engineDkim(ns)).extracting(io.sealmail.config.DkimKey::selector).containsExactly("old");

        // Both sign (RFC 8463 §3 dual signing: rsa-sha256 and ed25519-sha256), both mounted, neither key changed.
        edit(ns, m -> m.getSpec().dkim.keys = List.of(key("old", DkimKeySpec.Algorithm.RSA_SHA256, true),
                key("new", DkimKeySpec.Algorithm.ED25519_SHA256, true)));
        await().atMost(TIMEOUT).until(() -> engineDkim(ns).size() == 2);
        assertThat(engineDkim(ns)).containsExactly(
                new io.sealmail.config.DkimKey("example.com", "old", "rsa-sha256", "/etc/sealmail/dkim/old.rsa-sha256.pem"),
                new io.sealmail.config.DkimKey("example.com", "new", "ed25519-sha256", "/etc/sealmail/dkim/new.ed25519-sha256.pem"));
        await().atMost(TIMEOUT).until(() -> mountedDkimKeys(ns).size() == 2);
        assertThat(mountedDkimKeys(ns)).containsExactly("old.rsa-sha256.pem->dkim/old.rsa-sha256.pem",
                "new.ed25519-sha256.pem->dkim/new.ed25519-sha256.pem");
        assertThat(text(dkim(ns), "old.rsa-sha256.pem")).isEqualTo(oldKey);

        edit(ns, m -> m.getSpec().dkim.keys = List.of(key("new", DkimKeySpec.Algorithm.ED25519_SHA256, true)));
        await().atMost(TIMEOUT).until(() -> dns(get(client, ns, "mail")).stream()
                .noneMatch(r -> r.name.equals("old._domainkey.example.com")));
        // The retired key stays in the Secret (the operator never removes a key), the new one is unchanged.
        assertThat(text(dkim(ns), "old.rsa-sha256.pem")).isEqualTo(oldKey);
        assertThat(DkimKey.fromPem(text(dkim(ns), "new.ed25519-sha256.pem")).recordValue()).isEqualTo(ed.recordValue());

        // Only the signing key is configured and mounted; enforce reaches the engine's inbound checks.
        edit(ns, m -> {
            m.getSpec().inbound = new io.sealmail.operator.api.v1alpha1.InboundSpec();
            m.getSpec().inbound.dmarc = io.sealmail.operator.api.v1alpha1.InboundSpec.Dmarc.ENFORCE;
        });
        await().atMost(TIMEOUT).until(() -> EngineConfigYaml.read(client.configMaps().inNamespace(ns)
                .withName("mail-config").get().getData().get("engine.yaml")).inbound().dmarc() == Inbound.DmarcMode.ENFORCE);
        assertThat(EngineConfigYaml.read(client.configMaps().inNamespace(ns).withName("mail-config").get()
                .getData().get("engine.yaml")).dkim()).extracting(io.sealmail.config.DkimKey::selector).containsExactly("new");

        // Turning DKIM off lists no DKIM record and keeps every key.
        edit(ns, m -> m.getSpec().dkim.enabled = false);
        try {
            await().atMost(TIMEOUT).until(() -> dns(get(client, ns, "mail")).stream().noneMatch(r -> r.name.contains("._domainkey.")));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("mailserver: " + client.getKubernetesSerialization().asJson(get(client, ns, "mail")), e);
        }
        assertThat(dkim(ns).getData()).containsOnlyKeys("old.rsa-sha256.pem", "new.ed25519-sha256.pem");
        await().atMost(TIMEOUT).until(() -> EngineConfigYaml.read(client.configMaps().inNamespace(ns)
                .withName("mail-config").get().getData().get("engine.yaml")).dkim().isEmpty());
    }

    @Test
    void daneListsTheServedKeyAndReportAddressesAppear() throws Exception {
        String ns = OperatorTestSupport.namespace("dane");
        MailServer ms = mailServer(ns, "mail");
        ms.getSpec().dns = new DnsSpec();
        ms.getSpec().dns.dane = true;
        ms.getSpec().dns.tlsReports = List.of("mailto:tls@example.com");
        ms.getSpec().dns.dmarcPolicy = DnsSpec.DmarcPolicy.REJECT;
        ms.getSpec().dns.dmarcReports = List.of("mailto:dmarc@example.com");
        client.resource(ms).create();
        await().atMost(TIMEOUT).until(() -> dns(get(client, ns, "mail")).stream().anyMatch(r -> r.type.equals("TLSA")));

        byte[] spki = Pem.readCertificates(text(client.secrets().inNamespace(ns).withName("mail-tls").get(), "tls.crt"))
                .get(0).getPublicKey().getEncoded();
        assertThat(dns(get(client, ns, "mail"))).contains(
                new DnsRecord("_25._tcp.mail.example.com", "TLSA",
                        "3 1 1 " + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(spki))),
                new DnsRecord("_smtp._tls.example.com", "TXT", "\"v=TLSRPTv1; rua=mailto:tls@example.com\""),
                new DnsRecord("_dmarc.example.com", "TXT", "\"v=DMARC1; p=reject; rua=mailto:dmarc@example.com\""));

        // A renewal keeps the key with DANE on, so the published TLSA record stays true across it.
        String tlsa = dns(get(client, ns, "mail")).stream().filter(r -> r.type.equals("TLSA")).findFirst().orElseThrow().value;
        String serial = get(client, ns, "mail").getStatus().certificate.serial;
        try {
            ShiftedClock.shift = java.time.Duration.ofDays(70);
            // Any event makes the operator look again; it watches the namespace CA's Secret.
            client.secrets().inNamespace(ns).withName(Names.CA_SECRET)
                    .edit(s -> new io.fabric8.kubernetes.api.model.SecretBuilder(s).editMetadata()
                            .addToAnnotations("nudge", "1").endMetadata().build());
            await().atMost(TIMEOUT).until(() -> {
                MailServer now = get(client, ns, "mail");
                return now.getStatus().certificate != null && !serial.equals(now.getStatus().certificate.serial);
            });
        } finally {
            ShiftedClock.shift = java.time.Duration.ZERO;
        }
        byte[] renewed = Pem.readCertificates(text(client.secrets().inNamespace(ns).withName("mail-tls").get(), "tls.crt"))
                .get(0).getPublicKey().getEncoded();
        assertThat(renewed).isEqualTo(spki);
        assertThat(dns(get(client, ns, "mail"))).filteredOn(r -> r.type.equals("TLSA"))
                .singleElement().satisfies(r -> assertThat(r.value).isEqualTo(tlsa));
    }

    /**
     * A key that already signs mail elsewhere (made by OpenDKIM's {@code opendkim-genkey}, its record already in DNS)
     * put into {@code <name>-dkim} before the MailServer exists: the operator keeps it, the engine signs with it, and
     * {@code status.dns} lists the very record OpenDKIM printed, so nothing has to be republished.
     */
    @Test
    void anExistingOpenDkimKeyInTheSecretIsKeptAndPublishedAsItWas() throws Exception {
        String genkey = io.sealmail.testing.ExternalTool.require("opendkim-genkey");
        io.sealmail.testing.ExternalTool.require("openssl"); // opendkim-genkey makes its keys by running openssl
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("opendkim-genkey-");
        Process p = new ProcessBuilder(genkey, "-b", "2048", "-d", "example.com", "-s", "legacy", "-D", dir.toString())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(output).isZero();
        String privatePem = java.nio.file.Files.readString(dir.resolve("legacy.private"));
        // legacy.txt is the zone-file line OpenDKIM tells its users to publish: its p= is what DNS already holds.
        String published = java.nio.file.Files.readString(dir.resolve("legacy.txt")).replaceAll("\"\\s*\"", "");
        java.util.regex.Matcher pTag = java.util.regex.Pattern.compile("p=([A-Za-z0-9+/=]+)").matcher(published);
        assertThat(pTag.find()).as(published).isTrue();

        String ns = OperatorTestSupport.namespace("legacy");
        client.resource(new io.fabric8.kubernetes.api.model.SecretBuilder()
                .withNewMetadata().withName("mail-dkim").withNamespace(ns)
                .addToLabels(Names.SECRET_ROLE, "dkim").endMetadata()
                .addToData("legacy.rsa-sha256.pem", OperatorTestSupport.b64(privatePem)).build()).create();
        MailServer ms = mailServer(ns, "mail");
        ms.getSpec().dkim = new DkimSpec();
        ms.getSpec().dkim.keys = List.of(key("legacy", DkimKeySpec.Algorithm.RSA_SHA256, true));
        client.resource(ms).create();

        try {
            await().atMost(TIMEOUT).until(() -> dns(get(client, ns, "mail")).stream()
                    .anyMatch(r -> r.name.equals("legacy._domainkey.example.com")));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("status: " + client.getKubernetesSerialization().asJson(get(client, ns, "mail").getStatus())
                    + "\nsecret: " + client.getKubernetesSerialization().asJson(dkim(ns).getMetadata()), e);
        }
        assertThat(text(dkim(ns), "legacy.rsa-sha256.pem")).isEqualTo(privatePem);
        assertThat(dkim(ns).getData()).containsOnlyKeys("legacy.rsa-sha256.pem");
        DnsRecord record = dns(get(client, ns, "mail")).stream()
                .filter(r -> r.name.equals("legacy._domainkey.example.com")).findFirst().orElseThrow();
        assertThat(record.value.replace("\" \"", "")).contains("p=" + pTag.group(1) + "\"");
        await().atMost(TIMEOUT).until(() -> !engineDkim(ns).isEmpty());
        assertThat(engineDkim(ns)).extracting(io.sealmail.config.DkimKey::selector).containsExactly("legacy");
        // The MailServer owns it from now on (deleted with it, like a Secret it made).
        await().atMost(TIMEOUT).until(() -> dkim(ns).getMetadata().getOwnerReferences().stream()
                .anyMatch(o -> o.getUid().equals(get(client, ns, "mail").getMetadata().getUid())));
        assertThat(text(dkim(ns), "legacy.rsa-sha256.pem")).isEqualTo(privatePem);
    }

    /**
     * The same Secret without the label: the operator does not see it (its informer selects the label), so it cannot
     * create its own of that name. It says so in status and leaves the key alone.
     */
    @Test
    void anUnlabelledSecretOfTheSameNameIsReportedAndLeftAlone() {
        String ns = OperatorTestSupport.namespace("unlabelled");
        client.secrets().inNamespace(ns).resource(OperatorTestSupport.usersSecret(ns, "mail-users", Map.of("alice", "pw"))).create();
        String pem = DkimKey.generate(DkimKey.Algorithm.RSA_SHA256).privateKeyPem();
        client.resource(new io.fabric8.kubernetes.api.model.SecretBuilder()
                .withNewMetadata().withName("mail-dkim").withNamespace(ns).endMetadata()
                .addToData("legacy.rsa-sha256.pem", OperatorTestSupport.b64(pem)).build()).create();
        MailServer ms = mailServer(ns, "mail");
        ms.getSpec().dkim = new DkimSpec();
        ms.getSpec().dkim.keys = List.of(key("legacy", DkimKeySpec.Algorithm.RSA_SHA256, true));
        client.resource(ms).create();

        try {
            await().atMost(TIMEOUT).until(() -> "ReconcileError".equals(OperatorTestSupport.condition(get(client, ns, "mail"), "Degraded", true)));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("status: " + client.getKubernetesSerialization().asJson(get(client, ns, "mail").getStatus()), e);
        }
        assertThat(ConditionList.find(get(client, ns, "mail").getStatus().conditions, "Degraded").orElseThrow().getMessage())
                .contains("dkim").contains("already exists");
        assertThat(dkim(ns).getData()).containsOnlyKeys("legacy.rsa-sha256.pem");
        assertThat(text(dkim(ns), "legacy.rsa-sha256.pem")).isEqualTo(pem);
        assertThat(dkim(ns).getMetadata().getOwnerReferences()).isEmpty();
    }

    /** The DKIM keys of the engine's configuration; none before the ConfigMap exists. */
    private List<io.sealmail.config.DkimKey> engineDkim(String ns) {
        var map = client.configMaps().inNamespace(ns).withName("mail-config").get();
        return map == null ? List.of() : EngineConfigYaml.read(map.getData().get("engine.yaml")).dkim();
    }

    /** The DKIM keys the engine pod mounts, as {@code key->path}. */
    private List<String> mountedDkimKeys(String ns) {
        var set = client.apps().statefulSets().inNamespace(ns).withName("mail").get();
        if (set == null) {
            return List.of();
        }
        return set.getSpec().getTemplate().getSpec().getVolumes().stream().filter(v -> v.getProjected() != null)
                .flatMap(v -> v.getProjected().getSources().stream())
                .filter(s -> s.getSecret() != null && s.getSecret().getName().equals("mail-dkim"))
                .flatMap(s -> s.getSecret().getItems().stream()).map(i -> i.getKey() + "->" + i.getPath()).toList();
    }

    /**
     * An edit of the spec as {@code kubectl edit} makes it: Fabric8's edit sends the resourceVersion it read, so a
     * status write of the operator in between is a 409 Conflict; read again and retry, as kubectl does.
     */
    private void edit(String ns, java.util.function.Consumer<MailServer> change) {
        // One change at a time: an edit made while the operator is still writing the status of the previous one was
        // twice seen unreconciled for 90 s (generation N+1, observedGeneration N; the not-ready recheck is 2 min).
        // This test is about keys and records, not that race, so it waits for the previous reconcile to be written.
        await().atMost(TIMEOUT).until(() -> {
            MailServer now = get(client, ns, "mail");
            return now.getStatus() != null && java.util.Objects.equals(now.getStatus().observedGeneration,
                    now.getMetadata().getGeneration());
        });
        for (int attempt = 1; ; attempt++) {
            try {
                client.resources(MailServer.class).inNamespace(ns).withName("mail").edit(m -> {
                    change.accept(m);
                    return m;
                });
                return;
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 20) {
                    throw e;
                }
            }
        }
    }

    private static DkimKeySpec key(String selector, DkimKeySpec.Algorithm algorithm, boolean sign) {
        DkimKeySpec k = new DkimKeySpec();
        k.selector = selector;
        k.algorithm = algorithm;
        k.sign = sign;
        return k;
    }
}
