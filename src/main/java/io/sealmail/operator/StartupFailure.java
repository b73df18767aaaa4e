package io.sealmail.operator;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.MissingCRDException;

import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.util.concurrent.TimeoutException;

/**
 * Why the operator could not start, in one line with the fix: the SDK wraps every cause in "Error starting
 * operator", which names none of them.
 */
public final class StartupFailure {
    private StartupFailure() {
    }

    public static String describe(Throwable failure, String apiServer) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof MissingCRDException crd) {
                return "the CustomResourceDefinition " + crd.getCrdName() + " is not installed in the cluster at "
                        + apiServer + ": install it with 'kubectl apply -k crds/' (or 'kubectl apply -k deploy/', or the"
                        + " Helm chart)";
            }
            if (t instanceof KubernetesClientException k && k.getCode() == 403) {
                return "the API server at " + apiServer + " refused a request: " + reason(k) + "; the operator's"
                        + " ServiceAccount needs the rules in deploy/rbac.yaml ('kubectl apply -k deploy/') or the"
                        + " chart's (docs/install.md, RBAC)";
            }
            if (t instanceof KubernetesClientException k && k.getCode() == 401) {
                return "the API server at " + apiServer + " did not accept the credentials (" + reason(k) + "): check"
                        + " KUBECONFIG, or the ServiceAccount token mounted in the pod";
            }
            if (t instanceof KubernetesClientException k && k.getCode() == 404 && reason(k).contains("mailservers")) {
                return "the API server at " + apiServer + " does not serve MailServers (" + reason(k) + "): install"
                        + " the CustomResourceDefinition with 'kubectl apply -k crds/'";
            }
            if (t instanceof ConnectException || t instanceof UnknownHostException || t instanceof HttpTimeoutException
                    || t instanceof TimeoutException) {
                return "cannot reach the API server at " + apiServer + " (" + t.getClass().getSimpleName()
                        + (t.getMessage() == null ? "" : ": " + t.getMessage()) + "): check KUBECONFIG, or that the pod"
                        + " may reach the kubernetes Service (NetworkPolicy)";
            }
        }
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String what = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return (root instanceof IOException ? "cannot talk to the API server at " + apiServer + ": " : "") + what;
    }

    private static String reason(KubernetesClientException k) {
        if (k.getStatus() != null && k.getStatus().getMessage() != null) {
            return k.getStatus().getMessage();
        }
        return k.getMessage() == null ? "HTTP " + k.getCode() : k.getMessage();
    }
}
