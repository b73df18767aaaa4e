package io.sealmail.operator.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** One mail server: the user's whole intent in one object ({@code kubectl get mailservers}). */
@Group(MailServer.GROUP)
@Version(MailServer.VERSION)
@ShortNames("mail")
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Hostname", jsonPath = ".spec.hostname", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Ports", jsonPath = ".spec.ports", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Cert expires", jsonPath = ".status.certificate.notAfter",
        type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(name = "Reason", jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason",
        type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp",
        type = AdditionalPrinterColumn.Type.DATE)
public class MailServer extends CustomResource<MailServerSpec, MailServerStatus> implements Namespaced {
    public static final String GROUP = "sealmail.io";
    public static final String VERSION = "v1alpha1";

    public MailServer() {
    }

    public MailServer(String namespace, String name, MailServerSpec spec) {
        getMetadata().setNamespace(namespace);
        getMetadata().setName(name);
        setSpec(spec);
    }
}
