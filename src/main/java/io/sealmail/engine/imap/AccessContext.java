package io.sealmail.engine.imap;

import io.netty.channel.Channel;
import io.sealmail.config.Role;
import io.sealmail.engine.EngineContext;
import io.sealmail.engine.auth.AccountDirectory;
import io.sealmail.engine.auth.LoginGate;
import io.sealmail.engine.tls.ServerTls;
import io.sealmail.store.mailbox.MailboxAccess;

import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * What IMAP and POP3 sessions share: the server's name, the login gate (who may log in, throttle, failure delay),
 * the mail, the server TLS for implicit TLS and STARTTLS/STLS (a reloaded certificate serves the next handshake; handshakes
 * are counted), the
 * pool that runs commands off the event loop, the bounds, and the engine with the listener's role, for connection
 * limits and metrics (both null in unit tests).
 */
public record AccessContext(String hostname, LoginGate logins, MailboxAccess mailboxes,
                            ServerTls tls, Executor workers, ImapLimits limits,
                            EngineContext engine, Role role) {

    /** Unit tests: passwords checked on the calling thread, no throttle, no engine. */
    public AccessContext(String hostname, AccountDirectory accounts, MailboxAccess mailboxes, ServerTls tls,
                         Executor workers, ImapLimits limits, Duration authFailureDelay) {
        this(hostname, new LoginGate(accounts, null, Runnable::run, authFailureDelay), mailboxes, tls, workers, limits,
                null, null);
    }

    /** The production context of one listener: everything from the engine, mail from {@code mailboxes}. */
    public static AccessContext from(EngineContext engine, Role role, MailboxAccess mailboxes) {
        return new AccessContext(engine.config().hostname(), engine.logins(), mailboxes, engine.serverTls(),
                engine.mailWorkers(), ImapLimits.from(engine.config().limits()), engine, role);
    }

    public AccountDirectory accounts() {
        return logins.accounts();
    }

    /** Counts a login's outcome in the engine's metrics. */
    public void loginOutcome(LoginGate.Outcome outcome) {
        if (engine != null) {
            engine.metrics().auth(role, outcome);
        }
    }

    /** Takes a connection slot; false when over the engine's limits. The slot is freed when the channel closes. */
    public boolean admit(Channel channel) {
        return engine == null || engine.admit(channel, role);
    }
}
