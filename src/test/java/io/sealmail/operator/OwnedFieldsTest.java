package io.sealmail.operator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.sealmail.operator.api.v1alpha1.MailServer;
import io.sealmail.operator.api.v1alpha1.Protocol;
import io.sealmail.operator.api.v1alpha1.ServiceSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dependents' comparison of what they want with what a real API server returns: its defaults and canonical
 * quantities are no change ({@link ApiServerDefaults}), whatever the user removed from the MailServer is one.
 */
class OwnedFieldsTest {
    private static final KubernetesSerialization JSON = new KubernetesSerialization();
    private final EngineStatefulSetDependent statefulSets = new EngineStatefulSetDependent();
    private final MailServiceDependent services = new MailServiceDependent();
    private final OwnedFields statefulSetFields = new OwnedFields("/spec/template/spec/nodeSelector",
            "/spec/template/spec/tolerations", "/spec/template/spec/affinity", "/spec/template/spec/containers/*/resources");
    private final OwnedFields serviceFields = new OwnedFields("/spec/selector", "/spec/loadBalancerSourceRanges",
            "/spec/externalTrafficPolicy");

    OwnedFieldsTest() {
        statefulSets.settings = new OperatorSettings();
        statefulSets.settings.image = EngineContainer.DEFAULT_IMAGE;
        statefulSets.settings.imagePullPolicy = "IfNotPresent";
    }

    private static MailServer mailServer() {
        MailServer ms = OperatorTestSupport.mailServer("ns", "mail");
        ms.getSpec().resources = new ResourceRequirementsBuilder()
                .withRequests(Map.of("cpu", new Quantity("0.5"), "memory", new Quantity("1024Mi")))
                .withLimits(Map.of("memory", new Quantity("1.5Gi")))
                .build();
        ms.getSpec().nodeSelector = Map.of("disk", "ssd");
        ms.getSpec().tolerations = List.of(new TolerationBuilder().withKey("mail").withOperator("Exists")
                .withEffect("NoSchedule").build());
        ms.getSpec().service = new ServiceSpec(ServiceSpec.Type.LoadBalancer);
        ms.getSpec().service.annotations = Map.of("lb.example/a", "1", "lb.example/b", "2");
        ms.getSpec().service.loadBalancerSourceRanges = List.of("10.0.0.0/8", "192.168.0.0/16");
        return ms;
    }

    /** The desired object as the API server would return it after storing it. */
    private static JsonNode stored(HasMetadata desired) {
        return ApiServerDefaults.apply(JSON.convertValue(desired, JsonNode.class).deepCopy());
    }

    private static JsonNode json(HasMetadata o) {
        return JSON.convertValue(o, JsonNode.class);
    }

    @Test
    void aStatefulSetTheApiServerDefaultedAndCanonicalisedStillMatches() {
        var desired = statefulSets.desired(mailServer(), null);
        JsonNode actual = stored(desired);
        assertThat(actual.at("/spec/template/spec/containers/0/resources/requests/cpu").asText()).isEqualTo("500m");
        assertThat(actual.at("/spec/template/spec/containers/0/resources/requests/memory").asText()).isEqualTo("1Gi");
        assertThat(actual.at("/spec/template/spec/containers/0/resources/limits/memory").asText()).isEqualTo("1536Mi");
        assertThat(statefulSetFields.matches(json(desired), actual)).isTrue();
    }

    @Test
    void whatTheUserRemovedFromTheStatefulSetIsAChange() {
        JsonNode actual = stored(statefulSets.desired(mailServer(), null));
        for (String removed : List.of("nodeSelector", "tolerations", "resources", "limits")) {
            MailServer ms = mailServer();
            switch (removed) {
                case "nodeSelector" -> ms.getSpec().nodeSelector = null;
                case "tolerations" -> ms.getSpec().tolerations = List.of();
                case "resources" -> ms.getSpec().resources = null;
                default -> ms.getSpec().resources.setLimits(Map.of());
            }
            assertThat(statefulSetFields.matches(json(statefulSets.desired(ms, null)), actual)).as(removed).isFalse();
        }
        MailServer smaller = mailServer();
        smaller.getSpec().resources.getLimits().put("memory", new Quantity("1Gi"));
        assertThat(statefulSetFields.matches(json(statefulSets.desired(smaller, null)), actual)).as("1Gi vs 1536Mi").isFalse();
    }

