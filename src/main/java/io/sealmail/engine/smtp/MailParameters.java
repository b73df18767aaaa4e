package io.sealmail.engine.smtp;

import java.util.Locale;
import java.util.Map;

/**
 * The ESMTP parameters of MAIL FROM (RFC 5321 §4.1.2), checked against what we offer in EHLO: SIZE (RFC 1870),
 * BODY (RFC 6152), SMTPUTF8 (RFC 6531) and AUTH (RFC 4954 §5). Anything else is refused with 555 (RFC 5321 §4.1.1.11).
 *
 * @param smtputf8 the client announced SMTPUTF8: non-ASCII addresses and headers are allowed
 * @param declaredSize the SIZE value, or -1 when not given
 */
record MailParameters(boolean smtputf8, long declaredSize) {

    /** Accepted parameters, or the reply that refuses the MAIL command. */
    sealed interface Outcome permits Accepted, Refused {
    }

    record Accepted(MailParameters parameters) implements Outcome {
    }

    record Refused(SmtpReply reply) implements Outcome {
    }

    /**
     * @param params         keyword (upper case) to value (null when the keyword has none), as {@link EnvelopeParser} gives them
     * @param maxMessageSize the fixed limit announced in EHLO SIZE
     */
    static Outcome check(Map<String, String> params, long maxMessageSize) {
        boolean smtputf8 = false;
        long declared = -1;
        for (Map.Entry<String, String> p : params.entrySet()) {
            switch (p.getKey()) {
                case "SIZE" -> {
                    declared = size(p.getValue());
                    if (declared < 0) {
                        return new Refused(SmtpReplies.SYNTAX.withText("Bad SIZE parameter"));
                    }
                    if (declared > maxMessageSize) {
                        // RFC 1870 §6: refuse at MAIL what will not fit, before the client sends it.
                        return new Refused(SmtpReplies.MESSAGE_TOO_BIG.withText(
                                "Message size exceeds fixed limit of " + maxMessageSize + " octets"));
                    }
                }
                case "BODY" -> {
                    String body = p.getValue() == null ? "" : p.getValue().toUpperCase(Locale.ROOT);
                    if (!body.equals("7BIT") && !body.equals("8BITMIME")) {
                        return new Refused(SmtpReplies.BODY_UNSUPPORTED);
                    }
                }
                case "SMTPUTF8" -> {
                    if (p.getValue() != null) {
                        return new Refused(SmtpReplies.SYNTAX.withText("SMTPUTF8 takes no value"));
                    }
                    smtputf8 = true;
                }
                case "AUTH" -> {
                    // RFC 4954 §5: the AUTH= parameter is for relays between trusted servers; accepted and ignored.
                }
                default -> {
                    return new Refused(SmtpReplies.PARAM_NOT_RECOGNIZED);
                }
            }
        }
        return new Accepted(new MailParameters(smtputf8, declared));
    }

    /** RFC 1870: SIZE=1*20DIGIT; -1 for anything else. */
    private static long size(String value) {
        if (value == null || value.isEmpty() || value.length() > 18 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        return Long.parseLong(value);
    }
}
