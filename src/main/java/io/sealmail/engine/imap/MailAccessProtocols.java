package io.sealmail.engine.imap;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.sealmail.config.ConfigException;
import io.sealmail.config.Listener;
import io.sealmail.engine.EngineContext;
import io.sealmail.engine.pop3.Pop3LineDecoder;
import io.sealmail.engine.pop3.Pop3Session;
import io.sealmail.store.MaildirStore;

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

    private static final java.util.Map<MaildirStore, MaildirMailboxAccess> MAILDIRS =
            java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

    /** The store must offer mailbox access (folders, UIDs, flags), not only delivery. */
    static MailboxAccess mailboxes(EngineContext engine, Listener listener) {
        if (engine.store() instanceof MailboxAccess access) {
            return access;
        }
        if (engine.store() instanceof MaildirStore maildir) {
            // One access object per store, shared by all IMAP and POP3 listeners (folder state and listeners).
            return MAILDIRS.computeIfAbsent(maildir, MaildirMailboxAccess::new);
        }
        throw new ConfigException("listener " + listener.role().id() + ": the mail store of this build offers no mailbox access");
    }
}
