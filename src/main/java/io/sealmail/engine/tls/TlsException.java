package io.sealmail.engine.tls;

/**
 * The engine's certificate or TLS settings cannot be used. The message is one line for an operator's log: it names
 * the file and says what is wrong with it (never a stack trace for an input problem).
 */
public class TlsException extends RuntimeException {
    public TlsException(String message) {
        super(message);
    }

    public TlsException(String message, Throwable cause) {
        super(message, cause);
    }
}
