package io.sealmail.operator;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.sealmail.config.EngineConfigYaml;
import io.sealmail.config.Outbound;
import io.sealmail.operator.api.v1alpha1.MailServer;
import io.sealmail.operator.api.v1alpha1.OutboundSpec;
import io.sealmail.operator.api.v1alpha1.RelaySpec;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.sealmail.operator.OperatorTestSupport.TIMEOUT;
import static io.sealmail.operator.OperatorTestSupport.b64;
import static io.sealmail.operator.OperatorTestSupport.condition;
import static io.sealmail.operator.OperatorTestSupport.events;
import static io.sealmail.operator.OperatorTestSupport.get;
import static io.sealmail.operator.OperatorTestSupport.mailServer;
import static io.sealmail.operator.OperatorTestSupport.markPodsReady;
import static io.sealmail.operator.OperatorTestSupport.updateSpec;
import static io.sealmail.operator.OperatorTestSupport.usersSecret;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** spec.outbound against the Fabric8 mock API server: engine.yaml, the relay login's mount, OutboundReady. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class OutboundSpecTest {
    private static final String PASSWORD = "s3cret-relay-pass";

    @Inject
    KubernetesClient client;
    @Inject
    Operator operator;

    @BeforeEach
    void start() {
        OperatorTestSupport.start(operator);
    }

    private Outbound engineOutbound(String ns) {
        ConfigMap cm = client.configMaps().inNamespace(ns).withName("mail-config").get();
        return cm == null ? null : EngineConfigYaml.read(cm.getData().get("engine.yaml")).outbound();
    }

    private StatefulSet statefulSet(String ns) {
        return client.apps().statefulSets().inNamespace(ns).withName("mail").get();
    }

    private static List<VolumeProjection> relayProjections(StatefulSet sts) {
        return sts.getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(v -> v.getProjected() != null).findFirst().orElseThrow().getProjected().getSources().stream()
                .filter(p -> p.getSecret() != null && p.getSecret().getItems().stream()
                        .anyMatch(i -> i.getPath().startsWith("relay/")))
                .toList();
    }

    private static MailServer relayed(String ns) {
        MailServer ms = mailServer(ns, "mail");
        ms.getSpec().outbound = new OutboundSpec();
        ms.getSpec().outbound.mode = OutboundSpec.Mode.RELAY;
        ms.getSpec().outbound.relay = new RelaySpec("smtp.provider.example:587", RelaySpec.Tls.STARTTLS, "relay-login");
        return ms;
    }

    @Test
    void withoutOutboundTheEngineGetsExactlyItsDefaultsSoAnUpgradeRollsNoPod() {
        assertThat(EngineConfigRenderer.outbound(mailServer("x", "mail").getSpec())).isEqualTo(Outbound.DEFAULTS);
        MailServer withEmpty = mailServer("x", "mail");
        withEmpty.getSpec().outbound = new OutboundSpec();
        withEmpty.getSpec().outbound.mode = OutboundSpec.Mode.DIRECT;
        withEmpty.getSpec().outbound.dns = new OutboundSpec.OutboundDnsSpec();
        assertThat(EngineConfigRenderer.outbound(withEmpty.getSpec())).isEqualTo(Outbound.DEFAULTS);
    }

    @Test
    void directDeliveryWithLimitsAndDnsServersReachesEngineYaml() {
        String ns = OperatorTestSupport.namespace("outdirect");
        client.secrets().inNamespace(ns).resource(usersSecret(ns, "mail-users", Map.of("alice", "pw"))).create();
        MailServer ms = mailServer(ns, "mail");
        ms.getSpec().outbound = new OutboundSpec();
        ms.getSpec().outbound.mode = OutboundSpec.Mode.DIRECT;
        ms.getSpec().outbound.dns = new OutboundSpec.OutboundDnsSpec();
        ms.getSpec().outbound.dns.servers = List.of("10.96.0.10", "[2001:db8::53]:5353");
        ms.getSpec().outbound.dns.dnssec = true;
        ms.getSpec().outbound.maxConnections = 50;
        ms.getSpec().outbound.maxConnectionsPerDestination = 2;
        ms.getSpec().outbound.firstRetry = "30s";
        ms.getSpec().outbound.maxRetryInterval = "2h";
        ms.getSpec().outbound.maxLifetime = "72h";
        ms.getSpec().outbound.delayWarning = "1h30m";
        client.resource(ms).create();
        markPodsReady(client, ns, "mail");

        await().atMost(TIMEOUT).until(() -> "DirectDelivery".equals(condition(get(client, ns, "mail"),
                ConditionList.OUTBOUND, true)));
        Outbound out = engineOutbound(ns);
        assertThat(out.mode()).isEqualTo(Outbound.Mode.DIRECT);
        assertThat(out.relay()).isNull();
        assertThat(out.dns().servers()).containsExactly("10.96.0.10", "[2001:db8::53]:5353");
        assertThat(out.dns().dnssec()).isTrue();
        assertThat(out.maxConnections()).isEqualTo(50);
        assertThat(out.maxConnectionsPerDestination()).isEqualTo(2);
        assertThat(out.firstRetry()).isEqualTo(Duration.ofSeconds(30));
        assertThat(out.maxRetryInterval()).isEqualTo(Duration.ofHours(2));
        assertThat(out.maxLifetime()).isEqualTo(Duration.ofHours(72));
        assertThat(out.delayWarning()).isEqualTo(Duration.ofMinutes(90));
        assertThat(out.commandTimeout()).as("what the spec leaves out keeps the engine's default")
                .isEqualTo(Outbound.DEFAULTS.commandTimeout());
        assertThat(ConditionList.find(get(client, ns, "mail").getStatus().conditions, ConditionList.OUTBOUND)
                .orElseThrow().getMessage()).isEqualTo("MX look-ups through 10.96.0.10, [2001:db8::53]:5353, DNSSEC-validated");
        assertThat(relayProjections(statefulSet(ns))).isEmpty();
        await().atMost(TIMEOUT).until(() -> "True".equals(condition(get(client, ns, "mail"), "Ready", false)));
    }

    /**
     * The relay login Secret missing, then lacking a key, then complete: OutboundReady and Ready say so at each step
     * (found at once through the referenced-Secret informer), and the password is never in engine.yaml or the pod spec.
     */
    @Test
    void aMissingOrIncompleteRelaySecretIsReportedAndItsArrivalIsSeenAtOnce() {
        String ns = OperatorTestSupport.namespace("outrelay");
        client.secrets().inNamespace(ns).resource(usersSecret(ns, "mail-users", Map.of("alice", "pw"))).create();
        client.resource(relayed(ns)).create();
        markPodsReady(client, ns, "mail");

        await().atMost(TIMEOUT).until(() -> "RelaySecretNotFound".equals(condition(get(client, ns, "mail"),
                ConditionList.OUTBOUND, true)));
        MailServer ms = get(client, ns, "mail");
        assertThat(condition(ms, ConditionList.OUTBOUND, false)).isEqualTo("False");
        assertThat(condition(ms, "Degraded", true)).isEqualTo("RelaySecretNotFound");
        assertThat(condition(ms, "Ready", true)).isEqualTo("RelaySecretNotFound");
        assertThat(ConditionList.find(ms.getStatus().conditions, ConditionList.OUTBOUND).orElseThrow().getMessage())
                .isEqualTo("Secret relay-login (outbound.relay.credentialsSecretName) not found in namespace " + ns
                        + "; mail for other domains stays queued and is retried until it exists");
        await().atMost(TIMEOUT).until(() -> !events(client, ns, "RelaySecretNotFound").isEmpty());
        assertThat(events(client, ns, "RelaySecretNotFound").get(0).getType()).isEqualTo("Warning");

        // engine.yaml names the mounted directory; the pod mounts the user's Secret there, optional so the pod starts.
        Outbound out = engineOutbound(ns);
        assertThat(out.mode()).isEqualTo(Outbound.Mode.RELAY);
        assertThat(out.relay()).isEqualTo(new Outbound.Relay("smtp.provider.example:587", Outbound.RelayTls.STARTTLS,
                EngineContainer.RELAY_DIR));
        List<VolumeProjection> relay = relayProjections(statefulSet(ns));
        assertThat(relay).hasSize(1);
        assertThat(relay.get(0).getSecret().getName()).isEqualTo("relay-login");
        assertThat(relay.get(0).getSecret().getOptional()).isTrue();
        assertThat(relay.get(0).getSecret().getItems()).extracting(i -> i.getKey() + ">" + i.getPath())
                .containsExactly("username>relay/username", "password>relay/password");

        // Created with the label but without a password: named precisely.
        Secret login = new SecretBuilder().withNewMetadata().withName("relay-login").withNamespace(ns)
                .withLabels(Map.of(Names.REFERENCED, "true")).endMetadata()
                .withType("kubernetes.io/basic-auth").withData(Map.of("username", b64("mailer"))).build();
        client.secrets().inNamespace(ns).resource(login).create();
        await().atMost(TIMEOUT).until(() -> "RelaySecretInvalid".equals(condition(get(client, ns, "mail"),
                ConditionList.OUTBOUND, true)));
        assertThat(ConditionList.find(get(client, ns, "mail").getStatus().conditions, ConditionList.OUTBOUND)
                .orElseThrow().getMessage()).startsWith("Secret relay-login has no password (it needs keys username and password");

        // The password arrives: recovered without touching the MailServer, and no pod roll (same config checksum).
        String checksum = statefulSet(ns).getSpec().getTemplate().getMetadata().getAnnotations().get(Names.CONFIG_CHECKSUM);
        Secret complete = client.secrets().inNamespace(ns).withName("relay-login").get();
        complete.setData(Map.of("username", b64("mailer"), "password", b64(PASSWORD)));
        client.secrets().inNamespace(ns).resource(complete).update();
        await().atMost(TIMEOUT).until(() -> "True".equals(condition(get(client, ns, "mail"), "Ready", false)));
        ms = get(client, ns, "mail");
        assertThat(condition(ms, ConditionList.OUTBOUND, true)).isEqualTo("RelayConfigured");
        assertThat(ConditionList.find(ms.getStatus().conditions, ConditionList.OUTBOUND).orElseThrow().getMessage())
                .isEqualTo("relay smtp.provider.example:587 (STARTTLS), login from Secret relay-login");
        assertThat(condition(ms, "Degraded", false)).isEqualTo("False");
        assertThat(statefulSet(ns).getSpec().getTemplate().getMetadata().getAnnotations().get(Names.CONFIG_CHECKSUM))
                .isEqualTo(checksum);

        // The login is only ever in the user's Secret.
        String everything = client.getKubernetesSerialization().asJson(client.configMaps().inNamespace(ns).list())
                + client.getKubernetesSerialization().asJson(statefulSet(ns));
        assertThat(everything).doesNotContain(PASSWORD).doesNotContain(b64(PASSWORD));
    }

    /** Back to direct delivery: the relay mount and the relay block go, the Secret is left to its owner. */
    @Test
    void switchingFromRelayToDirectRemovesTheMount() {
        String ns = OperatorTestSupport.namespace("outswitch");
        client.secrets().inNamespace(ns).resource(usersSecret(ns, "mail-users", Map.of("alice", "pw"))).create();
        client.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName("relay-login")
                .withNamespace(ns).endMetadata().withData(Map.of("username", b64("u"), "password", b64("p")))
                .build()).create();
        MailServer ms = relayed(ns);
        ms.getSpec().outbound.relay.tls = RelaySpec.Tls.IMPLICIT;
        ms.getSpec().outbound.relay.host = "relay.mail.svc";
        client.resource(ms).create();
        markPodsReady(client, ns, "mail");
        await().atMost(TIMEOUT).until(() -> "RelayConfigured".equals(condition(get(client, ns, "mail"),
                ConditionList.OUTBOUND, true)));
        assertThat(client.secrets().inNamespace(ns).withName("relay-login").get().getMetadata().getLabels())
                .as("labelled, so the informer sees its changes").containsEntry(Names.REFERENCED, "true");
        assertThat(engineOutbound(ns).relay().port()).as("implicit TLS without a port").isEqualTo(465);
        assertThat(relayProjections(statefulSet(ns))).hasSize(1);

        MailServer edited = get(client, ns, "mail");
        edited.getSpec().outbound.mode = OutboundSpec.Mode.DIRECT;
        edited.getSpec().outbound.relay = null;
        updateSpec(client, edited);
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(relayProjections(statefulSet(ns))).isEmpty();
            assertThat(engineOutbound(ns).mode()).isEqualTo(Outbound.Mode.DIRECT);
            assertThat(engineOutbound(ns).relay()).isNull();
        });
        await().atMost(TIMEOUT).until(() -> "DirectDelivery".equals(condition(get(client, ns, "mail"),
                ConditionList.OUTBOUND, true)));
        assertThat(client.secrets().inNamespace(ns).withName("relay-login").get()).isNotNull();
    }
}
