package io.sealmail.engine.auth;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SaslTest {
    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }

    @Test
    void plainWithAndWithoutAuthzid() throws SaslException {
        SaslPlain p = SaslPlain.decode(b64("\0alice@example.org\0s3cret pässword"));
        assertThat(p.authcid()).isEqualTo("alice@example.org");
        assertThat(p.password()).containsExactly("s3cret pässword".toCharArray());
        assertThat(p.toString()).doesNotContain("s3cret");
        SaslPlain same = SaslPlain.decode("  " + b64("Alice@Example.org\0alice@example.org\0pw") + " ");
        assertThat(same.authcid()).isEqualTo("alice@example.org");
        same.wipe();
        assertThat(same.password()).containsOnly('\0');
    }

    @ParameterizedTest(name = "PLAIN refuses {0}")
    @CsvSource(delimiter = '|', value = {
            "not base64!!|invalid base64",
            "YWJj|PLAIN expects authzid NUL authcid NUL password",
            "YWJjZA|invalid base64 (length is not a multiple of 4)",
            "=|PLAIN expects authzid NUL authcid NUL password",
            "''|PLAIN expects authzid NUL authcid NUL password",
    })
    void plainRefusesMalformedBase64(String response, String reason) {
        assertThatThrownBy(() -> SaslPlain.decode(response)).isInstanceOf(SaslException.class).hasMessage(reason);
    }

    @ParameterizedTest(name = "PLAIN refuses {0}")
    @CsvSource(delimiter = '|', value = {
            "alice@example.org|PLAIN expects authzid NUL authcid NUL password",
            "\\0alice@example.org|PLAIN expects authzid NUL authcid NUL password",
            "\\0\\0pw|PLAIN authentication identity is empty",
            "\\0alice@example.org\\0|PLAIN password is empty",
            "\\0alice@example.org\\0pw\\0more|PLAIN password contains NUL",
            "bob@example.org\\0alice@example.org\\0pw|authorization identity must be empty or the same as the authentication identity",
            "\\0alice\\r\\nQUIT@example.org\\0pw|authentication identity contains a control character",
    })
    void plainRefusesHostileShapes(String message, String reason) {
        String raw = message.replace("\\0", "\0").replace("\\r", "\r").replace("\\n", "\n");
        assertThatThrownBy(() -> SaslPlain.decode(b64(raw))).isInstanceOf(SaslException.class).hasMessage(reason);
    }

    @Test
    void plainRefusesInvalidUtf8AndOversizeResponses() {
        byte[] badUtf8 = {0, 'a', '@', 'b', 0, (byte) 0xc3, (byte) 0x28};
        assertThatThrownBy(() -> SaslPlain.decode(b64(badUtf8))).isInstanceOf(SaslException.class).hasMessage("invalid UTF-8");
        byte[] overlong = {0, 'a', 0, (byte) 0xc0, (byte) 0x80}; // an overlong NUL, the classic filter bypass
        assertThatThrownBy(() -> SaslPlain.decode(b64(overlong))).isInstanceOf(SaslException.class).hasMessage("invalid UTF-8");
        String big = b64("\0alice@example.org\0" + "x".repeat(2000));
        assertThatThrownBy(() -> SaslPlain.decode(big)).isInstanceOf(SaslException.class).hasMessage("response too long");
        // Right at the bound: 1024 decoded octets are fine.
        String atBound = "\0a@b\0" + "y".repeat(1024 - 5);
        assertThat(atBound.getBytes(StandardCharsets.UTF_8)).hasSize(1024);
        assertThat(catchingPlain(b64(atBound))).isNull();
        assertThatThrownBy(() -> SaslPlain.decode("A".repeat(10_000_000))).isInstanceOf(SaslException.class).hasMessage("response too long");
        assertThatThrownBy(() -> SaslPlain.decode(null)).isInstanceOf(SaslException.class);
    }

    private static Exception catchingPlain(String response) {
        try {
            SaslPlain.decode(response);
            return null;
        } catch (Exception e) {
            return e;
        }
    }

    @Test
    void loginTwoSteps() throws SaslException {
        assertThat(new String(Base64.getDecoder().decode(SaslLogin.USERNAME_CHALLENGE), StandardCharsets.US_ASCII)).isEqualTo("Username:");
        assertThat(new String(Base64.getDecoder().decode(SaslLogin.PASSWORD_CHALLENGE), StandardCharsets.US_ASCII)).isEqualTo("Password:");
        assertThat(SaslLogin.username(b64("alice@example.org"))).isEqualTo("alice@example.org");
        assertThat(SaslLogin.password(b64("ünïcode pw"))).containsExactly("ünïcode pw".toCharArray());
    }

    @ParameterizedTest(name = "LOGIN username refuses {0}")
    @CsvSource(delimiter = '|', value = {
            "=|LOGIN username is empty",
            "%%%%|invalid base64",
            "YWxpY2U|invalid base64 (length is not a multiple of 4)",
    })
    void loginRefusesBadUsernames(String response, String reason) {
        assertThatThrownBy(() -> SaslLogin.username(response)).isInstanceOf(SaslException.class).hasMessage(reason);
    }

    @Test
    void loginRefusesHostileInput() {
        assertThatThrownBy(() -> SaslLogin.username(b64("a\0b"))).isInstanceOf(SaslException.class).hasMessage("username contains a control character");
        assertThatThrownBy(() -> SaslLogin.username(b64("x".repeat(256)))).isInstanceOf(SaslException.class).hasMessage("response too long");
        assertThatThrownBy(() -> SaslLogin.password("=")).isInstanceOf(SaslException.class).hasMessage("LOGIN password is empty");
        assertThatThrownBy(() -> SaslLogin.password(b64("pw\0x"))).isInstanceOf(SaslException.class).hasMessage("LOGIN password contains NUL");
        assertThatThrownBy(() -> SaslLogin.password(b64("x".repeat(1025)))).isInstanceOf(SaslException.class).hasMessage("response too long");
        assertThatThrownBy(() -> SaslLogin.password(b64(new byte[] {(byte) 0xff}))).isInstanceOf(SaslException.class).hasMessage("invalid UTF-8");
    }

    @Test
    void cancel() {
        assertThat(SaslLogin.isCancel("*")).isTrue();
        assertThat(SaslLogin.isCancel("* ")).isTrue();
        assertThat(SaslLogin.isCancel("**")).isFalse();
        assertThat(SaslLogin.isCancel(null)).isFalse();
    }
}
