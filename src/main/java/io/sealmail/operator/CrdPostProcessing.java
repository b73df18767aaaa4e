package io.sealmail.operator;

import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRule;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRuleBuilder;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Build-time only (quarkus.operator-sdk.crd.post-processor), two edits the CRD generator's annotations cannot make:
 * <ul>
 * <li>printer columns in the order {@code kubectl get mailservers} should show them (the generator sorts them by
 * JSON path);</li>
 * <li>{@code status.conditions} as a list-type map keyed by {@code type};</li>
 * <li>CEL rules on {@code metadata.name} at the schema's root (the only place a rule may read it), so a name whose
 * Services or StatefulSet the API server would refuse is refused when the MailServer is applied ({@link Names}).</li>
 * </ul>
 */
public class CrdPostProcessing implements CRDPostProcessor {
    static final List<String> ORDER = List.of("Ready", "Hostname", "Ports", "Cert expires", "Reason", "Age");

    static final List<ValidationRule> NAME_RULES = List.of(
            new ValidationRuleBuilder()
                    .withRule("self.metadata.name.matches('" + Names.NAME_PATTERN + "')")
                    .withMessage("metadata.name must be a DNS-1035 label (lower-case letters, digits and '-', starting"
                            + " with a letter, no dots): it names the MailServer's Services")
                    .build(),
            new ValidationRuleBuilder()
                    .withRule("size(self.metadata.name) <= " + Names.MAX_NAME_LENGTH)
                    .withMessage("metadata.name must be at most " + Names.MAX_NAME_LENGTH + " characters: the"
                            + " StatefulSet's pods are labelled controller-revision-hash=<name>-<hash>, at most 63")
                    .build());

    @Override
    public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
        if (crd instanceof CustomResourceDefinition v1) {
            v1.getSpec().getVersions().forEach(v -> {
                if (v.getAdditionalPrinterColumns() != null) {
                    v.getAdditionalPrinterColumns().sort(Comparator.comparingInt(
                            (CustomResourceColumnDefinition c) -> ORDER.indexOf(c.getName()) < 0 ? 99 : ORDER.indexOf(c.getName())));
                }
                JSONSchemaProps root = v.getSchema().getOpenAPIV3Schema();
                List<ValidationRule> rules = new ArrayList<>(root.getXKubernetesValidations() == null ? List.of()
                        : root.getXKubernetesValidations());
                rules.addAll(NAME_RULES);
                root.setXKubernetesValidations(rules);
                conditionsAsMap(root);
            });
        }
        return crd;
    }

    /**
     * {@code status.conditions} as the API conventions ask: a map keyed by {@code type}, each with {@code type} and
     * {@code status} required, so server-side apply by other writers merges conditions instead of replacing the list.
     */
    private static void conditionsAsMap(JSONSchemaProps root) {
        JSONSchemaProps status = root.getProperties().get("status");
        JSONSchemaProps conditions = status == null ? null : status.getProperties().get("conditions");
        if (conditions == null) {
            throw new IllegalStateException("the MailServer schema has no status.conditions");
        }
        conditions.setXKubernetesListType("map");
        conditions.setXKubernetesListMapKeys(List.of("type"));
        conditions.getItems().getSchema().setRequired(List.of("type", "status"));
    }
}
