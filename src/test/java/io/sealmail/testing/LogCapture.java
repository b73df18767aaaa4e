package io.sealmail.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Collects records logged by one class (JBoss Logging goes through the JUL-compatible JBoss LogManager). */
public final class LogCapture extends Handler implements AutoCloseable {
    private final Logger logger;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    public LogCapture(Class<?> source) {
        logger = Logger.getLogger(source.getName());
        logger.addHandler(this);
    }

    /** Messages logged at ERROR (SEVERE) or above, formatted. */
    public List<String> errors() {
        return at(Level.SEVERE);
    }

    /** Every message, formatted. */
    public List<String> messages() {
        return at(Level.ALL);
    }

    /** Messages logged at WARN (WARNING) or above, formatted. */
    public List<String> warnings() {
        return at(Level.WARNING);
    }

    private List<String> at(Level level) {
        return records.stream().filter(r -> r.getLevel().intValue() >= level.intValue())
                .map(r -> r.getParameters() == null || r.getParameters().length == 0 ? r.getMessage()
                        : String.format(r.getMessage(), r.getParameters())) // errorf/warnf: printf style
                .toList();
    }

    @Override
    public void publish(LogRecord record) {
        records.add(record);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
