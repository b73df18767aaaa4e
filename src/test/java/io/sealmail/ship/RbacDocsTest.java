package io.sealmail.ship;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 16, item 12: the RBAC table in docs/operator.md is the one deploy/rbac.yaml grants, rule by rule and verb by
 * verb (the chart is held to the same rules by {@link HelmChartTest} through {@link OperatorInstall}).
 */
class RbacDocsTest {

    @Test
    void theDocumentedRulesAreTheManifestsRules() throws Exception {
        assertThat(documented()).isEqualTo(granted());
    }

    /** "kind group resource verb" for every row of the table under "### RBAC". */
    private static Set<String> documented() throws Exception {
        String doc = Files.readString(Path.of("docs", "operator.md"));
        String section = doc.substring(doc.indexOf("### RBAC"), doc.indexOf("### The CRD"));
        Set<String> rules = new TreeSet<>();
        for (String line : section.lines().toList()) {
            if (!line.startsWith("| ClusterRole") && !line.startsWith("| Role")) {
                continue;
            }
            String[] cells = line.split("\\|");
            String kind = cells[1].trim().startsWith("ClusterRole") ? "ClusterRole" : "Role";
            String group = cells[2].trim().replace("`", "");
            group = group.equals("core") ? "" : group;
            for (String resource : cells[3].split(",")) {
                for (String verb : cells[4].split(",")) {
                    rules.add(kind + " " + group + " " + resource.trim().replace("`", "") + " " + verb.trim());
                }
            }
        }
        assertThat(rules).as("rows found in docs/operator.md").isNotEmpty();
        return rules;
    }

    private static Set<String> granted() throws Exception {
        Manifests rbac = Manifests.parse(Files.readString(Path.of("deploy", "rbac.yaml")));
        Set<String> rules = new TreeSet<>();
        for (String kind : new String[] {"ClusterRole", "Role"}) {
            for (JsonNode rule : rbac.one(kind).path("rules")) {
                for (JsonNode group : rule.path("apiGroups")) {
                    for (JsonNode resource : rule.path("resources")) {
                        for (JsonNode verb : rule.path("verbs")) {
                            rules.add(kind + " " + group.asText() + " " + resource.asText() + " " + verb.asText());
                        }
                    }
                }
            }
        }
        return rules;
    }
}
