package io.sealmail.engine.auth;

/**
 * A well-formed response that asks to act as another user (a non-empty authzid that is not the authcid): not a
 * syntax error but a refused login, so protocols count it as a failed attempt (SMTP 535, IMAP
 * {@code NO [AUTHORIZATIONFAILED]}, RFC 5530 §3).
 */
public class SaslAuthorizationException extends SaslException {
    public SaslAuthorizationException(String message) {
        super(message);
    }
}
