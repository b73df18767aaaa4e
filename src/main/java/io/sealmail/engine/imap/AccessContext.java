package io.sealmail.engine.imap;

import io.netty.handler.ssl.SslContext;
import io.sealmail.engine.auth.AccountDirectory;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * What IMAP and POP3 sessions share: the server's name, who may log in, the mail, the TLS context for
 * STARTTLS/STLS (a supplier, so a reloaded certificate serves the next handshake), the pool that runs commands
 * off the event loop, the bounds, and how long a failed login is held before its answer (slows guessing).
 */
public record AccessContext(String hostname, AccountDirectory accounts, MailboxAccess mailboxes,
                            Supplier<SslContext> tls, Executor workers, ImapLimits limits, Duration authFailureDelay) {
}
