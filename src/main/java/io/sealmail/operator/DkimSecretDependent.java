package io.sealmail.operator;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.sealmail.ca.DkimKey;
import io.sealmail.operator.api.v1alpha1.MailServer;
import org.jboss.logging.Logger;

import java.util.Map;
import java.util.TreeMap;

/**
 * {@code <name>-dkim}: the DKIM private keys, one entry per selector and algorithm. A key is made once, the first time
 * its selector is asked for, and never replaced or removed by the operator (its public half is in somebody's DNS):
 * the desired Secret is the existing one plus the keys still missing. Rotation is adding a selector. With DKIM
 * turned off the Secret stays as it is (no reconcile precondition: the SDK would delete the Secret when one fails).
 */
@KubernetesDependent(informer = @Informer(labelSelector = Names.SECRET_ROLE + "=dkim"))
public class DkimSecretDependent extends OwnedDependent<Secret> {
    public static final String NAME = "dkim";
    private static final Logger LOG = Logger.getLogger(DkimSecretDependent.class);

    public DkimSecretDependent() {
        super(Secret.class);
    }

    @Override
    String name(MailServer ms) {
        return Names.dkimSecret(ms);
    }

    @Override
    protected Secret desired(MailServer ms, Context<MailServer> context) {
        Secret current = actual(ms).orElse(null);
        Map<String, String> data = new TreeMap<>(current == null || current.getData() == null ? Map.of() : current.getData());
        for (DkimKeys.Key key : DkimKeys.of(ms)) {
            if (!data.containsKey(key.secretKey())) {
                DkimKey made = DkimKey.generate(DkimKey.Algorithm.parse(key.algorithm().id()));
                LOG.infof("%s/%s: new DKIM key %s (%s)", ms.getMetadata().getNamespace(), name(ms), key.selector(),
                        key.algorithm().id());
                data.put(key.secretKey(), NamespaceCa.base64(made.privateKeyPem()));
            }
        }
        return new SecretBuilder()
                .withMetadata(metadata(ms, Map.of(Names.SECRET_ROLE, "dkim")))
                .withType("Opaque")
                .withData(data)
                .build();
    }

    /**
     * The Secret from this dependent's cache, found by name: one put there before the MailServer (keys brought along)
     * has no owner reference yet, so the SDK's owner-based look-up would not find it until it is adopted.
     */
    @SuppressWarnings("unchecked")
    static java.util.Optional<Secret> current(Context<MailServer> context, MailServer ms) {
        var source = (io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource<Secret, MailServer>)
                context.eventSourceRetriever().getEventSourceFor(Secret.class, NAME);
        return source.get(new io.javaoperatorsdk.operator.processing.event.ResourceID(Names.dkimSecret(ms),
                ms.getMetadata().getNamespace()));
    }

    /** The public record of each wanted key present in the Secret, or nothing for a key not (yet) there. */
    static java.util.List<DnsRecords.DkimPublication> publications(MailServer ms, Secret secret) {
        if (secret == null || secret.getData() == null) {
            return java.util.List.of();
        }
        return DkimKeys.of(ms).stream()
                .filter(k -> secret.getData().containsKey(k.secretKey()))
                .map(k -> new DnsRecords.DkimPublication(k.selector(),
                        DkimKey.fromPem(NamespaceCa.text(secret.getData(), k.secretKey())).recordValue()))
                .toList();
    }
}
