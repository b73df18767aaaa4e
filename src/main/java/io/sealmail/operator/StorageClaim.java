package io.sealmail.operator;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.sealmail.operator.api.v1alpha1.MailServer;
import io.sealmail.operator.api.v1alpha1.StorageSpec;
import org.jboss.logging.Logger;


/**
 * {@code spec.storage} against the engine pod's claim {@code data-<name>-0}. A StatefulSet's claim templates cannot
 * change, so the template keeps what it was created with and a new size goes to the claim itself: expanded when its
 * StorageClass allows volume expansion, otherwise (and for a smaller size or another class) status says what stays.
 * Reads only when the MailServer asks for something the template does not have: a steady state costs no request.
 */
final class StorageClaim {
    private static final Logger LOG = Logger.getLogger(StorageClaim.class);

    private StorageClaim() {
    }

    static String size(MailServer ms) {
        StorageSpec s = ms.getSpec().storage;
        return s == null || s.size == null ? "1Gi" : s.size;
    }

    static boolean deleteClaim(MailServer ms) {
        return ms.getSpec().storage != null && Boolean.TRUE.equals(ms.getSpec().storage.deleteClaim);
    }

    static MailServerReconciler.Observation observe(KubernetesClient client, MailServer ms, StatefulSet sts) {
        String wantedClass = ms.getSpec().storage == null ? null : ms.getSpec().storage.storageClassName;
        Quantity wanted = new Quantity(size(ms));
        var templates = sts.getSpec().getVolumeClaimTemplates();
        if (templates == null || templates.isEmpty()) {
            return MailServerReconciler.Observation.fine("StorageAsRequested", "no claim template yet");
        }
        var template = templates.get(0).getSpec();
        Quantity templateSize = template.getResources().getRequests().get("storage");
        boolean sameSize = templateSize != null && OwnedFields.sameQuantity(wanted.toString(), templateSize.toString());
        boolean sameClass = wantedClass == null || wantedClass.equals(template.getStorageClassName());
        if (sameSize && sameClass) {
            return MailServerReconciler.Observation.fine("StorageAsRequested", size(ms) + " as requested");
        }
        String claimName = EngineStatefulSetDependent.DATA_VOLUME + "-" + sts.getMetadata().getName() + "-0";
        if (!sameClass) {
            return MailServerReconciler.Observation.failed("StorageClassUnchangeable", "claim " + claimName
                    + " keeps StorageClass " + template.getStorageClassName() + ": a claim's class cannot change; to move"
                    + " the mail, copy it to a new MailServer (docs/operator.md, Storage)");
        }
        PersistentVolumeClaim claim;
        try {
            claim = client.persistentVolumeClaims().inNamespace(sts.getMetadata().getNamespace()).withName(claimName).get();
        } catch (KubernetesClientException e) {
            return MailServerReconciler.Observation.failed("StorageNotResized", "cannot read claim " + claimName + ": "
                    + e.getMessage());
        }
        if (claim == null) {
            return MailServerReconciler.Observation.fine("StorageAsRequested", "claim " + claimName + " not made yet");
        }
        Quantity current = claim.getSpec().getResources().getRequests().get("storage");
        int order = Quantity.getAmountInBytes(wanted).compareTo(Quantity.getAmountInBytes(current));
        if (order == 0) {
            Quantity capacity = claim.getStatus() == null || claim.getStatus().getCapacity() == null ? null
                    : claim.getStatus().getCapacity().get("storage");
            boolean done = capacity != null && Quantity.getAmountInBytes(capacity).compareTo(Quantity.getAmountInBytes(wanted)) >= 0;
            return done ? MailServerReconciler.Observation.fine("StorageAsRequested", "claim " + claimName
                    + " expanded to " + capacity)
                    : MailServerReconciler.Observation.fine("StorageResizing", "claim " + claimName + " is being expanded to "
                    + wanted + " (now " + capacity + ")");
        }
        if (order < 0) {
            return MailServerReconciler.Observation.failed("StorageShrinkRefused", "claim " + claimName + " has " + current
                    + "; a volume cannot shrink, so it stays at that size");
        }
        String className = claim.getSpec().getStorageClassName();
        StorageClass storageClass;
        try {
            storageClass = className == null ? null : client.storage().v1().storageClasses().withName(className).get();
        } catch (KubernetesClientException e) {
            storageClass = null;
        }
        if (storageClass == null || !Boolean.TRUE.equals(storageClass.getAllowVolumeExpansion())) {
            return MailServerReconciler.Observation.failed("StorageExpansionUnsupported", "claim " + claimName + " stays at "
                    + current + ": StorageClass " + className + " does not allow volume expansion"
                    + " (allowVolumeExpansion); copy the mail to a new MailServer with a larger claim instead");
        }
        try {
            client.persistentVolumeClaims().inNamespace(claim.getMetadata().getNamespace()).withName(claimName)
                    .edit(c -> {
                        c.getSpec().getResources().getRequests().put("storage", wanted);
                        return c;
                    });
            LOG.infof("%s/%s: expanding claim %s from %s to %s", ms.getMetadata().getNamespace(), ms.getMetadata().getName(),
                    claimName, current, wanted);
        } catch (KubernetesClientException e) {
            return MailServerReconciler.Observation.failed("StorageNotResized", "expanding claim " + claimName + " to "
                    + wanted + " failed: " + e.getMessage());
        }
        return MailServerReconciler.Observation.fine("StorageResizing", "claim " + claimName + " is being expanded from "
                + current + " to " + wanted);
    }
}
