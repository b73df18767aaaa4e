package io.sealmail.engine.imap;

import io.netty.channel.embedded.EmbeddedChannel;
import io.sealmail.store.MaildirStore;
import io.sealmail.store.maildir.MaildirMailboxAccess;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The production Maildir store under {@code dir} (account joe@example.com, password "secret", the IMAP message cache)
 * and in-process IMAP sessions over it: what the transcript tests of SORT, THREAD and CONDSTORE start from.
 */
final class MaildirImapStore implements AutoCloseable {
    final MaildirStore store;
    final MaildirMailboxAccess access;
    final AccessContext context;

    MaildirImapStore(Path dir) throws IOException {
        store = new MaildirStore(dir);
        access = new MaildirMailboxAccess(store, MessageSummary.CACHE_ENTRIES);
        context = new AccessContext("mail.example.com", new TestAccounts(Map.of("joe@example.com", "secret")),
                access, null, Runnable::run, ImapLimits.DEFAULTS, Duration.ZERO);
    }

    /** A new session, its greeting not yet read. */
    Transcript connect() {
        return new Transcript(new EmbeddedChannel(new ImapCommandDecoder(context.limits()), new ImapSession(context, false)));
    }

    @Override
    public void close() {
        access.close();
        store.close();
    }
}
