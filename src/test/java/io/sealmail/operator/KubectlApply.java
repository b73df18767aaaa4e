package io.sealmail.operator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.sealmail.operator.api.v1alpha1.MailServer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code kubectl apply -f} against the Fabric8 mock server, with the two things the real API server does that the
 * mock does not (BUILD.md): a MailServer is checked and defaulted by the committed CRD's schema and CEL rules
 * ({@link CrdSchema}) and refused when invalid; a Secret's {@code stringData} is merged into {@code data}. Kinds whose
 * CRD the mock does not serve (cert-manager's Certificate) are returned unapplied, as kubectl would fail on them in a
 * cluster without cert-manager.
 */
final class KubectlApply {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private KubectlApply() {
    }

    /** Applies every document into the namespace; returns the documents it could not apply. */
    static List<JsonNode> apply(KubernetesClient client, String ns, String manifests) throws Exception {
        List<JsonNode> skipped = new ArrayList<>();
        CrdSchema crd = CrdSchema.load(CrdSchema.COMMITTED);
        try (var parser = YAML.getFactory().createParser(manifests)) {
            var docs = YAML.readValues(parser, JsonNode.class);
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                if (doc == null || doc.isNull() || doc.isEmpty()) {
                    continue;
                }
                ((ObjectNode) doc.get("metadata")).put("namespace", ns);
                String kind = doc.path("kind").asText();
                var serialization = client.getKubernetesSerialization();
                switch (kind) {
                    case "MailServer" -> {
                        assertThat(crd.validate(doc)).as("the API server would refuse this MailServer").isEmpty();
                        client.resource(serialization.convertValue(doc, MailServer.class)).create();
                    }
                    case "Secret" -> {
                        ObjectNode secret = (ObjectNode) doc;
                        JsonNode stringData = secret.remove("stringData");
                        if (stringData != null) {
                            ObjectNode data = secret.has("data") ? (ObjectNode) secret.get("data") : secret.putObject("data");
                            stringData.fields().forEachRemaining(e -> data.put(e.getKey(), Base64.getEncoder()
                                    .encodeToString(e.getValue().asText().getBytes(StandardCharsets.UTF_8))));
                        }
                        client.resource(serialization.convertValue(secret, Secret.class)).create();
                    }
                    default -> skipped.add(doc);
                }
            }
        }
        return skipped;
    }
}
