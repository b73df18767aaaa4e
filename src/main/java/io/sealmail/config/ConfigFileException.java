package io.sealmail.config;

import java.nio.file.Path;

/**
 * A configuration problem and the file it is about, for the one line a user reads: {@code cannot read FILE: why}
 * when the file itself could not be read, {@code FILE: problem} for what is wrong in it or with what it names.
 */
public final class ConfigFileException extends ConfigException {
    private final Path file;

    private ConfigFileException(Path file, String message, Throwable cause) {
        super(message, cause);
        this.file = file;
    }

    /** The file could not be read at all. */
    public static ConfigFileException unreadable(Path file, String reason, Throwable cause) {
        return new ConfigFileException(file, "cannot read " + file + ": " + reason, cause);
    }

    /** A problem of the configuration in {@code file}; one that already names its file is returned as it is. */
    public static ConfigFileException in(Path file, ConfigException problem) {
        return problem instanceof ConfigFileException located ? located
                : new ConfigFileException(file, file + ": " + problem.getMessage(), problem);
    }

    public Path file() {
        return file;
    }
}
