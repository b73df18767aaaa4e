package io.sealmail.operator;

import io.fabric8.kubernetes.api.model.Secret;
import io.sealmail.ca.CaException;
import io.sealmail.ca.CertificateAuthority;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;

/** Reads the namespace's CA from Secret {@code sealmail-ca}: usable, or one line saying why not. */
public record NamespaceCa(CertificateAuthority authority, String problem) {

    public boolean usable() {
        return authority != null;
    }

    public static NamespaceCa load(Secret secret, Clock clock) {
        if (secret == null) {
            return new NamespaceCa(null, "Secret " + Names.CA_SECRET + " does not exist yet");
        }
        Map<String, String> data = secret.getData();
        String crt = text(data, Names.CA_CERT_KEY);
        String key = text(data, Names.CA_KEY_KEY);
        if (crt == null || key == null) {
            return new NamespaceCa(null, "Secret " + Names.CA_SECRET + " needs both " + Names.CA_CERT_KEY + " and "
                    + Names.CA_KEY_KEY);
        }
        try {
            return new NamespaceCa(CertificateAuthority.fromPem(crt, key, clock), null);
        } catch (CaException e) {
            return new NamespaceCa(null, "Secret " + Names.CA_SECRET + ": " + e.getMessage());
        }
    }

    static String text(Map<String, String> data, String key) {
        if (data == null || data.get(key) == null) {
            return null;
        }
        try {
            return new String(Base64.getDecoder().decode(data.get(key)), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
