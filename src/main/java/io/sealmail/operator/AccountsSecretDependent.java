package io.sealmail.operator;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.api.reconciler.dependent.ReconcileResult;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.sealmail.operator.api.v1alpha1.MailServer;

import java.util.HashMap;
import java.util.Map;

/**
 * {@code <name>-accounts}: the engine's accounts file, hashed from the user's Secret. When the user's Secret is
 * missing the last good file is kept (pods keep serving; status says AccountsSecretNotFound) and a new server gets
 * an empty one.
 */
@KubernetesDependent(informer = @Informer(labelSelector = Names.SECRET_ROLE + "=accounts"))
public class AccountsSecretDependent extends OwnedDependent<Secret> {
    public static final String NAME = "accounts";
    /** On the accounts file: the version of the user's Secret it was derived from. */
    static final String DERIVED_FROM = "sealmail.io/derived-from";
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
        Secret user = ms.getSpec().accounts == null ? null
                : ReferencedSecrets.get(context, ms, ms.getSpec().accounts.secretName).orElse(null);
        return desired(ms, user, actual(ms).orElse(null));
    }

    /**
     * The accounts file for the user's Secret ({@code null}: missing). When the file was derived from this very
     * version of the user's Secret ({@value #DERIVED_FROM}: its uid and resourceVersion, and the domains), it is kept
     * without hashing or verifying anything: an operator restart or failover costs no Argon2id at all.
     */
    Secret desired(MailServer ms, Secret user, Secret current) {
        String existing = current == null ? null : NamespaceCa.text(current.getData(), EngineContainer.ACCOUNTS_KEY);
        String source = user == null ? null : user.getMetadata().getUid() + "/" + user.getMetadata().getResourceVersion()
                + "/" + EngineConfigRenderer.checksum(String.join(",", ms.getSpec().domains)).substring(0, 16);
        String content;
        if (ms.getSpec().accounts == null) {
            content = "";
        } else if (user == null) {
            content = existing == null ? "" : existing;
        } else if (existing != null && source.equals(current.getMetadata().getAnnotations().get(DERIVED_FROM))) {
            content = existing;
        } else {
            content = accountsFile.render(user.getData(), existing, ms.getSpec().domains).content();
        }
        var meta = metadata(ms, Map.of(Names.SECRET_ROLE, "accounts"));
        if (source != null) {
            meta.setAnnotations(new HashMap<>(Map.of(DERIVED_FROM, source)));
        }
        return new SecretBuilder()
                .withMetadata(meta)
                .withType("Opaque")
                .withData(Map.of(EngineContainer.ACCOUNTS_KEY, NamespaceCa.base64(content)))
                .build();
    }

    /**
     * The user's accounts Secret must not be called {@code <name>-accounts}, the name of the file written here: the
     * user's passwords must never be replaced by hashes, nor the user's Secret read back as the engine's file. With
     * that name nothing is written and what runs is left alone (status says AccountsSecretNameConflict). Not a
     * reconcile precondition: the SDK deletes a dependent whose precondition fails, and every dependent depending on
     * it, so an edit of {@code accounts.secretName} on a running server would delete its StatefulSet.
     */
    @Override
    public ReconcileResult<Secret> reconcile(MailServer ms, Context<MailServer> context) {
        if (nameConflict(ms)) {
            return ReconcileResult.noOperation(actual(ms).orElse(null));
        }
        return super.reconcile(ms, context);
    }

    static boolean nameConflict(MailServer ms) {
        return ms.getSpec().accounts != null && Names.accountsSecret(ms).equals(ms.getSpec().accounts.secretName);
    }

    /**
     * Ready once the accounts file exists: a new MailServer whose accounts Secret has the conflicting name gets no
     * StatefulSet (it could only mount the user's Secret), while a running one keeps its file and its pods.
     */
    public static class Written implements Condition<Secret, MailServer> {
        @Override
        public boolean isMet(DependentResource<Secret, MailServer> dependent, MailServer ms, Context<MailServer> context) {
            return dependent.getSecondaryResource(ms, context).isPresent();
        }
    }
}
