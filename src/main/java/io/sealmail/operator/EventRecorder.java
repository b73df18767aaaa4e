package io.sealmail.operator;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.sealmail.operator.api.v1alpha1.MailServer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Kubernetes Events on a MailServer ({@code kubectl describe mailserver}): issuance, renewal and every failure.
 * Called only on transitions, so a steady state writes no Events. Losing an Event never fails a reconcile.
 */
@ApplicationScoped
public class EventRecorder {
    public static final String NORMAL = "Normal";
    public static final String WARNING = "Warning";
    private static final Logger LOG = Logger.getLogger(EventRecorder.class);
    private static final String COMPONENT = "sealmail-operator";
    private final SecureRandom random = new SecureRandom();

    @Inject
    KubernetesClient client;
    @Inject
    OperatorClock clock;

    public void record(MailServer ms, String type, String reason, String message) {
        byte[] suffix = new byte[8];
        random.nextBytes(suffix);
        String now = clock.clock().instant().toString();
        var event = new EventBuilder()
                .withNewMetadata()
                .withName(ms.getMetadata().getName() + "." + HexFormat.of().formatHex(suffix))
                .withNamespace(ms.getMetadata().getNamespace())
                .endMetadata()
                .withInvolvedObject(new ObjectReferenceBuilder()
                        .withApiVersion(ms.getApiVersion())
                        .withKind(ms.getKind())
                        .withName(ms.getMetadata().getName())
                        .withNamespace(ms.getMetadata().getNamespace())
                        .withUid(ms.getMetadata().getUid())
                        .build())
                .withType(type)
                .withReason(reason)
                .withMessage(message.length() > 1000 ? message.substring(0, 1000) : message)
                .withFirstTimestamp(now)
                .withLastTimestamp(now)
                .withCount(1)
                .withNewSource().withComponent(COMPONENT).endSource()
                .withReportingComponent(COMPONENT)
                .build();
        try {
            client.v1().events().inNamespace(ms.getMetadata().getNamespace()).resource(event).create();
        } catch (KubernetesClientException e) {
            LOG.debugf("event %s on %s/%s not recorded: %s", reason, ms.getMetadata().getNamespace(),
                    ms.getMetadata().getName(), e.getMessage());
        }
    }
}
