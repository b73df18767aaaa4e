package io.sealmail.operator;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.sealmail.ca.CaSpec;
import io.sealmail.ca.CertificateAuthority;
import io.sealmail.ca.Pem;
import io.sealmail.config.EngineConfigYaml;
import jakarta.inject.Inject;
import jakarta.mail.Folder;
import jakarta.mail.MessagingException;
import jakarta.mail.Quota;
import jakarta.mail.QuotaAwareStore;
import jakarta.mail.Store;
import jakarta.mail.Transport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.sealmail.operator.OperatorTestSupport.TIMEOUT;
import static io.sealmail.operator.OperatorTestSupport.b64;
import static io.sealmail.operator.OperatorTestSupport.condition;
import static io.sealmail.operator.OperatorTestSupport.events;
import static io.sealmail.operator.OperatorTestSupport.get;
import static io.sealmail.operator.OperatorTestSupport.markPodsReady;
import static io.sealmail.operator.OperatorTestSupport.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The whole chain with the real parts (DESIGN.md, test layer 4): a MailServer applied to the mock API server, the
 * operator's own output (pod template, ConfigMap, Secrets, Service) turned into a running engine by a stand-in
 * kubelet ({@link Kubelet}: volumes laid out at the mount paths, the container's command and args in a child JVM),
 * and Angus Mail clients reaching it through the Service ({@link ServiceProxy}) by its DNS name, trusting only the
 * {@code ca.crt} the operator published. Then a certificate renewal and an accounts change reach the running engine
 * the way a kubelet delivers them, with no restart.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class EndToEndTest {
    static final String ALICE = "alice@example.com";
    static final String ALICE_PASSWORD = "correct horse battery staple";

    /**
     * Only the four client ports. The certificate lives 1 hour and renews 15 seconds after issuance, so the
     * operator's own renewal schedule (not a moved clock) reissues it during the test; both values pass the CRD.
     */
    static final String MANIFEST = """
            apiVersion: v1
            kind: Secret
            metadata:
              name: mail-users
            stringData:
              alice_example.com: "correct horse battery staple"
            ---
            apiVersion: sealmail.io/v1alpha1
            kind: MailServer
            metadata:
              name: mail
            spec:
              hostname: mail.example.com
              domains: [example.com]
              ports: [submission, smtps, imaps, pop3s]
              accounts:
                secretName: mail-users
              tls:
                duration: 1h
                renewBefore: 59m45s
              limits:
                quotaPerAccount: 1.5Mi
                quotaMessagesPerAccount: 4
            """;

    @Inject
    KubernetesClient client;
    @Inject
    Operator operator;
    @Inject
    OperatorSettings settings;
    @TempDir
    Path pods;

    @BeforeEach
    void start() {
        OperatorTestSupport.start(operator);
    }

    private Secret secret(String ns, String name) {
        return client.secrets().inNamespace(ns).withName(name).get();
    }

    @Test
    void aMailServerServesEncryptedMailThroughItsServiceAndTakesRenewalsAndNewUsersWithoutARestart() throws Exception {
        String ns = OperatorTestSupport.namespace("e2e");
        assertThat(KubectlApply.apply(client, ns, MANIFEST)).isEmpty();

        // The operator's output, once the accounts file has alice (the StatefulSet waits for the accounts Secret).
        await().atMost(TIMEOUT).until(() -> secret(ns, "mail-tls") != null && secret(ns, "mail-accounts") != null
                && text(secret(ns, "mail-accounts"), "accounts").contains(ALICE)
                && client.apps().statefulSets().inNamespace(ns).withName("mail").get() != null
                && client.services().inNamespace(ns).withName("mail").get() != null);
        StatefulSet sts = client.apps().statefulSets().inNamespace(ns).withName("mail").get();
        Service service = client.services().inNamespace(ns).withName("mail").get();
        String checksum = sts.getSpec().getTemplate().getMetadata().getAnnotations().get(Names.CONFIG_CHECKSUM);
        assertThat(service.getSpec().getPorts()).extracting(ServicePort::getPort).containsExactly(587, 465, 993, 995);

        try (Kubelet kubelet = new Kubelet(client, sts, pods.resolve("mail-0"))) {
            kubelet.mountVolumes();
            Path tlsCrt = kubelet.hostPath(EngineContainer.TLS_CERT_FILE);
            assertThat(Files.isSymbolicLink(kubelet.hostPath(EngineContainer.TLS_DIR))).as("kubelet layout").isTrue();
            assertThat(Files.readString(kubelet.hostPath(EngineContainer.CONFIG_FILE)))
                    .isEqualTo(client.configMaps().inNamespace(ns).withName("mail-config").get().getData().get("engine.yaml"));

            kubelet.startContainer();
            // Not listening: the engine opened exactly the chosen ports (and health), nothing for 25, 143 or 110.
            assertThat(kubelet.publishedPorts().keySet()).containsExactlyInAnyOrder(5587, 4465, 1993, 1995,
                    EngineContainer.HTTP_PORT);
            await().atMost(TIMEOUT).until(kubelet::ready);
            markPodsReady(client, ns, "mail");
            await().atMost(TIMEOUT).until(() -> "True".equals(condition(get(client, ns, "mail"), "Ready", false)));

            try (ServiceProxy proxy = new ServiceProxy(service, settings.clusterDomain(), kubelet::resolve)) {
                String host = "mail." + ns + ".svc";
                ServiceClients clients = new ServiceClients(host, proxy.port());
                CaTrust trust = new CaTrust(text(secret(ns, "mail-tls"), "ca.crt"));
                String firstSerial = serial(tlsCrt);

                // Submit over 587 (STARTTLS) and 465 (implicit TLS); read back over 993 and 995.
                Transport submission = clients.submission("smtp", 587, trust, ALICE, ALICE_PASSWORD);
                ServiceClients.send(submission, ALICE, ALICE, "over 587");
                try (Transport smtps = clients.submission("smtps", 465, trust, ALICE, ALICE_PASSWORD)) {
                    ServiceClients.send(smtps, ALICE, ALICE, "over 465");
                }
                Store imaps = clients.store("imaps", 993, trust, ALICE, ALICE_PASSWORD);
                Folder inbox = imaps.getFolder("INBOX");
                inbox.open(Folder.READ_ONLY);
                assertThat(ServiceClients.subjects(inbox)).containsExactlyInAnyOrder("over 587", "over 465");
                try (Store pop3s = clients.store("pop3s", 995, trust, ALICE, ALICE_PASSWORD)) {
                    Folder pop = pop3s.getFolder("INBOX");
                    pop.open(Folder.READ_ONLY);
                    assertThat(ServiceClients.subjects(pop)).containsExactlyInAnyOrder("over 587", "over 465");
                    pop.close(false);
                }
                // curl too, through the same Service, with only ca.crt as its CA file and its own name check.
                Path caFile = Files.writeString(pods.resolve("ca.crt"), text(secret(ns, "mail-tls"), "ca.crt"));
                assertThat(curl(proxy, caFile, "imaps://" + host + ":993/INBOX", "-X", "SEARCH ALL"))
                        .isEqualToIgnoringNewLines("* SEARCH 1 2");
                assertThat(curl(proxy, caFile, "pop3s://" + host + ":995/").lines()).hasSize(2);
                assertThat(trust.serialsSeen()).isNotEmpty().allMatch(firstSerial::equals);

                // Absent ports: the Service does not declare 25, 143 or 110, so no client gets through.
                assertThat(proxy.servicePorts()).doesNotContain(25, 143, 110);
                assertThatThrownBy(() -> clients.store("imap", 143, trust, ALICE, ALICE_PASSWORD).close())
                        .isInstanceOf(MessagingException.class);
                assertThatThrownBy(() -> clients.store("pop3", 110, trust, ALICE, ALICE_PASSWORD).close())
                        .isInstanceOf(MessagingException.class);
                assertThatThrownBy(() -> clients.submission("smtp", 25, trust, ALICE, ALICE_PASSWORD).close())
                        .isInstanceOf(MessagingException.class);
                // The trust is real: another CA, or a name the certificate does not cover, is refused.
                CaTrust stranger = new CaTrust(CertificateAuthority.create(CaSpec.defaults(), Clock.systemUTC()).certificatePem());
                assertThatThrownBy(() -> clients.store("imaps", 993, stranger, ALICE, ALICE_PASSWORD).close())
                        .isInstanceOf(MessagingException.class);
                assertThat(stranger.refusals()).anyMatch(r -> r.contains("PKIX path"));
                ServiceClients portForward = new ServiceClients("localhost", proxy.port());
                CaTrust right = new CaTrust(text(secret(ns, "mail-tls"), "ca.crt"));
                assertThatThrownBy(() -> portForward.store("imaps", 993, right, ALICE, ALICE_PASSWORD).close())
                        .isInstanceOf(MessagingException.class);
                assertThat(right.refusals()).containsExactly("No subject alternative DNS name matching localhost found.");

                // Renewal: the operator reissues at the renewal time; the kubelet swaps ..data; the engine reloads.
                await().atMost(Duration.ofSeconds(60)).until(() ->
                        !firstSerial.equals(ServingCertificate.read(secret(ns, "mail-tls")).serial()));
                assertThat(kubelet.syncVolumes()).isTrue();
                String renewedSerial = serial(tlsCrt);
                assertThat(renewedSerial).isNotEqualTo(firstSerial);
                await().atMost(TIMEOUT).untilAsserted(() -> {
                    CaTrust fresh = new CaTrust(text(secret(ns, "mail-tls"), "ca.crt"));
                    clients.store("imaps", 993, fresh, ALICE, ALICE_PASSWORD).close();
                    assertThat(fresh.serialsSeen()).containsExactly(renewedSerial);
                });
                CaTrust afterRenewal = new CaTrust(text(secret(ns, "mail-tls"), "ca.crt"));
                try (Transport smtps = clients.submission("smtps", 465, afterRenewal, ALICE, ALICE_PASSWORD)) {
                    ServiceClients.send(smtps, ALICE, ALICE, "over 465 after the renewal");
                }
                assertThat(afterRenewal.serialsSeen()).containsExactly(renewedSerial);
                // The connections opened before the renewal keep working on their first handshake.
                int seenBefore = trust.serialsSeen().size();
                ServiceClients.send(submission, ALICE, ALICE, "over 587 on the old connection");
                submission.close();
                await().atMost(TIMEOUT).until(() -> inbox.getMessageCount() == 4);
                assertThat(ServiceClients.subjects(inbox)).contains("over 465 after the renewal",
                        "over 587 on the old connection");
                assertThat(trust.serialsSeen()).hasSize(seenBefore).allMatch(firstSerial::equals);

                // spec.limits' quotas reached the engine: IMAP QUOTA reports them (RFC 9208: STORAGE in units of
                // 1,024 octets), and with 4 of 4 messages the next delivery is refused, nothing stored.
                Quota quota = ((QuotaAwareStore) imaps).getQuota("INBOX")[0];
                assertThat(quota.resources).extracting(r -> r.name + " " + r.usage + "/" + r.limit)
                        .contains("MESSAGE 4/4").anyMatch(r -> r.startsWith("STORAGE ") && r.endsWith("/1536"));
                try (Transport smtps = clients.submission("smtps", 465, afterRenewal, ALICE, ALICE_PASSWORD)) {
                    assertThatThrownBy(() -> ServiceClients.send(smtps, ALICE, ALICE, "a fifth message"))
                            .isInstanceOf(MessagingException.class).hasStackTraceContaining("552");
                }
                assertThat(inbox.getMessageCount()).isEqualTo(4);
                await().atMost(TIMEOUT).until(() -> !events(client, ns, "CertificateRenewed").isEmpty());

                // A new user in the accounts Secret logs in once the kubelet delivers the new accounts file.
                assertThatThrownBy(() -> clients.store("imaps", 993, afterRenewal, "bob@example.com", "bob's passphrase"))
                        .isInstanceOf(jakarta.mail.AuthenticationFailedException.class);
                Secret users = secret(ns, "mail-users");
                users.getData().put("bob", b64("bob's passphrase"));
                client.secrets().inNamespace(ns).resource(users).update();
                await().atMost(TIMEOUT).until(() -> text(secret(ns, "mail-accounts"), "accounts").contains("bob@example.com"));
                assertThat(kubelet.syncVolumes()).isTrue();
                assertThat(Files.readString(kubelet.hostPath(EngineContainer.ACCOUNTS_FILE))).contains("bob@example.com");
                // One login once the engine says it reloaded: failed logins are throttled per client address.
                await().atMost(TIMEOUT).until(() -> kubelet.output().stream().anyMatch(l -> l.contains("accounts: reloaded")));
                clients.store("pop3s", 995, afterRenewal, "bob@example.com", "bob's passphrase").close();
                inbox.close(false);
                imaps.close();

                // No restart on the way: the same engine process, and the pod template never changed.
                assertThat(kubelet.process().isAlive()).isTrue();
                assertThat(client.apps().statefulSets().inNamespace(ns).withName("mail").get().getSpec().getTemplate()
                        .getMetadata().getAnnotations().get(Names.CONFIG_CHECKSUM)).isEqualTo(checksum);
                assertThat(EngineConfigYaml.read(Files.readString(kubelet.hostPath(EngineContainer.CONFIG_FILE)))
                        .listeners()).hasSize(4);
                assertThat(kubelet.output()).anyMatch(l -> l.contains("TLS certificate reloaded"));
            }
        }
    }

    /** curl (as installed on the machine) through the Service proxy, logged in as alice; fails the test on an error. */
    private static String curl(ServiceProxy proxy, Path caFile, String url, String... more) throws Exception {
        io.sealmail.testing.ExternalTool.require("curl");
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "60", "--proxy",
                "http://127.0.0.1:" + proxy.port(), "--proxytunnel", "--cacert", caFile.toString(),
                "--user", ALICE + ":" + ALICE_PASSWORD, url));
        cmd.addAll(List.of(more));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("curl %s said: %s", url, out).isZero();
        return out;
    }

    private static String serial(Path pem) throws java.io.IOException {
        return Pem.readCertificates(Files.readString(pem)).get(0).getSerialNumber().toString(16);
    }
}
