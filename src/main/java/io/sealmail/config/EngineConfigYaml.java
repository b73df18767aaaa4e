package io.sealmail.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

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
        try {
            EngineConfig config = MAPPER.readValue(yaml, EngineConfig.class);
            if (config == null) {
                throw new ConfigException("engine config is empty");
            }
            return config;
        } catch (ValueInstantiationException e) {
            Throwable cause = e.getCause();
            throw new ConfigException(cause instanceof ConfigException ? cause.getMessage() : e.getOriginalMessage(), e);
        } catch (JsonProcessingException e) {
            throw new ConfigException("engine config is not valid: " + e.getOriginalMessage()
                    + (e.getLocation() != null ? " (line " + e.getLocation().getLineNr() + ")" : ""), e);
        }
    }

    public static EngineConfig read(Path file) {
        try {
            return read(Files.readString(file));
        } catch (IOException e) {
            throw new ConfigException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
