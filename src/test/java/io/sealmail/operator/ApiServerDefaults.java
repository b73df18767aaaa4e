package io.sealmail.operator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What kube-apiserver does to the objects the operator writes before storing them, and the Fabric8 mock server does
 * not: the defaults of apps/v1 StatefulSet, core/v1 Service and pod templates (pkg/apis/.../v1/defaults.go), and
 * quantities in canonical form (resource.Quantity: {@code 0.5} is stored as {@code 500m}, {@code 1024Mi} as
 * {@code 1Gi}). Tests apply it to what the operator wrote, so a comparison that only works on the mock fails here.
 */
final class ApiServerDefaults {
    private static final Pattern QUANTITY = Pattern.compile("^([0-9]+(?:\\.[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$");
    private static final List<String> BINARY = List.of("", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei");
    private static final Map<Integer, String> DECIMAL = Map.of(-9, "n", -6, "u", -3, "m", 0, "", 3, "k", 6, "M",
            9, "G", 12, "T", 15, "P", 18, "E");

    private ApiServerDefaults() {
    }

    /** Applies the defaults to a StatefulSet, Service, Secret or ConfigMap in JSON form, in place. */
    static JsonNode apply(JsonNode object) {
        String kind = object.path("kind").asText();
        ObjectNode spec = object.get("spec") instanceof ObjectNode s ? s : null;
        if (kind.equals("StatefulSet") && spec != null) {
            putIfAbsent(spec, "podManagementPolicy", "OrderedReady");
            putIfAbsent(spec, "revisionHistoryLimit", 10);
            if (!spec.has("updateStrategy")) {
                spec.putObject("updateStrategy").put("type", "RollingUpdate").putObject("rollingUpdate").put("partition", 0);
            }
            if (!spec.has("persistentVolumeClaimRetentionPolicy")) {
                spec.putObject("persistentVolumeClaimRetentionPolicy").put("whenDeleted", "Retain").put("whenScaled", "Retain");
            }
            podTemplate((ObjectNode) spec.get("template"));
            for (JsonNode claim : spec.path("volumeClaimTemplates")) {
                ObjectNode c = (ObjectNode) claim;
                putIfAbsent(c, "apiVersion", "v1");
                putIfAbsent(c, "kind", "PersistentVolumeClaim");
                putIfAbsent((ObjectNode) c.get("spec"), "volumeMode", "Filesystem");
                c.putObject("status").put("phase", "Pending");
            }
        }
        if (kind.equals("Service") && spec != null) {
            putIfAbsent(spec, "sessionAffinity", "None");
            putIfAbsent(spec, "internalTrafficPolicy", "Cluster");
            putIfAbsent(spec, "ipFamilyPolicy", "SingleStack");
            if (!spec.has("ipFamilies")) {
                spec.putArray("ipFamilies").add("IPv4");
            }
            String type = spec.path("type").asText("ClusterIP");
            putIfAbsent(spec, "type", type);
            if (!type.equals("ClusterIP")) {
                putIfAbsent(spec, "externalTrafficPolicy", "Cluster");
                int nodePort = 30025;
                for (JsonNode port : spec.path("ports")) {
                    putIfAbsent((ObjectNode) port, "nodePort", nodePort++);
                }
            }
            if (type.equals("LoadBalancer")) {
                putIfAbsent(spec, "allocateLoadBalancerNodePorts", true);
                if ("Local".equals(spec.path("externalTrafficPolicy").asText())) {
                    putIfAbsent(spec, "healthCheckNodePort", 31999);
                }
            }
            if (!spec.path("clusterIP").asText().equals("None")) {
                putIfAbsent(spec, "clusterIP", "10.96.0.42");
                if (!spec.has("clusterIPs")) {
                    spec.putArray("clusterIPs").add(spec.get("clusterIP").asText());
                }
            }
        }
        canonicalQuantities(object, "");
        return object;
    }

    private static void podTemplate(ObjectNode template) {
        ObjectNode pod = (ObjectNode) template.get("spec");
        putIfAbsent(pod, "restartPolicy", "Always");
        putIfAbsent(pod, "dnsPolicy", "ClusterFirst");
        putIfAbsent(pod, "schedulerName", "default-scheduler");
        putIfAbsent(pod, "terminationGracePeriodSeconds", 30);
        for (JsonNode c : pod.path("containers")) {
            ObjectNode container = (ObjectNode) c;
            putIfAbsent(container, "terminationMessagePath", "/dev/termination-log");
            putIfAbsent(container, "terminationMessagePolicy", "File");
            putIfAbsent(container, "imagePullPolicy", "IfNotPresent");
            for (String probe : List.of("livenessProbe", "readinessProbe")) {
                if (container.get(probe) instanceof ObjectNode p) {
                    putIfAbsent(p, "successThreshold", 1);
                    if (p.get("httpGet") instanceof ObjectNode http) {
                        putIfAbsent(http, "scheme", "HTTP");
                    }
                }
            }
        }
        for (JsonNode v : pod.path("volumes")) {
            if (v.get("projected") instanceof ObjectNode projected) {
                putIfAbsent(projected, "defaultMode", 420);
            }
        }
    }

    private static void canonicalQuantities(JsonNode node, String key) {
        if (node instanceof ObjectNode obj) {
            for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); ) {
                var field = it.next();
                boolean quantity = (key.equals("requests") || key.equals("limits")) || field.getKey().equals("sizeLimit")
                        || field.getKey().equals("storage") && key.equals("requests");
                if (quantity && field.getValue().isTextual()) {
                    field.setValue(obj.textNode(canonical(field.getValue().asText())));
                } else {
                    canonicalQuantities(field.getValue(), field.getKey());
                }
            }
        } else if (node instanceof ArrayNode array) {
            array.forEach(n -> canonicalQuantities(n, key));
        }
    }

    /** resource.Quantity's canonical form for the forms the tests use: the largest suffix with an integer amount. */
    static String canonical(String quantity) {
        Matcher m = QUANTITY.matcher(quantity);
        if (!m.matches()) {
            return quantity;
        }
        BigDecimal number = new BigDecimal(m.group(1));
        String suffix = m.group(2) == null ? "" : m.group(2);
        if (BINARY.contains(suffix) && !suffix.isEmpty()) {
            BigDecimal bytes = number.multiply(BigDecimal.valueOf(1024).pow(BINARY.indexOf(suffix)));
            if (bytes.stripTrailingZeros().scale() <= 0) {
                BigInteger b = bytes.toBigIntegerExact();
                int k = 0;
                while (k < BINARY.size() - 1 && b.signum() != 0 && b.mod(BigInteger.valueOf(1024)).signum() == 0) {
                    b = b.divide(BigInteger.valueOf(1024));
                    k++;
                }
                return b + BINARY.get(k);
            }
        }
        int exponent = DECIMAL.entrySet().stream().filter(e -> e.getValue().equals(suffix)).findFirst().orElseThrow().getKey();
        BigDecimal value = number.scaleByPowerOfTen(exponent);
        for (int e = 18; e >= -9; e -= 3) {
            BigDecimal scaled = value.scaleByPowerOfTen(-e);
            if (scaled.stripTrailingZeros().scale() <= 0 && (scaled.signum() != 0 || e == 0)) {
                return scaled.toBigIntegerExact() + DECIMAL.get(e);
            }
        }
        return quantity;
    }

    private static void putIfAbsent(ObjectNode o, String field, Object value) {
        if (o == null || o.has(field)) {
            return;
        }
        if (value instanceof String s) {
            o.put(field, s);
        } else if (value instanceof Integer i) {
            o.put(field, i);
        } else {
            o.put(field, (Boolean) value);
        }
    }
}
