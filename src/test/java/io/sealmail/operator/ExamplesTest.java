package io.sealmail.operator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every MailServer under examples/ passes the committed CRD's schema and CEL rules (what the API server checks on
 * kubectl apply), and every Secret it names is in the same file.
 */
class ExamplesTest {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static List<JsonNode> documents(Path file) throws Exception {
        List<JsonNode> docs = new ArrayList<>();
        try (var parser = YAML.getFactory().createParser(Files.readString(file))) {
            var it = YAML.readValues(parser, JsonNode.class);
            while (it.hasNext()) {
                docs.add(it.next());
            }
        }
        return docs;
    }

    @ParameterizedTest
    @ValueSource(strings = {"minimal.yaml", "accounts.yaml", "loadbalancer-own-certificate.yaml", "relay.yaml"})
    void examplePassesTheCrdSchema(String name) throws Exception {
        CrdSchema crd = CrdSchema.load(CrdSchema.COMMITTED);
        List<JsonNode> docs = documents(Path.of("examples", name));
        List<JsonNode> servers = docs.stream().filter(d -> "MailServer".equals(d.path("kind").asText())).toList();
        assertThat(servers).hasSize(1);
        JsonNode server = servers.get(0);
        assertThat(server.path("apiVersion").asText()).isEqualTo("sealmail.io/v1alpha1");
        assertThat(crd.validate(server)).as(name).isEmpty();
        String accounts = server.at("/spec/accounts/secretName").asText(null);
        if (accounts != null) {
            assertThat(accounts).as("not the Secret the operator writes").isNotEqualTo(server.at("/metadata/name").asText() + "-accounts");
        }
        if (accounts != null && !name.startsWith("loadbalancer")) {
            JsonNode secret = docs.stream().filter(d -> "Secret".equals(d.path("kind").asText())
                    && accounts.equals(d.at("/metadata/name").asText())).findFirst().orElseThrow();
            // Every key the example shows is one the operator accepts.
            java.util.Map<String, String> data = new java.util.TreeMap<>();
            secret.path("stringData").fields().forEachRemaining(e -> data.put(e.getKey(), java.util.Base64.getEncoder()
                    .encodeToString(e.getValue().asText().getBytes(java.nio.charset.StandardCharsets.UTF_8))));
            List<String> domains = new java.util.ArrayList<>();
            server.at("/spec/domains").forEach(d -> domains.add(d.asText()));
            AccountsFile.Entries entries = AccountsFile.entries(data, domains);
            assertThat(entries.problems()).isEmpty();
            assertThat(entries.passwords()).isNotEmpty();
        }
    }

    @Test
    void theCertManagerCertificateWritesTheSecretTheServerReads() throws Exception {
        List<JsonNode> docs = documents(Path.of("examples", "loadbalancer-own-certificate.yaml"));
        JsonNode cert = docs.stream().filter(d -> "Certificate".equals(d.path("kind").asText())).findFirst().orElseThrow();
        JsonNode server = docs.stream().filter(d -> "MailServer".equals(d.path("kind").asText())).findFirst().orElseThrow();
        assertThat(server.at("/spec/tls/secretName").asText()).isEqualTo(cert.at("/spec/secretName").asText());
        assertThat(cert.at("/spec/dnsNames").toString()).contains(server.at("/spec/hostname").asText());
    }

    @Test
    void aBrokenExampleWouldBeCaught() throws Exception {
        // The check above can fail: the same minimal example with a port name the CRD does not know.
        CrdSchema crd = CrdSchema.load(CrdSchema.COMMITTED);
        JsonNode server = documents(Path.of("examples", "minimal.yaml")).get(0).deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) server.path("spec")).putArray("ports").add("smtp").add("http");
        assertThat(crd.validate(server)).isNotEmpty();
    }
}
