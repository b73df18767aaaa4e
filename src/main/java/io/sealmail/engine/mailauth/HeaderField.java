package io.sealmail.engine.mailauth;

import java.util.Locale;

/**
 * One header field of a message as received.
 *
 * @param name   the field name as written (case kept), without trailing whitespace
 * @param raw    the whole field, name, colon, value and any folding, without its final CRLF; bytes are kept one
 *               char per octet (ISO-8859-1), so canonicalisation sees exactly the octets that were sent
 * @param offset where the field starts in the message
 * @param length octets of the field including its final CRLF
 */
public record HeaderField(String name, String raw, long offset, int length) {
    public boolean is(String fieldName) {
        return name.equalsIgnoreCase(fieldName);
    }

    /** The value after the colon, unfolded (CRLF removed), with surrounding whitespace trimmed. */
    public String value() {
        int colon = raw.indexOf(':');
        return colon < 0 ? "" : raw.substring(colon + 1).replace("\r\n", "").strip();
    }

    String lowerName() {
        return name.toLowerCase(Locale.ROOT);
    }
}
