package io.sealmail.operator;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.MissingCRDException;
import io.javaoperatorsdk.operator.OperatorException;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue 16, item 11: "cannot start: Error starting operator" becomes the cause and the fix, in one line. */
class StartupFailureTest {
    private static final String API = "https://10.96.0.1:443/";

    private static OperatorException wrapped(Throwable cause) {
        return new OperatorException("Error starting operator", new RuntimeException("controller mailserver", cause));
    }

    @Test
    void aMissingCrdSaysHowToInstallIt() {
        String line = StartupFailure.describe(wrapped(new MissingCRDException("mailservers.sealmail.io", "v1")), API);
        assertThat(line).contains("mailservers.sealmail.io is not installed").contains("kubectl apply -k crds/")
                .doesNotContain("\n");
    }

    @Test
    void aRefusedRequestNamesItAndTheRbac() {
        var forbidden = new KubernetesClientException(new StatusBuilder().withCode(403).withReason("Forbidden")
                .withMessage("selfsubjectrulesreviews.authorization.k8s.io is forbidden: User "
                        + "\"system:serviceaccount:sealmail-system:sealmail-operator\" cannot create resource "
                        + "\"selfsubjectrulesreviews\" in API group \"authorization.k8s.io\" at the cluster scope").build());
        String line = StartupFailure.describe(wrapped(forbidden), API);
        assertThat(line).contains("refused a request: selfsubjectrulesreviews.authorization.k8s.io is forbidden")
                .contains("deploy/rbac.yaml").contains(API);
    }

    @Test
    void anUnreachableServerIsNamed() {
        var unreachable = new KubernetesClientException("Operation: [list] failed",
                new ConnectException("Connection refused"));
        String line = StartupFailure.describe(wrapped(unreachable), "https://127.0.5.1:6443/");
        assertThat(line).startsWith("cannot reach the API server at https://127.0.5.1:6443/")
                .contains("Connection refused").contains("KUBECONFIG");
    }

    @Test
    void anythingElseGivesItsRootCause() {
        String line = StartupFailure.describe(wrapped(new IllegalStateException("informer failed to sync")), API);
        assertThat(line).isEqualTo("informer failed to sync");
    }
}
