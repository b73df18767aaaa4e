package io.sealmail.operator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Quantity;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Whether an object in the cluster still holds what a dependent wants, comparing exactly the fields the dependent
 * owns. The API server adds defaults the operator never sets (a container's terminationMessagePath, a Service's
 * sessionAffinity), so a field the desired object leaves out is normally not compared; what the operator sets must
 * be there:
 * <ul>
 * <li>lists are compared whole: same length, element by element (a port removed from the spec is a difference);</li>
 * <li>objects at a <em>whole path</em> (maps the operator manages, such as {@code nodeSelector}, or optional fields
 * such as {@code resources}) must have exactly the desired keys, and absent when the desired object has none;</li>
 * <li>quantities are compared by value: the API server stores {@code cpu: "0.5"} as {@code 500m};</li>
 * <li>of labels and annotations only the desired keys are compared (others' keys are theirs), plus the annotation
 * {@value #MANAGED_ANNOTATIONS} naming the annotation keys the user gave, so a removed key is a difference too.</li>
 * </ul>
 * JOSDK's own matcher without server-side apply treats every field the cluster has and the desired object lacks as a
 * default, so removals never matched and never reached the cluster.
 */
final class OwnedFields {
    /** Lists the annotation keys that came from the MailServer, so the operator can remove one the user removed. */
    static final String MANAGED_ANNOTATIONS = "sealmail.io/managed-annotations";
    private static final List<String> TOP_LEVEL_IGNORED = List.of("apiVersion", "kind", "metadata", "status");
    private static final Set<String> QUANTITY_MAPS = Set.of("requests", "limits", "capacity");
    private static final Set<String> QUANTITY_FIELDS = Set.of("sizeLimit", "storage");

    private final List<String[]> wholePaths;

    /** Paths like {@code /spec/template/spec/containers/* /resources}; {@code *} matches any list index or key. */
    OwnedFields(String... wholePaths) {
        this.wholePaths = Arrays.stream(wholePaths).map(p -> p.substring(1).split("/")).toList();
    }

    boolean matches(JsonNode desired, JsonNode actual) {
        ObjectNode wanted = desired.deepCopy();
        ObjectNode present = actual.deepCopy();
        wanted.remove(TOP_LEVEL_IGNORED);
        present.remove(TOP_LEVEL_IGNORED);
        JsonNode wantedMeta = desired.path("metadata");
        JsonNode presentMeta = actual.path("metadata");
        return covers(wanted, present, List.of())
                && covers(wantedMeta.get("labels"), presentMeta.get("labels"), List.of("metadata", "labels"))
                && covers(wantedMeta.get("annotations"), presentMeta.get("annotations"),
                List.of("metadata", "annotations"));
    }

    /** True when {@code actual} has everything {@code desired} sets at {@code path}, by the rules above. */
    private boolean covers(JsonNode desired, JsonNode actual, List<String> path) {
        if (isWhole(path)) {
            return same(desired, actual, path);
        }
        if (empty(desired)) {
            return true;
        }
        if (desired.isObject()) {
            if (actual == null || !actual.isObject()) {
                return false;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = desired.fields(); it.hasNext(); ) {
                var field = it.next();
                if (!covers(field.getValue(), actual.get(field.getKey()), append(path, field.getKey()))) {
                    return false;
                }
            }
            // Whole paths below this object that the desired object leaves out must be absent in the cluster too.
            for (Iterator<Map.Entry<String, JsonNode>> it = actual.fields(); it.hasNext(); ) {
                var field = it.next();
                if (!desired.has(field.getKey()) && isWhole(append(path, field.getKey())) && !empty(field.getValue())) {
                    return false;
                }
            }
            return true;
        }
        if (desired.isArray()) {
            return pairwise(desired, actual, path, this::covers);
        }
        return sameScalar(desired, actual, path);
    }

    private interface Comparison {
        boolean test(JsonNode desired, JsonNode actual, List<String> path);
    }

    /** Lists compare whole: the same length, and each item by {@code each}. */
    private static boolean pairwise(JsonNode desired, JsonNode actual, List<String> path, Comparison each) {
        if (actual == null || !actual.isArray() || actual.size() != desired.size()) {
            return false;
        }
        for (int i = 0; i < desired.size(); i++) {
            if (!each.test(desired.get(i), actual.get(i), append(path, Integer.toString(i)))) {
                return false;
            }
        }
        return true;
    }

    /** Exact equality below a whole path: same keys, same lists, scalars by value. Absent equals empty. */
    private static boolean same(JsonNode desired, JsonNode actual, List<String> path) {
        if (empty(desired) || empty(actual)) {
            return empty(desired) && empty(actual);
        }
        if (desired.isObject()) {
            if (!actual.isObject()) {
                return false;
            }
            Set<String> keys = new HashSet<>();
            desired.fieldNames().forEachRemaining(keys::add);
            actual.fieldNames().forEachRemaining(keys::add);
            for (String key : keys) {
                if (!same(desired.get(key), actual.get(key), append(path, key))) {
                    return false;
                }
            }
            return true;
        }
        if (desired.isArray()) {
            return pairwise(desired, actual, path, OwnedFields::same);
        }
        return sameScalar(desired, actual, path);
    }

    private static boolean sameScalar(JsonNode desired, JsonNode actual, List<String> path) {
        if (actual == null || actual.isNull()) {
            return false;
        }
        if (desired.isNumber() && actual.isNumber()) {
            return desired.decimalValue().compareTo(actual.decimalValue()) == 0;
        }
        if (desired.isTextual() && actual.isTextual() && isQuantity(path)) {
            return sameQuantity(desired.asText(), actual.asText());
        }
        return desired.equals(actual);
    }

    /** Resource amounts compare by value, as the API server stores them canonically ({@code 1024Mi} becomes 1Gi). */
    static boolean sameQuantity(String a, String b) {
        if (a.equals(b)) {
            return true;
        }
        try {
            return Quantity.getAmountInBytes(new Quantity(a)).compareTo(Quantity.getAmountInBytes(new Quantity(b))) == 0;
        } catch (IllegalArgumentException | ArithmeticException e) {
            return false;
        }
    }

    private static boolean isQuantity(List<String> path) {
        int n = path.size();
        return QUANTITY_FIELDS.contains(path.get(n - 1)) || n >= 2 && QUANTITY_MAPS.contains(path.get(n - 2));
    }

    private boolean isWhole(List<String> path) {
        for (String[] whole : wholePaths) {
            if (whole.length == path.size()) {
                boolean match = true;
                for (int i = 0; i < whole.length && match; i++) {
                    match = whole[i].equals("*") || whole[i].equals(path.get(i));
                }
                if (match) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean empty(JsonNode n) {
        return n == null || n.isNull() || n.isMissingNode() || (n.isContainerNode() && n.isEmpty());
    }

    private static List<String> append(List<String> path, String segment) {
        List<String> next = new ArrayList<>(path.size() + 1);
        next.addAll(path);
        next.add(segment);
        return next;
    }
}
