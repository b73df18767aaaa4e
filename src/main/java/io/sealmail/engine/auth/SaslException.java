package io.sealmail.engine.auth;

/**
 * A SASL client response that cannot be used: bad base64, wrong shape, too long, invalid UTF-8, or an authorization
 * identity we do not support. The message is one line, safe to put in a protocol reply (it never quotes the
 * password).
 */
public class SaslException extends Exception {
    public SaslException(String message) {
        super(message);
    }
}
