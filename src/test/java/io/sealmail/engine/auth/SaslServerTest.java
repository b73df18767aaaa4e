package io.sealmail.engine.auth;

import io.netty.channel.embedded.EmbeddedChannel;
import io.sealmail.engine.imap.TestAccounts;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The one SASL exchange every protocol drives, step by step: what the server says to each client line. The login
 * gate behind it checks passwords on the calling thread here; its failure delay runs on an embedded event loop
 * whose clock the test moves.
 */
class SaslServerTest {
    static final String USER = "joe@example.com";
    static final String PASSWORD = "secret pw";

    private final EmbeddedChannel loop = frozen(new EmbeddedChannel());

    private static EmbeddedChannel frozen(EmbeddedChannel channel) {
        channel.freezeTime();
        return channel;
    }
    private final AuthThrottle throttle = new AuthThrottle(10, 3, Duration.ofMinutes(15), Clock.systemUTC(), 100);
    private final LoginGate gate = new LoginGate(new TestAccounts(Map.of(USER, PASSWORD)), throttle, Runnable::run,
            Duration.ofSeconds(1));
    private final SaslServer sasl = new SaslServer(gate, InetAddress.getLoopbackAddress(), loop.eventLoop());
    private final List<SaslServer.Step> steps = new ArrayList<>();

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private SaslServer.Step start(String mechanism, String initial) {
        sasl.start(mechanism, initial, steps::add);
        return last();
    }

    private SaslServer.Step respond(String line) {
        sasl.respond(line, steps::add);
        return last();
    }

    /** The step just produced; a failure's comes only once the failure delay has passed on the event loop. */
    private SaslServer.Step last() {
        if (steps.isEmpty()) {
            loop.advanceTimeBy(999, TimeUnit.MILLISECONDS);
            loop.runScheduledPendingTasks();
            assertThat(steps).as("nothing is answered before the failure delay").isEmpty();
            loop.advanceTimeBy(1, TimeUnit.MILLISECONDS);
            loop.runScheduledPendingTasks();
        }
        assertThat(steps).hasSize(1);
        return steps.remove(0);
    }

    private static SaslServer.Outcome outcome(SaslServer.Step step) {
        assertThat(step).isInstanceOf(SaslServer.Done.class);
        return ((SaslServer.Done) step).result().outcome();
    }

    private static String challenge(SaslServer.Step step) {
        assertThat(step).isInstanceOf(SaslServer.Challenge.class);
        return ((SaslServer.Challenge) step).base64();
    }

    @Test
    void plainWithAndWithoutInitialResponse() {
        SaslServer.Step done = start("PLAIN", b64("\0" + USER + "\0" + PASSWORD));
        assertThat(outcome(done)).isEqualTo(SaslServer.Outcome.SUCCESS);
        assertThat(((SaslServer.Done) done).result().account()).isEqualTo(USER);
        assertThat(challenge(start("plain", null))).isEmpty();
        assertThat(outcome(respond(b64(USER + "\0" + USER + "\0" + PASSWORD)))).isEqualTo(SaslServer.Outcome.SUCCESS);
    }

    @Test
    void loginAsksForUsernameThenPassword() {
        assertThat(challenge(start("LOGIN", null))).isEqualTo(SaslLogin.USERNAME_CHALLENGE);
        assertThat(challenge(respond(b64(USER)))).isEqualTo(SaslLogin.PASSWORD_CHALLENGE);
        assertThat(outcome(respond(b64(PASSWORD)))).isEqualTo(SaslServer.Outcome.SUCCESS);
        // RFC 4954: an initial response to LOGIN is the user name.
        assertThat(challenge(start("LOGIN", b64(USER)))).isEqualTo(SaslLogin.PASSWORD_CHALLENGE);
        assertThat(outcome(respond(b64("wrong")))).isEqualTo(SaslServer.Outcome.FAILURE);
    }

    @Test
    void cancelAtEveryStep() {
        start("PLAIN", null);
        assertThat(outcome(respond("*"))).isEqualTo(SaslServer.Outcome.CANCELLED);
        start("LOGIN", null);
        respond(b64(USER));
        assertThat(outcome(respond("*"))).isEqualTo(SaslServer.Outcome.CANCELLED);
        start("SCRAM-SHA-256", null);
        assertThat(outcome(respond("*"))).isEqualTo(SaslServer.Outcome.CANCELLED);
        assertThat(sasl.awaitingResponse()).isFalse();
    }

