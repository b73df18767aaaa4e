package io.sealmail.engine.auth;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/** Base64 and UTF-8 decoding of SASL client responses, shared by {@link SaslPlain} and {@link SaslLogin}. */
final class SaslResponses {
    private SaslResponses() {
    }

    /**
     * RFC 4954 §4: a response is base64 (RFC 4648 §4, padding required, no line breaks or spaces); a lone "=" is an
     * empty response.
     */
    static byte[] base64(String response, int maxDecoded) throws SaslException {
        if (response == null) {
            throw new SaslException("missing response");
        }
        String text = response.strip();
        if (text.equals("=")) {
            return new byte[0];
        }
        // 4 characters per 3 octets: refuse before decoding anything.
        if (text.length() > (maxDecoded + 2) / 3 * 4) {
            throw new SaslException("response too long");
        }
        if (text.length() % 4 != 0) {
            throw new SaslException("invalid base64 (length is not a multiple of 4)");
        }
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new SaslException("invalid base64");
        }
    }

    /** Strict UTF-8 (RFC 4616 §2: the fields are UTF-8); the caller wipes {@code raw}. */
    static char[] utf8(byte[] raw, int from, int to) throws SaslException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            CharBuffer chars = decoder.decode(ByteBuffer.wrap(raw, from, to - from));
            char[] out = new char[chars.remaining()];
            chars.get(out);
            if (chars.hasArray()) {
                Arrays.fill(chars.array(), '\0');
            }
            return out;
        } catch (CharacterCodingException e) {
            throw new SaslException("invalid UTF-8");
        }
    }

    static String utf8String(byte[] raw, int from, int to) throws SaslException {
        return new String(utf8(raw, from, to));
    }

    /** No NUL or other control characters in an identity (RFC 4616 §2 excludes NUL; we also refuse CR/LF and such). */
    static void checkIdentity(String identity, String what) throws SaslException {
        for (int i = 0; i < identity.length(); i++) {
            char c = identity.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new SaslException(what + " contains a control character");
            }
        }
    }
}
