package io.sealmail.operator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What the API server does with a custom resource before storing it, for the subset of OpenAPI our CRD uses:
 * apply schema defaults, then check types, enums, patterns, bounds, required fields, unknown fields (kubectl's
 * strict validation) and the CEL rules in {@code x-kubernetes-validations}. The Fabric8 mock server does none of
 * this, so the schema is tested here, directly on the generated CRD.
 */
final class CrdSchema {
    static final Path COMMITTED = Path.of("crds", "mailservers.sealmail.io-v1.yml");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final JsonNode schema;
    private final CelCompiler cel = CelCompilerFactory.standardCelCompilerBuilder()
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .addVar("self", SimpleType.DYN).build();
    private final CelRuntime runtime = CelRuntimeFactory.standardCelRuntimeBuilder().build();
    private final Map<String, CelRuntime.Program> programs = new HashMap<>();

    private CrdSchema(JsonNode schema) {
        this.schema = schema;
    }

    static CrdSchema load(Path crd) throws IOException {
        JsonNode root = YAML.readTree(Files.readString(crd));
        return new CrdSchema(root.at("/spec/versions/0/schema/openAPIV3Schema"));
    }

    static JsonNode yaml(String text) throws IOException {
        return YAML.readTree(text);
    }

    /** Defaults the object in place (as the API server would) and returns every violation, empty when valid. */
    List<String> validate(JsonNode resource) {
        List<String> errors = new ArrayList<>();
        applyDefaults(schema, resource);
        check(schema, resource, "", errors, true);
        return errors;
    }

    private void applyDefaults(JsonNode s, JsonNode value) {
        if (value instanceof ObjectNode obj) {
            JsonNode props = s.get("properties");
            if (props != null) {
                for (Iterator<Map.Entry<String, JsonNode>> it = props.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> p = it.next();
                    if (!obj.has(p.getKey()) && p.getValue().has("default")) {
                        obj.set(p.getKey(), p.getValue().get("default").deepCopy());
                    }
                    if (obj.has(p.getKey())) {
                        applyDefaults(p.getValue(), obj.get(p.getKey()));
                    }
                }
            }
            JsonNode additional = s.get("additionalProperties");
            if (additional != null && additional.isObject()) {
                obj.forEach(v -> applyDefaults(additional, v));
            }
        } else if (value instanceof ArrayNode arr && s.has("items")) {
            arr.forEach(v -> applyDefaults(s.get("items"), v));
        }
    }

