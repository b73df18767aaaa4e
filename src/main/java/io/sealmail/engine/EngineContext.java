package io.sealmail.engine;

import io.micrometer.core.instrument.MeterRegistry;
import io.sealmail.config.EngineConfig;
import io.sealmail.engine.auth.AccountDirectory;
import io.sealmail.engine.auth.AuthThrottle;
import io.sealmail.engine.tls.ServerTls;
import io.sealmail.store.MailStore;
import io.sealmail.store.OutboundQueue;

import java.util.concurrent.ExecutorService;

/**
 * What every protocol listener shares, built once by {@link MailEngine}.
 *
 * @param config       the engine configuration
 * @param serverTls    the server TLS (reloaded when the certificate files change): implicit-TLS handlers and
 *                     STARTTLS upgrades ({@link io.sealmail.engine.tls.StartTls#upgrade}) come from here
 * @param accounts     who may log in and who receives mail (reloaded on change)
 * @param store        local mailboxes
 * @param outbound     mail for other domains, submitted by authenticated users
 * @param connections  open-connection bounds across all listeners
 * @param authThrottle failed logins per client address across all listeners
 * @param authExecutor a small bounded pool for password verification (Argon2id is slow on purpose and must
 *                     never run on an event loop)
 * @param meters       where protocol counters go
 */
public record EngineContext(
        EngineConfig config,
        ServerTls serverTls,
        AccountDirectory accounts,
        MailStore store,
        OutboundQueue outbound,
        ConnectionLimiter connections,
        AuthThrottle authThrottle,
        ExecutorService authExecutor,
        MeterRegistry meters) {
}
