package io.sealmail.operator;

import io.sealmail.ca.KeyAlgorithm;
import io.sealmail.ca.LeafSpec;
import io.sealmail.operator.api.v1alpha1.MailServer;
import io.sealmail.operator.api.v1alpha1.PrivateKeySpec;
import io.sealmail.operator.api.v1alpha1.TlsSpec;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The certificate a MailServer needs: its names, key and lifetime, read from spec with the schema's defaults. */
public final class CertificateRequest {
    private CertificateRequest() {
    }

    /** hostname first (the name clients check), then the in-cluster Service names, then the extra names. */
    public static List<String> dnsNames(MailServer ms, String clusterDomain) {
        String name = ms.getMetadata().getName();
        String ns = ms.getMetadata().getNamespace();
        Set<String> names = new LinkedHashSet<>();
        names.add(ms.getSpec().hostname);
        names.add(name);
        names.add(name + "." + ns);
        names.add(name + "." + ns + ".svc");
        names.add(name + "." + ns + ".svc." + clusterDomain);
        if (InternalServiceDependent.wanted(ms)) {
            String internal = Names.internalService(ms);
            names.add(internal);
            names.add(internal + "." + ns);
            names.add(internal + "." + ns + ".svc");
            names.add(internal + "." + ns + ".svc." + clusterDomain);
        }
        TlsSpec tls = ms.getSpec().tls;
        if (tls != null && tls.extraDnsNames != null) {
            names.addAll(tls.extraDnsNames);
        }
        return new ArrayList<>(names);
    }

    public static LeafSpec leafSpec(MailServer ms, String clusterDomain) {
        return new LeafSpec(dnsNames(ms, clusterDomain), List.of(), keyAlgorithm(ms), duration(ms));
    }

    public static Duration duration(MailServer ms) {
        TlsSpec tls = ms.getSpec().tls;
        return tls == null || tls.duration == null ? LeafSpec.DEFAULT_VALIDITY : GoDuration.parse(tls.duration);
    }

    /** null means "after two thirds of the lifetime". */
    public static Duration renewBefore(MailServer ms) {
        TlsSpec tls = ms.getSpec().tls;
        return tls == null || tls.renewBefore == null ? null : GoDuration.parse(tls.renewBefore);
    }

    public static boolean issuedByCa(MailServer ms) {
        TlsSpec tls = ms.getSpec().tls;
        return tls == null || tls.issuer == null || tls.issuer == TlsSpec.Issuer.CA;
    }

    static KeyAlgorithm keyAlgorithm(MailServer ms) {
        TlsSpec tls = ms.getSpec().tls;
        PrivateKeySpec key = tls == null ? null : tls.privateKey;
        if (key == null || key.algorithm == null || key.algorithm == PrivateKeySpec.Algorithm.ECDSA) {
            return KeyAlgorithm.ECDSA_P256;
        }
        int size = key.size == null ? 2048 : key.size;
        return switch (size) {
            case 3072 -> KeyAlgorithm.RSA_3072;
            case 4096 -> KeyAlgorithm.RSA_4096;
            default -> KeyAlgorithm.RSA_2048;
        };
    }
}