    private void check(JsonNode s, JsonNode value, String path, List<String> errors, boolean root) {
        if (value == null || value.isNull()) {
            return;
        }
        String type = s.path("type").asText("");
        boolean intOrString = s.path("x-kubernetes-int-or-string").asBoolean(false);
        if (intOrString) {
            if (!value.isIntegralNumber() && !value.isTextual()) {
                errors.add(path + ": must be an integer or a string");
            }
        } else if (!type.isEmpty() && !hasType(value, type)) {
            errors.add(path + ": must be of type " + type);
            return;
        }
        if (s.has("enum")) {
            boolean found = false;
            for (JsonNode e : s.get("enum")) {
                found |= e.equals(value);
            }
            if (!found) {
                errors.add(path + ": unsupported value " + value + " (enum " + s.get("enum") + ")");
            }
        }
        if (value.isTextual()) {
            String text = value.asText();
            if (s.has("pattern") && !Pattern.compile(s.get("pattern").asText()).matcher(text).find()) {
                errors.add(path + ": '" + text + "' does not match " + s.get("pattern").asText());
            }
            if (s.has("maxLength") && text.length() > s.get("maxLength").asLong()) {
                errors.add(path + ": longer than " + s.get("maxLength").asLong());
            }
            if (s.has("minLength") && text.length() < s.get("minLength").asLong()) {
                errors.add(path + ": shorter than " + s.get("minLength").asLong());
            }
        }
        if (value.isNumber()) {
            if (s.has("minimum") && value.asDouble() < s.get("minimum").asDouble()) {
                errors.add(path + ": should be greater than or equal to " + s.get("minimum").asText());
            }
            if (s.has("maximum") && value.asDouble() > s.get("maximum").asDouble()) {
                errors.add(path + ": should be less than or equal to " + s.get("maximum").asText());
            }
        }
        if (value.isArray()) {
            if (s.has("maxItems") && value.size() > s.get("maxItems").asInt()) {
                errors.add(path + ": must have at most " + s.get("maxItems").asInt() + " items");
            }
            if (s.has("minItems") && value.size() < s.get("minItems").asInt()) {
                errors.add(path + ": must have at least " + s.get("minItems").asInt() + " items");
            }
            int i = 0;
            for (JsonNode item : value) {
                check(s.path("items"), item, path + "[" + i++ + "]", errors, false);
            }
        }
        if (value.isObject()) {
            JsonNode props = s.get("properties");
            JsonNode additional = s.get("additionalProperties");
            boolean preserve = s.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
            for (JsonNode req : s.path("required")) {
                if (!value.has(req.asText())) {
                    errors.add(path + "." + req.asText() + ": Required value");
                }
            }
            if (s.has("maxProperties") && value.size() > s.get("maxProperties").asInt()) {
                errors.add(path + ": must have at most " + s.get("maxProperties").asInt() + " properties");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                String child = path + "." + f.getKey();
                if (root && (f.getKey().equals("apiVersion") || f.getKey().equals("kind")
                        || f.getKey().equals("metadata"))) {
                    continue;
                }
                if (props != null && props.has(f.getKey())) {
                    check(props.get(f.getKey()), f.getValue(), child, errors, false);
                } else if (additional != null && additional.isObject()) {
                    check(additional, f.getValue(), child, errors, false);
                } else if (!preserve) {
                    errors.add(child + ": unknown field");
                }
            }
        }
        for (JsonNode rule : s.path("x-kubernetes-validations")) {
            if (!evaluate(rule.get("rule").asText(), value)) {
                errors.add(path + ": " + rule.path("message").asText(rule.get("rule").asText()));
            }
        }
    }

    private boolean evaluate(String rule, JsonNode self) {
        CelRuntime.Program program = programs.computeIfAbsent(rule, r -> {
            try {
                CelAbstractSyntaxTree ast = cel.compile(r).getAst();
                return runtime.createProgram(ast);
            } catch (Exception e) {
                throw new AssertionError("CEL rule does not compile: " + r + ": " + e.getMessage(), e);
            }
        });
        try {
            return Boolean.TRUE.equals(program.eval(Map.of("self", toCel(self))));
        } catch (Exception e) {
            // The API server reports a rule that fails at run time (e.g. duration('90d')) as a violation too.
            return false;
        }
    }

    private static Object toCel(JsonNode n) {
        if (n.isObject()) {
            Map<String, Object> m = new LinkedHashMap<>();
            n.fields().forEachRemaining(e -> m.put(e.getKey(), toCel(e.getValue())));
            return m;
        }
        if (n.isArray()) {
            List<Object> l = new ArrayList<>();
            n.forEach(e -> l.add(toCel(e)));
            return l;
        }
        if (n.isIntegralNumber()) {
            return n.asLong();
        }
        if (n.isNumber()) {
            return n.asDouble();
        }
        if (n.isBoolean()) {
            return n.asBoolean();
        }
        return n.asText();
    }

    private static boolean hasType(JsonNode v, String type) {
        return switch (type) {
            case "object" -> v.isObject();
            case "array" -> v.isArray();
            case "string" -> v.isTextual();
            case "integer" -> v.isIntegralNumber();
            case "number" -> v.isNumber();
            case "boolean" -> v.isBoolean();
            default -> true;
        };
    }
}