    @Test
    void aServiceWithTheApiServersAllocationsMatchesAndRemovalsDoNot() {
        MailServer ms = mailServer();
        JsonNode actual = stored(services.desired(ms, null));
        // A cloud controller's own annotation is not ours to compare.
        ((ObjectNode) actual.at("/metadata/annotations")).put("cloud.example/lb-id", "lb-123");
        assertThat(serviceFields.matches(json(services.desired(ms, null)), actual)).isTrue();

        MailServer fewerPorts = mailServer();
        fewerPorts.getSpec().ports = List.of(Protocol.SMTP, Protocol.SUBMISSION, Protocol.SMTPS, Protocol.IMAPS);
        assertThat(serviceFields.matches(json(services.desired(fewerPorts, null)), actual)).as("port removed").isFalse();

        MailServer fewerRanges = mailServer();
        fewerRanges.getSpec().service.loadBalancerSourceRanges = List.of("10.0.0.0/8");
        assertThat(serviceFields.matches(json(services.desired(fewerRanges, null)), actual)).as("range removed").isFalse();

        MailServer fewerAnnotations = mailServer();
        fewerAnnotations.getSpec().service.annotations = Map.of("lb.example/a", "1");
        assertThat(serviceFields.matches(json(services.desired(fewerAnnotations, null)), actual)).as("annotation removed").isFalse();
        fewerAnnotations.getSpec().service.annotations = null;
        assertThat(serviceFields.matches(json(services.desired(fewerAnnotations, null)), actual)).as("all annotations removed").isFalse();

        MailServer cluster = mailServer();
        cluster.getSpec().service.externalTrafficPolicy = ServiceSpec.TrafficPolicy.Cluster;
        assertThat(serviceFields.matches(json(services.desired(cluster, null)), actual)).as("policy changed").isFalse();
    }

    @Test
    void aMapOwnedWholeMayNotHaveMoreKeysAndAListMayNotHaveMoreItems() {
        OwnedFields configMap = new OwnedFields("/data");
        JsonNode desired = JSON.convertValue(Map.of("kind", "ConfigMap", "data", Map.of("a", "1")), JsonNode.class);
        ObjectNode actual = desired.deepCopy();
        assertThat(configMap.matches(desired, actual)).isTrue();
        ((ObjectNode) actual.get("data")).put("b", "2");
        assertThat(configMap.matches(desired, actual)).isFalse();

        OwnedFields none = new OwnedFields();
        JsonNode list = JSON.convertValue(Map.of("spec", Map.of("items", List.of(Map.of("x", 1)))), JsonNode.class);
        ObjectNode longer = list.deepCopy();
        ((ArrayNode) longer.at("/spec/items")).addObject().put("x", 2);
        assertThat(none.matches(list, longer)).isFalse();
        ObjectNode defaulted = list.deepCopy();
        ((ObjectNode) defaulted.at("/spec/items/0")).put("defaulted", true);
        assertThat(none.matches(list, defaulted)).isTrue();
    }

    @ParameterizedTest
    @CsvSource({"0.5,500m", "1024Mi,1Gi", "1.5Gi,1536Mi", "2000m,2", "1000M,1G", "64Mi,64Mi", "250m,250m"})
    void quantitiesCompareByValue(String written, String stored) {
        assertThat(ApiServerDefaults.canonical(written)).isEqualTo(stored);
        assertThat(OwnedFields.sameQuantity(written, stored)).isTrue();
        assertThat(OwnedFields.sameQuantity(written, "3")).isFalse();
    }
}
