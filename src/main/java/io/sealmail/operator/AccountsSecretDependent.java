package io.sealmail.operator;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.sealmail.operator.api.v1alpha1.MailServer;

import java.util.Map;

/**
 * {@code <name>-accounts}: the engine's accounts file, hashed from the user's Secret. When the user's Secret is
 * missing the last good file is kept (pods keep serving; status says AccountsSecretNotFound) and a new server gets
 * an empty one.
 */
@KubernetesDependent(informer = @Informer(labelSelector = Names.SECRET_ROLE + "=accounts"))
public class AccountsSecretDependent extends OwnedDependent<Secret> {
    public static final String NAME = "accounts";
    private final AccountsFile accountsFile = new AccountsFile(new Argon2idHasher());

    public AccountsSecretDependent() {
        super(Secret.class, "/data");
    }

    @Override
    String name(MailServer ms) {
        return Names.accountsSecret(ms);
    }

    @Override
    protected Secret desired(MailServer ms, Context<MailServer> context) {
        Secret current = actual(ms).orElse(null);
        String existing = current == null ? null : NamespaceCa.text(current.getData(), EngineContainer.ACCOUNTS_KEY);
        String content;
        if (ms.getSpec().accounts == null) {
            content = "";
        } else {
            Secret user = ReferencedSecrets.get(context, ms, ms.getSpec().accounts.secretName).orElse(null);
            content = user == null
                    ? (existing == null ? "" : existing)
                    : accountsFile.render(user.getData(), existing, ms.getSpec().domains).content();
        }
        return new SecretBuilder()
                .withMetadata(metadata(ms, Map.of(Names.SECRET_ROLE, "accounts")))
                .withType("Opaque")
                .withData(Map.of(EngineContainer.ACCOUNTS_KEY, NamespaceCa.base64(content)))
                .build();
    }

    /**
     * The user's accounts Secret must not be called {@code <name>-accounts}, the name of the file written here: the
     * create would fail on every reconcile (status says AccountsSecretNameConflict instead), and the user's passwords
     * must never be replaced by hashes.
     */
    public static class NameIsFree implements Condition<Secret, MailServer> {
        @Override
        public boolean isMet(DependentResource<Secret, MailServer> dependent, MailServer ms, Context<MailServer> context) {
            return ms.getSpec().accounts == null || !Names.accountsSecret(ms).equals(ms.getSpec().accounts.secretName);
        }
    }
}
