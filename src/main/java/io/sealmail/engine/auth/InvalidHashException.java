package io.sealmail.engine.auth;

/**
 * A password hash that cannot be used: unknown scheme, garbled encoding, or work parameters beyond what the engine
 * agrees to spend. The message says which, in one line, without echoing the hash (it is a secret too).
 */
public class InvalidHashException extends IllegalArgumentException {
    public InvalidHashException(String message) {
        super(message);
    }
}
