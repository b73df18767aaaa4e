package io.sealmail.ca;

/**
 * Something about a key, certificate or name is wrong. The message is one line meant for a person: it says
 * exactly what is wrong (and, where it helps, what would be accepted), never a stack trace or a class name.
 */
public class CaException extends RuntimeException {
    public CaException(String message) {
        super(message);
    }

    public CaException(String message, Throwable cause) {
        super(message, cause);
    }
}
