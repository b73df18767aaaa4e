package io.sealmail.engine.imap;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/** RFC 4616 PLAIN: base64 of {@code authzid NUL authcid NUL passwd}. The password stays a char array. */
public record SaslPlain(String authzid, String authcid, char[] password) {

    /** @throws IllegalArgumentException on bad base64, wrong field count or invalid UTF-8 */
    public static SaslPlain decode(String base64) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(base64.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid base64");
        }
        try {
            int first = indexOf(raw, 0);
            int second = first < 0 ? -1 : indexOf(raw, first + 1);
            if (first < 0 || second < 0 || indexOf(raw, second + 1) >= 0) {
                throw new IllegalArgumentException("PLAIN needs authzid NUL authcid NUL password");
            }
            String authz = utf8(raw, 0, first);
            String authc = utf8(raw, first + 1, second);
            CharBuffer pw = decoder().decode(ByteBuffer.wrap(raw, second + 1, raw.length - second - 1));
            char[] password = new char[pw.remaining()];
            pw.get(password);
            Arrays.fill(pw.array(), '\0');
            if (authc.isEmpty()) {
                throw new IllegalArgumentException("Empty authentication identity");
            }
            return new SaslPlain(authz, authc, password);
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("Invalid UTF-8");
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    private static int indexOf(byte[] raw, int from) {
        for (int i = from; i < raw.length; i++) {
            if (raw[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    private static String utf8(byte[] raw, int from, int to) throws CharacterCodingException {
        return decoder().decode(ByteBuffer.wrap(raw, from, to - from)).toString();
    }

    private static java.nio.charset.CharsetDecoder decoder() {
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
    }
}
