package io.sealmail.engine.imap;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.sealmail.config.ConfigException;
import io.sealmail.config.Listener;
import io.sealmail.engine.EngineContext;
import io.sealmail.engine.pop3.Pop3LineDecoder;
import io.sealmail.engine.pop3.Pop3Session;
import io.sealmail.store.MaildirStore;
import io.sealmail.store.mailbox.MailboxAccess;
import io.sealmail.store.maildir.MaildirMailboxAccess;

import java.time.Duration;

/** The IMAP and POP3 listener factories registered in {@link io.sealmail.engine.ListenerProtocols}. */
public final class MailAccessProtocols {
    /** RFC 9051 §5.4: an autologout timer of at least 30 minutes, IDLE included; the limits say how long. */
    static MailAccessChannelInitializer.Protocol imapProtocol(ImapLimits limits) {
        return new MailAccessChannelInitializer.Protocol("* BYE [UNAVAILABLE] Too many connections", limits.idleTimeout(),
                "decoder", () -> new ImapCommandDecoder(limits), ImapSession::new);
    }

    /** RFC 1939 §3: an autologout timer of at least 10 minutes. */
    static final MailAccessChannelInitializer.Protocol POP3 = new MailAccessChannelInitializer.Protocol(
            "-ERR [SYS/TEMP] Too many connections", Duration.ofMinutes(10),
            "framer", () -> new Pop3LineDecoder(Pop3LineDecoder.MAX_LINE), Pop3Session::new);

    private MailAccessProtocols() {
    }

    public static ChannelInitializer<Channel> imap(Listener listener, EngineContext engine) {
        AccessContext context = AccessContext.from(engine, listener.role(), mailboxes(engine, listener));
        return new MailAccessChannelInitializer(context, listener.role().implicitTls(), imapProtocol(context.limits()));
    }

    public static ChannelInitializer<Channel> pop3(Listener listener, EngineContext engine) {
        AccessContext context = AccessContext.from(engine, listener.role(), mailboxes(engine, listener));
        return new MailAccessChannelInitializer(context, listener.role().implicitTls(), POP3);
    }

    /**
     * The mailbox access of an engine's store, made once per engine by {@link io.sealmail.engine.MailEngine} (which
     * closes it): a store that offers it itself, or the Maildir view of the production {@link MaildirStore}.
     * Null when the store offers none.
     */
    public static MailboxAccess access(io.sealmail.store.MailStore store, java.util.List<AutoCloseable> owned) {
        if (store instanceof MailboxAccess access) {
            return access;
        }
        if (store instanceof MaildirStore maildir) {
            MaildirMailboxAccess access = new MaildirMailboxAccess(maildir, MessageSummary.CACHE_ENTRIES);
            owned.add(access);
            return access;
        }
        return null;
    }

    /** The store must offer mailbox access (folders, UIDs, flags), not only delivery. */
    static MailboxAccess mailboxes(EngineContext engine, Listener listener) {
        if (engine.mailboxes() != null) {
            return engine.mailboxes();
        }
        throw new ConfigException("listener " + listener.role().id() + ": the mail store of this build offers no mailbox access");
    }
}
