package io.sealmail.operator;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.sealmail.ca.CaSpec;
import io.sealmail.ca.CertificateAuthority;
import io.sealmail.ca.IssuedCertificate;
import io.sealmail.ca.LeafSpec;
import io.sealmail.config.EngineConfig;
import io.sealmail.config.EngineConfigYaml;
import io.sealmail.operator.api.v1alpha1.MailServer;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;

import static io.sealmail.operator.OperatorTestSupport.TIMEOUT;
import static io.sealmail.operator.OperatorTestSupport.b64;
import static io.sealmail.operator.OperatorTestSupport.condition;
import static io.sealmail.operator.OperatorTestSupport.get;
import static io.sealmail.operator.OperatorTestSupport.markPodsReady;
import static io.sealmail.operator.OperatorTestSupport.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every file under examples/ applied as a user would ({@code kubectl apply -f}, through {@link KubectlApply}: the
 * CRD's schema and CEL rules checked, stringData merged) to the mock API server, reconciled by the operator, and the
 * result checked: the Ready condition or the reason it is not ready, the Service and its ports, what the engine is
 * configured with.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class ExamplesAppliedTest {
    @Inject
    KubernetesClient client;
    @Inject
    Operator operator;

    @BeforeEach
    void start() {
        OperatorTestSupport.start(operator);
    }

    private static String example(String name) throws Exception {
        return Files.readString(Path.of("examples", name));
    }

    private Service service(String ns) {
        return client.services().inNamespace(ns).withName("mail").get();
    }

    private EngineConfig engineConfig(String ns) {
        return EngineConfigYaml.read(client.configMaps().inNamespace(ns).withName("mail-config").get().getData()
                .get(EngineContainer.CONFIG_KEY));
    }

    private void becomesReady(String ns) {
        markPodsReady(client, ns, "mail");
        await().atMost(TIMEOUT).until(() -> "True".equals(condition(get(client, ns, "mail"), "Ready", false)));
    }

    @Test
    void minimalGetsACaCertificateAndTheDefaultPortsOnAClusterIpService() throws Exception {
        String ns = OperatorTestSupport.namespace("ex-minimal");
        assertThat(KubectlApply.apply(client, ns, example("minimal.yaml"))).isEmpty();
        becomesReady(ns);
        MailServer ms = get(client, ns, "mail");
        assertThat(condition(ms, "Ready", true)).isEqualTo("MailServerReady");
        assertThat(condition(ms, "CertificateReady", true)).isEqualTo("CertificateIssued");
        assertThat(ms.getStatus().certificate.dnsNames).contains("mail.example.com", "mail." + ns + ".svc");

        Service svc = service(ns);
        assertThat(svc.getSpec().getType()).isEqualTo("ClusterIP");
        assertThat(svc.getSpec().getPorts()).extracting(p -> p.getName() + ":" + p.getPort())
                .containsExactly("smtp:25", "submission:587", "smtps:465", "pop3s:995", "imaps:993");
        // Nobody can log in: an empty accounts file, and the engine still serves (mail in on 25).
        assertThat(text(client.secrets().inNamespace(ns).withName("mail-accounts").get(), "accounts")).isEmpty();
        assertThat(engineConfig(ns).domains()).containsExactly("example.com");
    }

    @Test
    void accountsHashesThePasswordsAndConfiguresTheAliases() throws Exception {
        String ns = OperatorTestSupport.namespace("ex-accounts");
        assertThat(KubectlApply.apply(client, ns, example("accounts.yaml"))).isEmpty();
        becomesReady(ns);
        assertThat(condition(get(client, ns, "mail"), "Ready", true)).isEqualTo("MailServerReady");

        Map<String, String> accounts = AccountsFile.parse(text(client.secrets().inNamespace(ns)
                .withName("mail-accounts").get(), "accounts"));
        assertThat(accounts).containsOnlyKeys("alice@example.com", "bob@example.com");
        assertThat(new Argon2idHasher().matches("correct horse battery staple", accounts.get("alice@example.com"))).isTrue();
        assertThat(new Argon2idHasher().matches("a long passphrase for bob", accounts.get("bob@example.com"))).isTrue();
        EngineConfig config = engineConfig(ns);
        assertThat(config.domains()).containsExactly("example.com", "example.org");
        assertThat(config.aliases()).containsEntry("postmaster@example.com", "alice@example.com");
        assertThat(service(ns).getSpec().getPorts()).extracting(ServicePort::getPort).containsExactly(25, 587, 465, 993, 995);
    }

    @Test
    void loadBalancerWithItsOwnCertificateWaitsForTheSecretThenServesIt() throws Exception {
        String ns = OperatorTestSupport.namespace("ex-lb");
        // The example names the accounts Secret of examples/accounts.yaml; apply that Secret first, as its comment says.
        String accountsSecret = example("accounts.yaml").split("(?m)^---$")[0];
        assertThat(KubectlApply.apply(client, ns, accountsSecret)).isEmpty();
        List<JsonNode> notApplied = KubectlApply.apply(client, ns, example("loadbalancer-own-certificate.yaml"));
        // cert-manager's Certificate needs cert-manager; the mock server has no such CRD.
        assertThat(notApplied).extracting(d -> d.path("kind").asText()).containsExactly("Certificate");
        JsonNode certificate = notApplied.get(0);
        String secretName = certificate.at("/spec/secretName").asText();

        // Until cert-manager writes the Secret: not ready, with the reason that says so.
        await().atMost(TIMEOUT).until(() -> "CertificateSecretNotFound".equals(condition(get(client, ns, "mail"), "Ready", true)));
        assertThat(client.secrets().inNamespace(ns).withName("mail-tls").get()).as("nothing issued by our CA").isNull();

        // What cert-manager would write for that Certificate (here signed by a Sealmail CA, ECDSA P-256 as asked).
        CertificateAuthority ca = CertificateAuthority.create(CaSpec.defaults(), Clock.systemUTC());
        List<String> dnsNames = client.getKubernetesSerialization().convertValue(certificate.at("/spec/dnsNames"),
                List.class);
        IssuedCertificate issued = ca.issue(LeafSpec.of(dnsNames, List.of()));
        client.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName(secretName)
                .withNamespace(ns).withAnnotations(Map.of("cert-manager.io/certificate-name",
                        certificate.at("/metadata/name").asText())).endMetadata()
                .withType("kubernetes.io/tls")
                .withData(Map.of("tls.crt", b64(issued.tlsCrtPem()), "tls.key", b64(issued.tlsKeyPem()),
                        "ca.crt", b64(issued.caCrtPem())))
                .build()).create();
        becomesReady(ns);
        MailServer ms = get(client, ns, "mail");
        assertThat(condition(ms, "CertificateReady", true)).isEqualTo("CertificateValid");
        assertThat(ms.getStatus().certificate.secretName).isEqualTo(secretName);
        assertThat(ms.getStatus().certificate.serial).isEqualTo(issued.leaf().getSerialNumber().toString(16));

        Service svc = service(ns);
        assertThat(svc.getSpec().getType()).isEqualTo("LoadBalancer");
        assertThat(svc.getSpec().getExternalTrafficPolicy()).isEqualTo("Local");
        assertThat(svc.getSpec().getLoadBalancerSourceRanges()).containsExactly("0.0.0.0/0");
        assertThat(svc.getMetadata().getAnnotations()).containsEntry("service.beta.kubernetes.io/aws-load-balancer-type", "nlb");
        assertThat(svc.getSpec().getPorts()).extracting(ServicePort::getPort).containsExactly(25, 587, 465, 993);

        // The pods mount the user's Secret, and each get their 20Gi volume.
        StatefulSet sts = client.apps().statefulSets().inNamespace(ns).withName("mail").get();
        assertThat(sts.getSpec().getTemplate().getSpec().getVolumes()).anySatisfy(v -> assertThat(v.getProjected() != null
                && v.getProjected().getSources().stream().anyMatch(s -> s.getSecret() != null
                && s.getSecret().getName().equals(secretName))).isTrue());
        assertThat(sts.getSpec().getVolumeClaimTemplates().get(0).getSpec().getResources().getRequests().get("storage")
                .toString()).isEqualTo("20Gi");
    }

    @Test
    void anAccountsSecretNamedLikeTheOperatorsOwnIsRefusedWithItsReasonAndKept() throws Exception {
        // examples/accounts.yaml as it first shipped: the user's Secret was called mail-accounts, the name the operator
        // writes the hashed file under for a MailServer called mail.
        String ns = OperatorTestSupport.namespace("ex-clash");
        assertThat(KubectlApply.apply(client, ns, example("accounts.yaml").replace("mail-users", "mail-accounts"))).isEmpty();
        await().atMost(TIMEOUT).until(() -> "AccountsSecretNameConflict".equals(condition(get(client, ns, "mail"), "Ready", true)));
        assertThat(condition(get(client, ns, "mail"), "Degraded", false)).isEqualTo("True");
        // The user's passwords are never replaced by the operator's file.
        assertThat(text(client.secrets().inNamespace(ns).withName("mail-accounts").get(), "alice_example.com"))
                .isEqualTo("correct horse battery staple");
    }
}
