package io.sealmail.operator;

import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class JsonItemStoreTest {
    private final KubernetesSerialization serialization = new KubernetesSerialization();

    private static Secret secret(String data) {
        return new SecretBuilder()
                .withNewMetadata().withName("users").withNamespace("mail").withResourceVersion("7")
                .withLabels(Map.of("team", "mail"))
                .withAnnotations(Map.of(JsonItemStore.LAST_APPLIED, "{\"data\":{\"alice\":\"" + data + "\"}}", "note", "kept"))
                .withManagedFields(new ManagedFieldsEntryBuilder().withManager("kubectl-client-side-apply")
                        .withOperation("Update").withApiVersion("v1").withFieldsType("FieldsV1").build())
                .endMetadata()
                .withType("Opaque")
                .withData(Map.of("alice", data))
                .build();
    }

    @Test
    void anObjectReadsBackAsStoredWithoutManagedFields() {
        var store = new JsonItemStore<>(StatefulSet.class, serialization, false);
        StatefulSet sts = new StatefulSetBuilder()
                .withNewMetadata().withName("mail").withNamespace("mail").withResourceVersion("3")
                .withAnnotations(Map.of(JsonItemStore.LAST_APPLIED, "{}"))
                .withManagedFields(new ManagedFieldsEntryBuilder().withManager("kube-controller-manager").build())
                .endMetadata()
                .withNewSpec().withReplicas(1).withServiceName("mail-headless")
                .withNewTemplate().withNewSpec().addNewContainer().withName("engine").withImage("sealmail:1")
                .addNewPort().withName("smtp").withContainerPort(2525).endPort().endContainer().endSpec().endTemplate()
                .endSpec()
                .withNewStatus().withReadyReplicas(1).withReplicas(1).endStatus()
                .build();
        String key = store.getKey(sts);
        assertThat(key).isEqualTo("mail/mail");
        assertThat(store.put(key, sts)).isNull();

        StatefulSet cached = store.get(key);
        assertThat(cached.getMetadata().getManagedFields()).isNullOrEmpty();
        // Objects the operator writes keep the annotation: an update made from the cached copy would remove it.
        assertThat(cached.getMetadata().getAnnotations()).containsKey(JsonItemStore.LAST_APPLIED);
        sts.getMetadata().setManagedFields(new java.util.ArrayList<>()); // as parsed: an empty list
        assertThat(cached).isEqualTo(sts);
        // Each read is a copy: changing what a reconcile got leaves the cache as the server sent it.
        cached.getSpec().setReplicas(5);
        assertThat(store.get(key).getSpec().getReplicas()).isEqualTo(1);
        assertThat(store.values()).containsExactly(sts);
        assertThat(store.keySet()).containsExactly(key);
        assertThat(store.size()).isEqualTo(1);
    }

    @Test
    void usersSecretsLoseTheirLastAppliedCopyAndKeepTheRest() {
        var store = new JsonItemStore<>(Secret.class, serialization, true);
        Secret first = secret("b25l");
        store.put(store.getKey(first), first);
        Secret cached = store.get("mail/users");
        assertThat(cached.getMetadata().getAnnotations()).containsOnly(Map.entry("note", "kept"));
        assertThat(cached.getMetadata().getManagedFields()).isNullOrEmpty();
        assertThat(cached.getMetadata().getResourceVersion()).isEqualTo("7");
        assertThat(cached.getMetadata().getLabels()).containsOnly(Map.entry("team", "mail"));
        assertThat(cached.getData()).containsOnly(Map.entry("alice", "b25l"));

        // put and remove answer the previous object, as the informer's update and delete events need.
        Secret second = secret("dHdv");
        second.getMetadata().setResourceVersion("8");
        assertThat(store.put("mail/users", second).getData()).containsOnly(Map.entry("alice", "b25l"));
        assertThat(store.remove("mail/users").getMetadata().getResourceVersion()).isEqualTo("8");
        assertThat(store.get("mail/users")).isNull();
        assertThat(store.remove("mail/users")).isNull();
        assertThat(store.size()).isZero();
    }

    @Test
    void anAnnotationLeftEmptyIsDropped() {
        var store = new JsonItemStore<>(Secret.class, serialization, true);
        Secret s = secret("b25l");
        s.getMetadata().setAnnotations(Map.of(JsonItemStore.LAST_APPLIED, "{}"));
        store.put("mail/users", s);
        assertThat(store.get("mail/users").getMetadata().getAnnotations()).isNullOrEmpty();
    }
}
