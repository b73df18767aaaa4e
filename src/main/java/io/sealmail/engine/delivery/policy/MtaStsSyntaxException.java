package io.sealmail.engine.delivery.policy;

/** An MTA-STS TXT record or policy file that does not follow RFC 8461's grammar: treated as no policy. */
public class MtaStsSyntaxException extends Exception {
    public MtaStsSyntaxException(String message) {
        super(message);
    }
}
