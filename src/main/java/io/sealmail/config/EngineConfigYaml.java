package io.sealmail.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;

/** engine.yaml: the YAML form of {@link EngineConfig}, read by the engine and written by the operator. */
public final class EngineConfigYaml {
    private static final ObjectMapper MAPPER = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    private static final String INVALID = "engine config is not valid: ";

    private EngineConfigYaml() {
    }

    public static String write(EngineConfig config) {
        try {
            return MAPPER.writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new ConfigException("cannot write engine config: " + e.getOriginalMessage(), e);
        }
    }

    public static EngineConfig read(String yaml) {
        if (yaml == null || yaml.isBlank()) {
            throw new ConfigException("engine config is empty");
        }
        try {
            EngineConfig config = MAPPER.readValue(yaml, EngineConfig.class);
            if (config == null) {
                throw new ConfigException("engine config is empty");
            }
            return config;
        } catch (ValueInstantiationException e) {
            Throwable cause = e.getCause();
            throw new ConfigException(cause instanceof ConfigException ? cause.getMessage() : e.getOriginalMessage(), e);
        } catch (UnrecognizedPropertyException e) {
            // Typos must not pass silently (a misspelt limit would quietly keep its default).
            String known = e.getKnownPropertyIds() == null ? "" : "; known fields: " + e.getKnownPropertyIds().stream()
                    .map(Object::toString).sorted().collect(Collectors.joining(", "));
            // The key's own line: the parser's location is already past it when Jackson notices.
            int keyLine = lineOfKey(yaml, e.getPropertyName());
            String line = keyLine > 0 ? " (line " + keyLine + ")" : line(e);
            throw new ConfigException(INVALID + where(e) + "unknown field '" + e.getPropertyName() + "'" + line + known, e);
        } catch (MismatchedInputException e) {
            String type = kind(e.getTargetType() == null ? "value" : e.getTargetType().getSimpleName());
            String what = e instanceof InvalidFormatException f && f.getValue() != null
                    ? "'" + f.getValue() + "' is not " + type : "expected " + type;
            throw new ConfigException(INVALID + where(e) + what + line(e), e);
        } catch (JsonProcessingException e) {
            throw new ConfigException("engine config is not valid YAML: " + e.getOriginalMessage() + line(e), e);
        }
    }

    /** {@code limits.maxRecipients: } from the path Jackson was at, or nothing at the top level. */
    private static String where(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (path.length() > 0) {
                    path.append('.');
                }
                path.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        if (e instanceof UnrecognizedPropertyException u && path.toString().endsWith(u.getPropertyName())) {
            path.setLength(Math.max(0, path.length() - u.getPropertyName().length() - 1));
            return path.length() == 0 ? "" : path + ": ";
        }
        return path.length() == 0 ? "" : path + ": ";
    }

    private static int lineOfKey(String yaml, String key) {
        java.util.regex.Pattern p = java.util.regex.Pattern.compile("^[\\s-]*[\"']?" + java.util.regex.Pattern.quote(key) + "[\"']?\\s*:");
        String[] lines = yaml.split("\\R", -1);
        for (int i = 0; i < lines.length; i++) {
            if (p.matcher(lines[i]).find()) {
                return i + 1;
            }
        }
        return -1;
    }

    private static String line(JsonProcessingException e) {
        return e.getLocation() != null ? " (line " + e.getLocation().getLineNr() + ")" : "";
    }

    private static String kind(String type) {
        String t = switch (type) {
            case "Integer", "int" -> "integer";
            case "Long", "long" -> "whole number";
            case "Duration" -> "ISO-8601 duration such as PT5M";
            case "List", "ArrayList" -> "list";
            case "Map", "LinkedHashMap", "HashMap" -> "map";
            case "String" -> "string";
            case "Role" -> "role (smtp, submission, smtps, pop3, pop3s, imap, imaps)";
            default -> type;
        };
        return (t.matches("^[aeiouAEIOU].*") ? "an " : "a ") + t;
    }

    /** The configuration in {@code file}; every error is a {@link ConfigFileException} naming it. */
    public static EngineConfig read(Path file) {
        String yaml;
        try {
            yaml = Files.readString(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw ConfigFileException.unreadable(file, "no such file", e);
        } catch (java.nio.file.AccessDeniedException e) {
            throw ConfigFileException.unreadable(file, "permission denied", e);
        } catch (IOException e) {
            throw ConfigFileException.unreadable(file, e.getMessage(), e);
        }
        try {
            return read(yaml);
        } catch (ConfigException e) {
            throw ConfigFileException.in(file, e);
        }
    }
}