    @Test
    void malformedUnsupportedAndForeignAuthorizationIdentity() {
        assertThat(outcome(start("PLAIN", "not base64!"))).isEqualTo(SaslServer.Outcome.MALFORMED);
        assertThat(outcome(start("PLAIN", "="))).as("an empty initial response").isEqualTo(SaslServer.Outcome.MALFORMED);
        assertThat(outcome(start("CRAM-MD5", null))).isEqualTo(SaslServer.Outcome.UNSUPPORTED_MECHANISM);
        assertThat(outcome(start("PLAIN", b64("ann@example.com\0" + USER + "\0" + PASSWORD))))
                .isEqualTo(SaslServer.Outcome.AUTHORIZATION_REFUSED);
    }

    @Test
    void wrongPasswordsAreDelayedThenTheAddressIsThrottledWithoutAHash() {
        for (int i = 0; i < 3; i++) {
            assertThat(outcome(start("PLAIN", b64("\0" + USER + "\0wrong" + i)))).isEqualTo(SaslServer.Outcome.FAILURE);
        }
        assertThat(outcome(start("PLAIN", b64("\0" + USER + "\0" + PASSWORD)))).isEqualTo(SaslServer.Outcome.THROTTLED);
    }

    @Test
    void scramSha256EndToEndWithAClientComputedProof() {
        ScramClient client = new ScramClient(USER, PASSWORD);
        String serverFirst = decode(challenge(start("SCRAM-SHA-256", b64(client.first()))));
        String serverFinal = decode(challenge(respond(b64(client.last(serverFirst)))));
        assertThat(client.verify(serverFinal)).as("the server proved it holds the ServerKey").isTrue();
        SaslServer.Step done = respond("");
        assertThat(outcome(done)).isEqualTo(SaslServer.Outcome.SUCCESS);
        assertThat(((SaslServer.Done) done).result().account()).isEqualTo(USER);
    }

    @Test
    void scramWithAWrongPasswordOrUnknownUserFails() {
        ScramClient wrong = new ScramClient(USER, "wrong");
        String serverFirst = decode(challenge(start("SCRAM-SHA-256", b64(wrong.first()))));
        assertThat(outcome(respond(b64(wrong.last(serverFirst))))).isEqualTo(SaslServer.Outcome.FAILURE);
        ScramClient nobody = new ScramClient("nobody@example.com", PASSWORD);
        serverFirst = decode(challenge(start("SCRAM-SHA-256", b64(nobody.first()))));
        assertThat(outcome(respond(b64(nobody.last(serverFirst))))).isEqualTo(SaslServer.Outcome.FAILURE);
    }

    private static String decode(String b64) {
        return new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
    }

    /** The client side of RFC 5802, written from the RFC for this test. */
    static final class ScramClient {
        private final String user;
        private final String password;
        private final String clientFirstBare;
        private String authMessage;
        private byte[] saltedPassword;

        ScramClient(String user, String password) {
            this.user = user;
            this.password = password;
            this.clientFirstBare = "n=" + user.replace("=", "=3D").replace(",", "=2C") + ",r=fyko+d2lbbFgONRv9qkxdawL";
        }

        String first() {
            return "n,," + clientFirstBare;
        }

        String last(String serverFirst) {
            String nonce = null;
            byte[] salt = null;
            int iterations = 0;
            for (String attr : serverFirst.split(",")) {
                switch (attr.charAt(0)) {
                    case 'r' -> nonce = attr.substring(2);
                    case 's' -> salt = Base64.getDecoder().decode(attr.substring(2));
                    case 'i' -> iterations = Integer.parseInt(attr.substring(2));
                    default -> {
                    }
                }
            }
            saltedPassword = ScramCredentials.hi(password.toCharArray(), salt, iterations);
            String withoutProof = "c=biws,r=" + nonce;
            authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
            byte[] clientKey = ScramCredentials.hmac(saltedPassword, "Client Key".getBytes(StandardCharsets.US_ASCII));
            byte[] signature = ScramCredentials.hmac(ScramCredentials.sha256(clientKey), authMessage.getBytes(StandardCharsets.UTF_8));
            byte[] proof = new byte[clientKey.length];
            for (int i = 0; i < proof.length; i++) {
                proof[i] = (byte) (clientKey[i] ^ signature[i]);
            }
            return withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof);
        }

        boolean verify(String serverFinal) {
            byte[] serverKey = ScramCredentials.hmac(saltedPassword, "Server Key".getBytes(StandardCharsets.US_ASCII));
            String expected = "v=" + Base64.getEncoder().encodeToString(
                    ScramCredentials.hmac(serverKey, authMessage.getBytes(StandardCharsets.UTF_8)));
            return expected.equals(serverFinal);
        }
    }
}
