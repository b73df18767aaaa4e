package io.sealmail.engine;

import io.netty.channel.Channel;
import io.sealmail.config.EngineConfig;
import io.sealmail.config.Role;
import io.sealmail.engine.auth.AccountDirectory;
import io.sealmail.engine.auth.AuthThrottle;
import io.sealmail.engine.auth.LoginGate;
import io.sealmail.engine.proxy.ProxyProtocolInitializer;
import io.sealmail.engine.smtp.MessageAuthentication;
import io.sealmail.engine.tls.ServerTls;
import io.sealmail.store.MailStore;
import io.sealmail.store.OutboundQueue;
import io.sealmail.store.mailbox.MailboxAccess;

import java.net.InetAddress;
import java.net.InetSocketAddress;
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
 * @param metrics      the engine's meters (connections, messages, logins, TLS), exported at /metrics
 * @param logins       every protocol's login check: throttle, cache, hashing on {@code authExecutor}, failure delay
 * @param mailboxes    folders, UIDs and flags of the store for IMAP and POP3 ({@link MailboxAccess}), or
 *                     null when the store offers none
 * @param mailWorkers  where IMAP and POP3 sessions run their commands (disk work) off the event loops: a session
 *                     holds one thread at a time, and none while idle, hashing or waiting out a failure delay
 * @param mailAuth     DKIM signing on submission and SPF/DKIM/DMARC checks on port 25, on a pool of their own
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
        MailMetrics metrics,
        LoginGate logins,
        MailboxAccess mailboxes,
        ExecutorService mailWorkers,
        MessageAuthentication mailAuth) {

    /**
     * Takes a connection slot for the channel's client on a listener of {@code role}: false (counted as refused)
     * when over the engine-wide or per-address bound. An admitted connection is counted open until it closes, when
     * its slot is freed.
     */
    public boolean admit(Channel channel, Role role) {
        InetAddress client = clientAddress(channel);
        if (!connections.tryAcquire(client)) {
            metrics.connectionRefused(role);
            return false;
        }
        metrics.connectionOpened(role);
        channel.closeFuture().addListener(f -> {
            connections.release(client);
            metrics.connectionClosed(role);
        });
        return true;
    }

    /** The client: the one a trusted proxy's PROXY header named, else the connection's peer. */
    public static InetAddress clientAddress(Channel channel) {
        InetAddress proxied = ProxyProtocolInitializer.proxiedClient(channel);
        if (proxied != null) {
            return proxied;
        }
        return channel.remoteAddress() instanceof InetSocketAddress isa && isa.getAddress() != null
                ? isa.getAddress() : InetAddress.getLoopbackAddress();
    }
}
