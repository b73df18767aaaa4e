package io.sealmail.store;

/**
 * The store cannot take the message right now (delivery queue full, store closing, disk error): a temporary
 * failure. SMTP answers 451 4.3.0 and the client retries; IMAP APPEND answers NO [UNAVAILABLE].
 */
public class StoreUnavailableException extends RuntimeException {
    public StoreUnavailableException(String message) {
        super(message);
    }

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
