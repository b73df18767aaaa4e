package io.sealmail.engine.auth;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

/**
 * The one SASL exchange (RFC 4422) that SMTP AUTH (RFC 4954), IMAP AUTHENTICATE and LOGIN (RFC 9051 §6.2) and POP3
 * AUTH and USER/PASS (RFC 5034, RFC 1939) drive: PLAIN (RFC 4616), LOGIN, SCRAM-SHA-256 (RFC 7677), initial
 * responses (an empty one is "="), cancellation with "*", and every verdict through the {@link LoginGate}
 * (throttle, cached successes, hashing off the event loop, failure delay).
 *
 * <p>A protocol calls {@link #start} with the mechanism and optional initial response, then {@link #respond} with
 * each client line, and renders what it is told: a {@link Challenge} is sent as its continuation ("334 x", "+ x")
 * and the next line goes to {@code respond}; a {@link Done} ends the exchange. The answer always arrives through the
 * callback, possibly on another thread (after a hash, or after the failure delay), so a protocol pauses the
 * connection's input from the call until the callback. Server data on success (SCRAM's signature) is sent as a last
 * challenge that the client answers with an empty line (RFC 4954 §4, RFC 9051 §7.5), which every protocol allows.
 * Not thread-safe: one per connection, one step at a time.
 */
public final class SaslServer {
    /** Mechanisms offered (over TLS only), strongest first. */
    public static final List<String> MECHANISMS = List.of("SCRAM-SHA-256", "PLAIN", "LOGIN");

    /** What the protocol does next. */
    public sealed interface Step permits Challenge, Done {
    }

    /** Send this base64 payload as a continuation and pass the client's next line to {@link #respond}. */
    public record Challenge(String base64) implements Step {
    }

    /** The exchange is over. */
    public record Done(Result result) implements Step {
    }

    /** How the exchange ended. */
    public enum Outcome {
        SUCCESS, FAILURE, THROTTLED, BUSY,
        /** A non-empty authorization identity naming someone else (counted and delayed as a failure). */
        AUTHORIZATION_REFUSED,
        /** The client sent "*" (RFC 4422 §3.5). */
        CANCELLED,
        /** Not base64, bad UTF-8, a malformed mechanism message; {@link Result#reason} says what. */
        MALFORMED,
        UNSUPPORTED_MECHANISM
    }

    /** @param account the canonical account on success; @param reason one line for MALFORMED, else null */
    public record Result(Outcome outcome, String account, String reason) {
        public boolean succeeded() {
            return outcome == Outcome.SUCCESS;
        }

        /** The login gate's verdict, for metrics; null for outcomes that never reached it (malformed, cancelled). */
        public LoginGate.Outcome gateOutcome() {
            return switch (outcome) {
                case SUCCESS -> LoginGate.Outcome.SUCCESS;
                case FAILURE, AUTHORIZATION_REFUSED -> LoginGate.Outcome.FAILURE;
                case THROTTLED -> LoginGate.Outcome.THROTTLED;
                case BUSY -> LoginGate.Outcome.BUSY;
                default -> null;
            };
        }
    }

    private enum Expect { NOTHING, PLAIN, LOGIN_USERNAME, LOGIN_PASSWORD, SCRAM_FIRST, SCRAM_FINAL, SCRAM_ACK }

    private static final SecureRandom RANDOM = new SecureRandom();
    /** Salts of SCRAM's unknown users are made from the name under this secret: stable per process, never stored. */
    private static final byte[] UNKNOWN_USER_SECRET = RANDOM.generateSeed(32);

    private final LoginGate gate;
    private final InetAddress client;
    private final ScheduledExecutorService timer;
    private Expect expect = Expect.NOTHING;
    private String loginUsername;
    private ScramServer scram;
    private String scramAccount;

    /**
     * @param client the connecting address (throttle key)
     * @param timer  the connection's event loop, where failure answers are scheduled
     */
    public SaslServer(LoginGate gate, InetAddress client, ScheduledExecutorService timer) {
        this.gate = gate;
        this.client = client;
        this.timer = timer;
    }

    /** Forgets a half-done exchange (the client's answer was unreadable, e.g. too long). */
    public void abandon() {
        expect = Expect.NOTHING;
    }

    /** True between a challenge and the client's answer to it. */
    public boolean awaitingResponse() {
        return expect != Expect.NOTHING;
    }

