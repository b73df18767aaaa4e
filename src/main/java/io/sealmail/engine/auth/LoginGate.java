package io.sealmail.engine.auth;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Every login of every protocol passes here: the per-address throttle, the recent-success cache, the password hash
 * on a small bounded pool, and the failure delay. Nothing here blocks the calling thread: the hash runs on
 * {@code hashing}, and a failure's answer is <em>scheduled</em> {@code failureDelay} later on the session's own timer
 * (its event loop), so a flood of wrong passwords holds no shared thread and a legitimate user from another
 * address is not queued behind it. The session must not read or run its next command until the outcome arrives
 * (each protocol pauses its input meanwhile): the attacker still waits out its delay.
 *
 * <p>What an outcome costs: a cached success (the same password verified within the hour) is an HMAC on the calling
 * thread; a miss is one Argon2id/bcrypt check on {@code hashing}, where addresses that have failed recently wait
 * behind those that have not ({@link PasswordCheckQueue}); a blocked address is refused without hashing.
 * Failures, throttled and busy answers all come after the delay, as Dovecot's {@code auth_failure_delay} does.
 */
public final class LoginGate {
    /** How a login ended. */
    public enum Outcome {
        /** The password matched; {@link Result#account} is the canonical account. */
        SUCCESS,
        /** Unknown user, wrong password, or a refused authorization identity. */
        FAILURE,
        /** The client address has used up its failures for now ({@link AuthThrottle}); no password was checked. */
        THROTTLED,
        /** The hashing pool is full (a flood); try again later. */
        BUSY
    }

    /** @param account the canonical account on {@link Outcome#SUCCESS}, else null */
    public record Result(Outcome outcome, String account) {
        public boolean succeeded() {
            return outcome == Outcome.SUCCESS;
        }
    }

    private final AccountDirectory accounts;
    private final AuthThrottle throttle;
    private final Executor hashing;
    private final Duration failureDelay;

    /**
     * @param throttle     failures per client address; null (unit tests) counts nothing
     * @param hashing      where slow password checks run; a bounded pool that rejects when full
     * @param failureDelay how long a failure's answer is held back (zero in unit tests)
     */
    public LoginGate(AccountDirectory accounts, AuthThrottle throttle, Executor hashing, Duration failureDelay) {
        this.accounts = accounts;
        this.throttle = throttle;
        this.hashing = hashing;
        this.failureDelay = failureDelay;
    }

    public AccountDirectory accounts() {
        return accounts;
    }

    public Duration failureDelay() {
        return failureDelay;
    }

    /**
     * Checks a password and wipes it. {@code done} runs exactly once, on any thread: at once for a success, after the
     * failure delay otherwise.
     *
     * @param timer schedules the delayed answer (the connection's event loop)
     */
    public void check(InetAddress client, String user, char[] password, ScheduledExecutorService timer,
                      Consumer<Result> done) {
        if (throttle != null && throttle.isBlocked(client)) {
            Arrays.fill(password, '\0');
            later(timer, done, new Result(Outcome.THROTTLED, null));
            return;
        }
        Optional<String> cached = accounts.recentlyVerified(user, password);
        if (cached.isPresent()) {
            Arrays.fill(password, '\0');
            done.accept(new Result(Outcome.SUCCESS, cached.get()));
            return;
        }
        // A client that has failed recently is checked after those that have not (PasswordCheckQueue).
        boolean suspect = throttle != null && throttle.hasRecentFailure(client);
        try {
            hashing.execute(new PasswordCheckQueue.Check(suspect, () -> {
                Optional<String> account;
                try {
                    account = accounts.authenticate(user, password);
                } catch (RuntimeException e) {
                    account = Optional.empty();
                } finally {
                    Arrays.fill(password, '\0');
                }
                if (account.isPresent()) {
                    done.accept(new Result(Outcome.SUCCESS, account.get()));
                } else {
                    fail(client, timer, done);
                }
            }));
        } catch (RejectedExecutionException e) {
            Arrays.fill(password, '\0');
            later(timer, done, new Result(Outcome.BUSY, null));
        }
    }

    /**
     * A login the caller decided has failed without a password check of ours (a refused authorization identity, a
     * wrong SCRAM proof): counted against the address and answered after the delay like any other failure.
     */
    public void fail(InetAddress client, ScheduledExecutorService timer, Consumer<Result> done) {
        if (throttle != null) {
            throttle.recordFailure(client);
        }
        later(timer, done, new Result(Outcome.FAILURE, null));
    }

    /** True while the address is blocked: a protocol may refuse to even start an exchange. */
    public boolean blocked(InetAddress client) {
        return throttle != null && throttle.isBlocked(client);
    }

    /** Answers after the failure delay on the session's timer; never sleeps. */
    public void later(ScheduledExecutorService timer, Consumer<Result> done, Result result) {
        if (failureDelay.isZero() || failureDelay.isNegative()) {
            done.accept(result);
            return;
        }
        try {
            timer.schedule(() -> done.accept(result), failureDelay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // The event loop is shutting down: the connection is going away; answer now so nothing waits forever.
            done.accept(result);
        }
    }
}
