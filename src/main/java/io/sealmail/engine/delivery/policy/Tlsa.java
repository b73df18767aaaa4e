package io.sealmail.engine.delivery.policy;

import org.xbill.DNS.Record;
import org.xbill.DNS.TLSARecord;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * One TLSA record that SMTP can use (RFC 7672 §3.1): usage DANE-TA(2) or DANE-EE(3), selector Cert(0) or SPKI(1),
 * matching type Full(0), SHA2-256(1) or SHA2-512(2) with data of the digest's length. Everything else (PKIX-TA(0),
 * PKIX-EE(1), unknown parameters, a digest of the wrong length) is "unusable" (RFC 7672 §3.1.3, RFC 6698 §4.1).
 */
record Tlsa(int usage, int selector, int matchingType, byte[] data) {
    static final int DANE_TA = 2;
    static final int DANE_EE = 3;

    /** The usable records among {@code records}; others (and non-TLSA records) are left out. */
    static List<Tlsa> usable(List<Record> records) {
        List<Tlsa> out = new ArrayList<>();
        for (Record r : records) {
            if (r instanceof TLSARecord t) {
                Tlsa tlsa = new Tlsa(t.getCertificateUsage(), t.getSelector(), t.getMatchingType(),
                        t.getCertificateAssociationData());
                if (tlsa.isUsable()) {
                    out.add(tlsa);
                }
            }
        }
        return out;
    }

    boolean isUsable() {
        if (usage != DANE_TA && usage != DANE_EE) {
            return false;
        }
        if (selector != 0 && selector != 1) {
            return false;
        }
        return switch (matchingType) {
            case 0 -> data.length > 0;
            case 1 -> data.length == 32;
            case 2 -> data.length == 64;
            default -> false;
        };
    }

    /** True when this record's association data matches {@code cert} (its DER or its SubjectPublicKeyInfo). */
    boolean matches(X509Certificate cert) {
        try {
            byte[] selected = selector == 0 ? cert.getEncoded() : cert.getPublicKey().getEncoded();
            byte[] value = switch (matchingType) {
                case 0 -> selected;
                case 1 -> MessageDigest.getInstance("SHA-256").digest(selected);
                case 2 -> MessageDigest.getInstance("SHA-512").digest(selected);
                default -> null;
            };
            return value != null && MessageDigest.isEqual(value, data);
        } catch (CertificateEncodingException | NoSuchAlgorithmException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        String hex = HexFormat.of().formatHex(data);
        return usage + " " + selector + " " + matchingType + " " + (hex.length() > 16 ? hex.substring(0, 16) + "..." : hex);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tlsa t && t.usage == usage && t.selector == selector && t.matchingType == matchingType
                && Arrays.equals(t.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * usage + selector) + matchingType) + Arrays.hashCode(data);
    }
}
