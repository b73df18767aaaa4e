package io.sealmail.engine.imap;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslContext;
import io.sealmail.config.Role;
import io.sealmail.engine.EngineContext;
import io.sealmail.engine.auth.AccountDirectory;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * What IMAP and POP3 sessions share: the server's name, who may log in, the mail, the TLS context for
 * STARTTLS/STLS (a supplier, so a reloaded certificate serves the next handshake), the pool that runs commands
 * off the event loop, the bounds, how long a failed login is held before its answer (slows guessing), and the
 * engine with the listener's role, for the engine-wide login throttle, connection limits and metrics (both null in
 * unit tests).
 */
public record AccessContext(String hostname, AccountDirectory accounts, MailboxAccess mailboxes,
                            Supplier<SslContext> tls, Executor workers, ImapLimits limits, Duration authFailureDelay,
                            EngineContext engine, Role role) {

    private static final AtomicInteger THREADS = new AtomicInteger();

    /**
     * Commands of every IMAP/POP3 session run here. Idle sessions hold no thread; a busy one holds one at a time,
     * so the pool bounds the disk work in flight and the queue absorbs bursts.
     */
    static final ThreadPoolExecutor WORKERS = new ThreadPoolExecutor(32, 32, 60, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, "sealmail-mailaccess-" + THREADS.incrementAndGet());
                t.setDaemon(true);
                return t;
            });

    static {
        WORKERS.allowCoreThreadTimeOut(true);
    }

    public AccessContext(String hostname, AccountDirectory accounts, MailboxAccess mailboxes, Supplier<SslContext> tls,
                         Executor workers, ImapLimits limits, Duration authFailureDelay) {
        this(hostname, accounts, mailboxes, tls, workers, limits, authFailureDelay, null, null);
    }

    /** The production context of one listener: everything from the engine, mail from {@code mailboxes}. */
    public static AccessContext from(EngineContext engine, Role role, MailboxAccess mailboxes) {
        return new AccessContext(engine.config().hostname(), engine.accounts(), mailboxes, engine.serverTls()::current, WORKERS,
                ImapLimits.from(engine.config().limits()), Duration.ofSeconds(1), engine, role);
    }

    /**
     * True when this client's address used up its failed logins across all listeners (checked before hashing);
     * counted as a throttled login.
     */
    public boolean loginBlocked(Channel channel) {
        if (engine == null || !engine.authThrottle().isBlocked(EngineContext.clientAddress(channel))) {
            return false;
        }
        engine.metrics().authThrottled(role);
        return true;
    }

    public void loginFailed(Channel channel) {
        if (engine != null) {
            engine.authThrottle().recordFailure(EngineContext.clientAddress(channel));
            engine.metrics().authFailed(role);
        }
    }

    public void loginSucceeded() {
        if (engine != null) {
            engine.metrics().authSucceeded(role);
        }
    }

    /** Takes a connection slot; false when over the engine's limits. The slot is freed when the channel closes. */
    public boolean admit(Channel channel) {
        return engine == null || engine.admit(channel, role);
    }
}
