package io.sealmail.store.maildir;

import io.sealmail.store.mailbox.MailFolder;

import java.lang.ref.SoftReference;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * What protocols keep beside one folder for all its sessions ({@link MailFolder#shared}), held softly: the JVM drops
 * it before it runs out of memory (least recently used first), and a session that still uses it keeps its own
 * reference, so a later session simply makes it again.
 */
final class SharedValues {
    private final ConcurrentHashMap<Class<?>, SoftReference<Object>> values = new ConcurrentHashMap<>();

    <T> T get(Class<T> type, UnaryOperator<T> keepOrMake) {
        Object[] kept = new Object[1];
        values.compute(type, (t, ref) -> {
            T old = ref == null ? null : type.cast(ref.get());
            T now = keepOrMake.apply(old);
            kept[0] = now;
            if (now == null) {
                return null;
            }
            return now == old ? ref : new SoftReference<>(now);
        });
        return type.cast(kept[0]);
    }
}
