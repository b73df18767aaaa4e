package io.sealmail.operator;

import io.sealmail.operator.api.v1alpha1.DkimKeySpec;
import io.sealmail.operator.api.v1alpha1.DkimSpec;
import io.sealmail.operator.api.v1alpha1.MailServer;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * The DKIM keys a MailServer asks for, with the default filled in: one rsa-sha256 key whose selector is the month the
 * MailServer was created ({@code s202612}), so it never changes by itself. Each key is kept in the {@code <name>-dkim}
 * Secret under {@code <selector>.<algorithm>.pem} and mounted at {@code /etc/sealmail/dkim/} under the same name.
 */
final class DkimKeys {
    /** One key: selector, algorithm, and whether it signs (a key that does not sign is only published). */
    record Key(String selector, DkimKeySpec.Algorithm algorithm, boolean sign) {
        String secretKey() {
            return selector + "." + algorithm.id() + ".pem";
        }
    }

    private DkimKeys() {
    }

    static boolean enabled(MailServer ms) {
        DkimSpec dkim = ms.getSpec().dkim;
        return dkim == null || dkim.enabled == null || dkim.enabled;
    }

    /** The keys to keep and publish; empty when DKIM is off. */
    static List<Key> of(MailServer ms) {
        if (!enabled(ms)) {
            return List.of();
        }
        DkimSpec dkim = ms.getSpec().dkim;
        if (dkim == null || dkim.keys == null || dkim.keys.isEmpty()) {
            return List.of(new Key(defaultSelector(ms), DkimKeySpec.Algorithm.RSA_SHA256, true));
        }
        return dkim.keys.stream()
                .map(k -> new Key(k.selector, k.algorithm == null ? DkimKeySpec.Algorithm.RSA_SHA256 : k.algorithm,
                        k.sign == null || k.sign))
                .toList();
    }

    /** {@code s} and the year and month the MailServer was created, as many providers name selectors. */
    static String defaultSelector(MailServer ms) {
        String created = ms.getMetadata().getCreationTimestamp();
        OffsetDateTime when = created == null || created.isBlank()
                ? OffsetDateTime.now(ZoneOffset.UTC) : OffsetDateTime.parse(created);
        return "s" + when.withOffsetSameInstant(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMM"));
    }
}
