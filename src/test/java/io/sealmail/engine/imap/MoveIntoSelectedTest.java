package io.sealmail.engine.imap;

import io.netty.channel.embedded.EmbeddedChannel;
import io.sealmail.store.MaildirStore;
import io.sealmail.store.Spool;
import io.sealmail.store.mailbox.MailboxAccess;
import io.sealmail.store.maildir.MaildirMailboxAccess;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * RFC 6851 §3.3: MOVE into the selected mailbox itself is allowed (Dovecot does it): the messages get new UIDs at
 * the end, the old ones are expunged, and the session goes on. On both backends, the in-memory one the command
 * tables use and the production Maildir store.
 */
class MoveIntoSelectedTest {
    private static final String[] MESSAGES = {
            "From: ann@example.com\r\nSubject: first\r\n\r\none\r\n",
            "From: bob@example.com\r\nSubject: second\r\n\r\ntwo\r\n"};

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"memory", "maildir"})
    void moveIntoTheSelectedMailbox(String backend) throws Exception {
        MaildirStore store = null;
        MailboxAccess access;
        if (backend.equals("memory")) {
            MemoryMailboxAccess memory = new MemoryMailboxAccess();
            for (String m : MESSAGES) {
                memory.deliver("joe@example.com", m);
            }
            access = memory;
        } else {
            store = new MaildirStore(dir);
            for (String m : MESSAGES) {
                try (Spool spool = store.createSpool()) {
                    spool.write(ByteBuffer.wrap(m.getBytes()));
                    store.deliver(spool, "sender@example.com", List.of("joe@example.com")).get(10, TimeUnit.SECONDS);
                }
            }
            access = new MaildirMailboxAccess(store, MessageSummary.CACHE_ENTRIES);
        }
        try {
            AccessContext context = new AccessContext("mail.example.com", new TestAccounts(Map.of("joe@example.com", "secret")),
                    access, null, Runnable::run, ImapLimits.DEFAULTS, Duration.ZERO);
            Transcript t = new Transcript(new EmbeddedChannel(new ImapCommandDecoder(context.limits()), new ImapSession(context, false)));
            assertThat(t.output()).startsWith("* OK");
            t.expect("a LOGIN joe@example.com secret", "a OK");
            String select = t.send("b SELECT INBOX");
            assertThat(select).contains("* 2 EXISTS").endsWith("b OK [READ-WRITE] SELECT completed\r\n");
            Matcher v = Pattern.compile("UIDVALIDITY (\\d+)").matcher(select);
            assertThat(v.find()).isTrue();

            String moved = t.send("c UID MOVE 1 INBOX");
            assertThat(moved).doesNotContain("SERVERBUG")
                    .contains("* OK [COPYUID " + v.group(1) + " 1 3] Moved\r\n")
                    .contains("* 1 EXPUNGE\r\n")
                    .endsWith("c OK UID MOVE completed\r\n");
            // The moved message is the last one now, under its new UID; the other is untouched.
            String fetched = t.send("d FETCH 1:* (UID BODY.PEEK[HEADER.FIELDS (SUBJECT)])");
            assertThat(fetched).contains("* 1 FETCH (UID 2 ").contains("Subject: second")
                    .contains("* 2 FETCH (UID 3 ").contains("Subject: first")
                    .doesNotContain("* 3 FETCH").endsWith("d OK FETCH completed\r\n");
            assertThat(t.send("e UID MOVE 9 INBOX")).isEqualTo("e OK UID MOVE completed; nothing to do\r\n");
        } finally {
            if (access instanceof AutoCloseable c) {
                c.close();
            }
            if (store != null) {
                store.close();
            }
        }
    }
}
