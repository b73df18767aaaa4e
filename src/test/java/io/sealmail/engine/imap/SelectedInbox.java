package io.sealmail.engine.imap;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.params.provider.Arguments;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A fresh in-memory account (INBOX with {@link ImapSessionTest#MULTIPART} as message 1 and a plain message 2, the
 * standard folders), logged in with INBOX selected: what each row of the command tables starts from.
 */
final class SelectedInbox {
    static final String PLAIN = "From: carol@example.com\nSubject: second\n\nplain body\n";

    private SelectedInbox() {
    }

    static Transcript open() {
        MemoryMailboxAccess store = new MemoryMailboxAccess();
        try {
            store.deliver("joe@example.com", ImapSessionTest.MULTIPART);
            store.deliver("joe@example.com", PLAIN);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        AccessContext context = new AccessContext("mail.example.com", new TestAccounts(Map.of("joe@example.com", "secret")),
                store, null, Runnable::run, ImapLimits.DEFAULTS.withMaxLiteralSize(10_000), Duration.ZERO);
        Transcript t = new Transcript(new EmbeddedChannel(new ImapCommandDecoder(context.limits()), new ImapSession(context, false)));
        assertThat(t.output()).startsWith("* OK");
        t.expect("a LOGIN joe@example.com secret", "a OK");
        assertThat(t.send("b SELECT INBOX")).endsWith("b OK [READ-WRITE] SELECT completed\r\n");
        return t;
    }

    /** A table row: what it shows, the command, and the whole answer (lines joined with CRLF, a final CRLF added). */
    static Arguments row(String shows, String command, String... answer) {
        return Arguments.of(shows, command, String.join("\r\n", answer) + "\r\n");
    }
}
