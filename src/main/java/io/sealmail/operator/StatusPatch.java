package io.sealmail.operator;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.sealmail.operator.api.v1alpha1.MailServer;
import io.sealmail.operator.api.v1alpha1.MailServerStatus;
import org.jboss.logging.Logger;

import java.net.HttpURLConnection;
import java.util.Objects;

/**
 * Writes a MailServer's status on the version it was computed from, never on top of a version the reconcile did not
 * see.
 *
 * <p>Why not {@code UpdateControl.patchStatus}: JOSDK 5.3.2 sends that patch without a resourceVersion, puts the
 * answer in its temporary cache and then drops every watch event of that MailServer up to the answer's version as
 * its own. A user's edit stored between the reconcile's read and the patch sits below that version: its event is
 * dropped as obsolete, and the echo of the patch (which already carries the edited spec) as the operator's own, so
 * the edit waited for the next scheduled reconcile, up to hours (JOSDK fixed the filtering later:
 * operator-framework/java-operator-sdk#3414 in 5.3.5/5.4.0; #3455 shows the same loss when both events coalesce;
 * neither release is served here). With the resourceVersion in the patch the API server refuses that write (409),
 * nothing of ours is cached, and the edit's event reconciles at once; when the patch is accepted, no one wrote in
 * between, so every later event is newer than what the cache holds and is delivered.
 *
 * <p>The patch is a JSON diff against the status as read (as JOSDK's own), so what the operator stops reporting
 * disappears from status.
 */
final class StatusPatch {
    private static final Logger LOG = Logger.getLogger(StatusPatch.class);

    private StatusPatch() {
    }

    /**
     * Writes {@code next} onto {@code read} (the object the reconcile worked on; its status becomes {@code next}).
     * Returns false when the spec changed meanwhile: nothing is written, the change's own event reconciles it. A
     * conflict with a write that left the spec alone (a label, an annotation) is retried once on the stored version,
     * since the status computed from the same spec still holds; a second conflict in a row is thrown (retried with
     * back-off).
     */
    static boolean write(Context<MailServer> context, MailServer read, MailServerStatus next) {
        try {
            patch(context, read, next);
            read.setStatus(next);
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                throw e;
            }
        }
        MailServer stored = context.getClient().resources(MailServer.class)
                .inNamespace(read.getMetadata().getNamespace()).withName(read.getMetadata().getName()).get();
        if (stored == null || !Objects.equals(stored.getMetadata().getGeneration(), read.getMetadata().getGeneration())) {
            LOG.debugf("%s/%s: spec changed during the reconcile of generation %d; its event reconciles again",
                    read.getMetadata().getNamespace(), read.getMetadata().getName(), read.getMetadata().getGeneration());
            return false;
        }
        patch(context, stored, next);
        read.setStatus(next);
        return true;
    }

    private static void patch(Context<MailServer> context, MailServer base, MailServerStatus next) {
        // Fabric8 puts the resourceVersion of the edited object into the JSON patch (the server's precondition). Its
        // editStatus applies the change to the object it is given, so it gets a copy: a write that fails leaves the
        // reconcile's object as read, and updateErrorStatus's reconcile still sees the status to write.
        MailServer copy = context.getClient().getKubernetesSerialization().clone(base);
        context.resourceOperations().jsonPatchPrimaryStatus(copy, ms -> {
            ms.setStatus(next);
            return ms;
        });
    }
}
