package io.sealmail.engine.imap;

import io.netty.handler.ssl.SslContext;
import io.sealmail.engine.auth.AuthThrottle;
import io.sealmail.engine.ConnectionLimiter;
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
 * engine-wide per-address login throttle and connection limiter (null in unit tests).
 */
public record AccessContext(String hostname, AccountDirectory accounts, MailboxAccess mailboxes,
                            Supplier<SslContext> tls, Executor workers, ImapLimits limits, Duration authFailureDelay,
                            AuthThrottle throttle, ConnectionLimiter connections) {

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

    /** The production context: everything from the engine, mail from {@code mailboxes}. */
    public static AccessContext from(EngineContext engine, MailboxAccess mailboxes) {
        return new AccessContext(engine.config().hostname(), engine.accounts(), mailboxes, engine.serverTls()::current, WORKERS,
                ImapLimits.from(engine.config().limits()), Duration.ofSeconds(1), engine.authThrottle(), engine.connections());
    }

    /** True when this client's address used up its failed logins across all listeners (checked before hashing). */
    public boolean loginBlocked(io.netty.channel.Channel channel) {
        return throttle != null && throttle.isBlocked(address(channel));
    }

    public void loginFailed(io.netty.channel.Channel channel) {
        if (throttle != null) {
            throttle.recordFailure(address(channel));
        }
    }

    public static java.net.InetAddress address(io.netty.channel.Channel channel) {
        return channel.remoteAddress() instanceof java.net.InetSocketAddress isa && isa.getAddress() != null
                ? isa.getAddress() : java.net.InetAddress.getLoopbackAddress();
    }

    /** Takes a connection slot; false when over the engine's limits. The slot is freed when the channel closes. */
    public boolean admit(io.netty.channel.Channel channel) {
        if (connections == null) {
            return true;
        }
        java.net.InetAddress client = address(channel);
        if (!connections.tryAcquire(client)) {
            return false;
        }
        channel.closeFuture().addListener(f -> connections.release(client));
        return true;
    }
}
