package io.sealmail.engine.auth;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** SCRAM-SHA-256 as RFC 7677 §3 specifies it, replayed octet for octet, and the ways a client can get it wrong. */
class ScramServerTest {
    // RFC 7677 §3: user "user", password "pencil".
    static final String SALT = "W22ZaJ0SNY7soEsUEjb6gQ==";
    static final String CLIENT_FIRST = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
    static final String SERVER_NONCE = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    static final String SERVER_FIRST = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    static final String CLIENT_FINAL = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
            + "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    static final String SERVER_FINAL = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

    static final ScramCredentials PENCIL = ScramCredentials.derive("pencil".toCharArray(),
            Base64.getDecoder().decode(SALT), 4096);

    private static ScramServer server() {
        return new ScramServer(() -> SERVER_NONCE, new byte[32]);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void rfc7677TestVectorIsReproducedExactly() throws Exception {
        ScramServer s = server();
        assertThat(s.first(bytes(CLIENT_FIRST), Map.of("user", PENCIL)::get)).isEqualTo(SERVER_FIRST);
        assertThat(s.last(bytes(CLIENT_FINAL))).isEqualTo(SERVER_FINAL);
        assertThat(s.user()).isEqualTo("user");
    }

    @Test
    void storedKeysRoundTripThroughTheAccountsFileForm() {
        String encoded = PENCIL.encoded();
        assertThat(encoded).startsWith("SCRAM-SHA-256$4096:" + SALT + "$");
        assertThat(ScramCredentials.parse(encoded)).isEqualTo(PENCIL);
    }

    @Test
    void aWrongProofFails() throws Exception {
        ScramServer s = server();
        s.first(bytes(CLIENT_FIRST), Map.of("user", PENCIL)::get);
        String wrong = CLIENT_FINAL.replace("p=dHzb", "p=dHzc");
        assertThat(s.last(bytes(wrong))).isNull();
    }

    @Test
    void anUnknownUserGetsAStableFakeSaltAndFailsWithTheRightPasswordOfAnother() throws Exception {
        ScramServer a = server();
        String first = a.first(bytes(CLIENT_FIRST), u -> null);
        assertThat(first).startsWith("r=rOprNGfwEbeRWgbNEkqO" + SERVER_NONCE + ",s=").endsWith(",i=" + ScramCredentials.DEFAULT_ITERATIONS);
        assertThat(server().first(bytes(CLIENT_FIRST), u -> null)).as("the same fake salt every time").isEqualTo(first);
        assertThat(a.last(bytes(CLIENT_FINAL))).isNull();
    }

    @Test
    void channelBindingAndOtherMistakesAreRefusedWithAReason() {
        assertThatThrownBy(() -> server().first(bytes("p=tls-unique,,n=user,r=abc"), u -> PENCIL))
                .isInstanceOf(SaslException.class).hasMessageContaining("channel binding");
        assertThatThrownBy(() -> server().first(bytes("n,,m=ext,n=user,r=abc"), u -> PENCIL))
                .isInstanceOf(SaslException.class).hasMessageContaining("n=user,r=nonce");
        assertThatThrownBy(() -> server().first(bytes("n,,n=us=2Xer,r=abc"), u -> PENCIL))
                .isInstanceOf(SaslException.class).hasMessageContaining("escape");
        assertThatThrownBy(() -> server().first(bytes("n,a=admin,n=user,r=abc"), u -> PENCIL))
                .isInstanceOf(SaslAuthorizationException.class);
        assertThatThrownBy(() -> server().last(bytes(CLIENT_FINAL)))
                .isInstanceOf(SaslException.class).hasMessageContaining("out of order");
    }

    @Test
    void aChangedNonceOrBindingInTheFinalMessageIsRefused() throws Exception {
        ScramServer s = server();
        s.first(bytes(CLIENT_FIRST), Map.of("user", PENCIL)::get);
        assertThatThrownBy(() -> s.last(bytes(CLIENT_FINAL.replace("r=rOpr", "r=xOpr"))))
                .isInstanceOf(SaslException.class).hasMessageContaining("nonce");
        ScramServer t = server();
        t.first(bytes(CLIENT_FIRST), Map.of("user", PENCIL)::get);
        assertThatThrownBy(() -> t.last(bytes(CLIENT_FINAL.replace("c=biws", "c=eSws"))))
                .isInstanceOf(SaslException.class).hasMessageContaining("channel binding");
    }

    @Test
    void escapedUserNamesAreDecoded() throws Exception {
        assertThat(ScramServer.saslName("a=2Cb=3Dc")).isEqualTo("a,b=c");
    }

    @Test
    void iterationBoundsAndGarbledEntriesAreRefused() {
        assertThatThrownBy(() -> ScramCredentials.parse("SCRAM-SHA-256$100:" + SALT + "$AAAA:AAAA"))
                .isInstanceOf(InvalidHashException.class).hasMessageContaining("4096");
        assertThatThrownBy(() -> ScramCredentials.parse("SCRAM-SHA-256$4096:" + SALT + "$AAAA"))
                .isInstanceOf(InvalidHashException.class).hasMessageContaining("garbled");
        assertThatThrownBy(() -> ScramCredentials.parse("SCRAM-SHA-256$4096:" + SALT + "$AAAA:AAAA"))
                .isInstanceOf(InvalidHashException.class).hasMessageContaining("32 octets");
        assertThatThrownBy(() -> ScramCredentials.parse("SCRAM-SHA-256$4096:" + SALT + "$!!!!:AAAA"))
                .isInstanceOf(InvalidHashException.class).hasMessageContaining("base64");
    }
}
