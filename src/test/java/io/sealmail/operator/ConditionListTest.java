package io.sealmail.operator;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Conditions as the Kubernetes API conventions ask: a map keyed by type, stable times, others' entries kept. */
class ConditionListTest {
    private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");

    @Test
    void aConditionTheOperatorDoesNotSetIsKept() {
        Condition foreign = new ConditionBuilder().withType("example.com/Audited").withStatus("True")
                .withReason("Checked").withLastTransitionTime(T0.toString()).build();
        ConditionList list = new ConditionList(List.of(foreign), 3, T0.plusSeconds(60));
        list.set(ConditionList.READY, true, "MailServerReady", "serving");
        List<Condition> built = list.build();
        assertThat(built).extracting(Condition::getType).containsExactly("Ready", "example.com/Audited");
        assertThat(built.get(1)).isEqualTo(foreign);
    }

    @Test
    void theTransitionTimeMovesOnlyWithTheStatus() {
        List<Condition> first = new ConditionList(List.of(), 1, T0).set(ConditionList.READY, false, "PodsNotReady", "0/1")
                .build();
        List<Condition> same = new ConditionList(first, 2, T0.plusSeconds(60))
                .set(ConditionList.READY, false, "AccountsPending", "writing").build();
        assertThat(same.get(0).getLastTransitionTime()).isEqualTo(T0.toString());
        List<Condition> flipped = new ConditionList(same, 2, T0.plusSeconds(120))
                .set(ConditionList.READY, true, "MailServerReady", "serving").build();
        assertThat(flipped.get(0).getLastTransitionTime()).isEqualTo(T0.plusSeconds(120).toString());
    }

    /** The committed CRD declares the list a map keyed by type, with type and status required. */
    @Test
    void theCrdDeclaresConditionsAListTypeMap() throws Exception {
        JsonNode crd = CrdSchema.yaml(Files.readString(CrdSchema.COMMITTED));
        JsonNode conditions = crd.at("/spec/versions/0/schema/openAPIV3Schema/properties/status/properties/conditions");
        assertThat(conditions.path("x-kubernetes-list-type").asText()).isEqualTo("map");
        assertThat(conditions.path("x-kubernetes-list-map-keys").toString()).isEqualTo("[\"type\"]");
        assertThat(conditions.at("/items/required").toString()).isEqualTo("[\"type\",\"status\"]");
    }
}
