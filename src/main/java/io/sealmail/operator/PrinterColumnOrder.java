package io.sealmail.operator;

import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;

import java.util.Comparator;
import java.util.List;

/**
 * Build-time only (quarkus.operator-sdk.crd.post-processor): the CRD generator sorts printer columns by JSON path;
 * {@code kubectl get mailservers} should read Ready, Hostname, Ports, Cert expires, Age, as the annotations list them.
 */
public class PrinterColumnOrder implements CRDPostProcessor {
    static final List<String> ORDER = List.of("Ready", "Hostname", "Ports", "Cert expires", "Reason", "Age");

    @Override
    public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
        if (crd instanceof CustomResourceDefinition v1) {
            v1.getSpec().getVersions().forEach(v -> {
                if (v.getAdditionalPrinterColumns() != null) {
                    v.getAdditionalPrinterColumns().sort(Comparator.comparingInt(
                            (CustomResourceColumnDefinition c) -> ORDER.indexOf(c.getName()) < 0 ? 99 : ORDER.indexOf(c.getName())));
                }
            });
        }
        return crd;
    }
}