    /**
     * Starts an exchange.
     *
     * @param initial the initial response (RFC 4422 §3.3; "=" is an empty one), or null when none was sent
     */
    public void start(String mechanism, String initial, Consumer<Step> next) {
        expect = Expect.NOTHING;
        switch (mechanism.toUpperCase(Locale.ROOT)) {
            case "PLAIN" -> {
                expect = Expect.PLAIN;
                step(initial, "", next);
            }
            case "LOGIN" -> {
                // draft-murchison-sasl-login: an initial response is the username.
                expect = Expect.LOGIN_USERNAME;
                step(initial, SaslLogin.USERNAME_CHALLENGE, next);
            }
            case "SCRAM-SHA-256" -> {
                scram = new ScramServer(ScramServer.randomNonce(RANDOM), UNKNOWN_USER_SECRET);
                expect = Expect.SCRAM_FIRST;
                step(initial, "", next);
            }
            default -> next.accept(done(Outcome.UNSUPPORTED_MECHANISM, null));
        }
    }

    /** Passes the client's answer to the last challenge. */
    public void respond(String line, Consumer<Step> next) {
        if (line.strip().equals("*")) {
            expect = Expect.NOTHING;
            next.accept(done(Outcome.CANCELLED, null));
            return;
        }
        Expect now = expect;
        expect = Expect.NOTHING;
        try {
            switch (now) {
                case PLAIN -> plain(line, next);
                case LOGIN_USERNAME -> {
                    loginUsername = SaslLogin.username(line);
                    expect = Expect.LOGIN_PASSWORD;
                    next.accept(new Challenge(SaslLogin.PASSWORD_CHALLENGE));
                }
                case LOGIN_PASSWORD -> check(loginUsername, SaslLogin.password(line), next);
                case SCRAM_FIRST -> {
                    byte[] message = SaslResponses.base64(line, 4096);
                    String serverFirst = scram.first(message, user -> gate.accounts().scram(user).orElse(null));
                    expect = Expect.SCRAM_FINAL;
                    next.accept(new Challenge(base64(serverFirst)));
                }
                case SCRAM_FINAL -> scramFinal(line, next);
                case SCRAM_ACK -> {
                    // RFC 4954 §4: the client acknowledges the server's additional data with an empty response.
                    if (!line.isEmpty() && !line.equals("=")) {
                        throw new SaslException("expected an empty response after the server's signature");
                    }
                    next.accept(done(Outcome.SUCCESS, scramAccount));
                }
                case NOTHING -> throw new SaslException("no authentication exchange in progress");
            }
        } catch (SaslAuthorizationException e) {
            gate.fail(client, timer, r -> next.accept(done(Outcome.AUTHORIZATION_REFUSED, null)));
        } catch (SaslException e) {
            next.accept(new Done(new Result(Outcome.MALFORMED, null, e.getMessage())));
        }
    }

    /**
     * A plain user name and password from a protocol's own command (IMAP LOGIN, POP3 USER/PASS): the same gate,
     * throttle and delay as the SASL mechanisms. The password is wiped.
     */
    public void password(String user, char[] password, Consumer<Step> next) {
        expect = Expect.NOTHING;
        check(user, password, next);
    }

    private void step(String initial, String challenge, Consumer<Step> next) {
        if (initial == null) {
            next.accept(new Challenge(challenge));
        } else {
            respond(initial.equals("=") ? "" : initial, next);
        }
    }

    private void plain(String line, Consumer<Step> next) throws SaslException {
        SaslPlain plain = SaslPlain.decode(line);
        check(plain.authcid(), plain.password(), next);
    }

    private void check(String user, char[] password, Consumer<Step> next) {
        gate.check(client, user, password, timer, r -> next.accept(done(switch (r.outcome()) {
            case SUCCESS -> Outcome.SUCCESS;
            case FAILURE -> Outcome.FAILURE;
            case THROTTLED -> Outcome.THROTTLED;
            case BUSY -> Outcome.BUSY;
        }, r.account())));
    }

    private void scramFinal(String line, Consumer<Step> next) throws SaslException {
        if (gate.blocked(client)) {
            gate.later(timer, r -> next.accept(done(Outcome.THROTTLED, null)),
                    new LoginGate.Result(LoginGate.Outcome.THROTTLED, null));
            return;
        }
        String serverFinal = scram.last(SaslResponses.base64(line, 4096));
        if (serverFinal == null) {
            gate.fail(client, timer, r -> next.accept(done(Outcome.FAILURE, null)));
            return;
        }
        scramAccount = gate.accounts().canonical(scram.user()).orElse(scram.user());
        expect = Expect.SCRAM_ACK;
        next.accept(new Challenge(base64(serverFinal)));
    }

    private static String base64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static Done done(Outcome outcome, String account) {
        return new Done(new Result(outcome, account, null));
    }
}
