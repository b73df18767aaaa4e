package io.sealmail.engine.imap;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.sealmail.config.ConfigException;
import io.sealmail.config.Listener;
import io.sealmail.engine.EngineContext;
import io.sealmail.engine.pop3.Pop3ChannelInitializer;
import io.sealmail.store.MaildirStore;

/** The IMAP and POP3 listener factories registered in {@link io.sealmail.engine.ListenerProtocols}. */
public final class MailAccessProtocols {
    private MailAccessProtocols() {
    }

    public static ChannelInitializer<Channel> imap(Listener listener, EngineContext engine) {
        return new ImapChannelInitializer(AccessContext.from(engine, listener.role(), mailboxes(engine, listener)), listener.role().implicitTls());
    }

    public static ChannelInitializer<Channel> pop3(Listener listener, EngineContext engine) {
        return new Pop3ChannelInitializer(AccessContext.from(engine, listener.role(), mailboxes(engine, listener)), listener.role().implicitTls());
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
