package io.sealmail.engine.imap;

import io.sealmail.store.MaildirStore;
import io.sealmail.store.Spool;
import io.sealmail.store.mailbox.MailFolder;
import io.sealmail.store.maildir.MaildirMailboxAccess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A session's view of the selected folder over the Maildir store: shared while unchanged, synced by responses. */
class SelectedMailboxTest {
    @TempDir
    Path dir;

    private static void deliver(MaildirStore store, String account, String text) throws Exception {
        try (Spool spool = store.createSpool()) {
            spool.write(ByteBuffer.wrap(text.replace("\n", "\r\n").getBytes()));
            store.deliver(spool, "sender@example.com", List.of(account)).get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void anIdleSessionSharesTheFolderListInsteadOfCopyingIt() throws Exception {
        try (MaildirStore store = new MaildirStore(dir)) {
            MaildirMailboxAccess access = new MaildirMailboxAccess(store, MessageSummary.CACHE_ENTRIES);
            deliver(store, "lee@example.com", "Subject: one\n\nbody\n");
            deliver(store, "lee@example.com", "Subject: two\n\nbody\n");
            MailFolder inbox = access.forAccount("lee@example.com").open("INBOX");
            try (SelectedMailbox box = new SelectedMailbox(inbox, false, () -> { })) {
                assertThat(box.view()).isSameAs(inbox.messages());
                MailFolder.MessageInfo first = box.get(1);
                box.update(1, new MailFolder.MessageInfo(first.uid(), Set.of("\\Seen"), first.size(), first.internalDate()));
                assertThat(box.view()).isNotSameAs(inbox.messages());
                assertThat(inbox.messages().get(0).flags()).as("the folder's list is untouched").isEmpty();
                assertThat(box.sync(true)).containsExactly("1 FETCH (UID 1 FLAGS ())");
                assertThat(box.view()).isSameAs(inbox.messages());
                deliver(store, "lee@example.com", "Subject: three\n\nbody\n");
                assertThat(box.sync(true)).containsExactly("3 EXISTS");
                assertThat(box.view()).isSameAs(inbox.messages()).hasSize(3);
                // An expunge during FETCH/STORE/SEARCH waits (RFC 9051 §7.5.1), and is not forgotten afterwards.
                inbox.expunge(List.of(2L));
                assertThat(box.sync(false)).isEmpty();
                assertThat(box.sync(false)).isEmpty();
                assertThat(box.size()).isEqualTo(3);
                assertThat(box.sync(true)).containsExactly("2 EXPUNGE");
                assertThat(box.view()).isSameAs(inbox.messages()).hasSize(2);
            }
            access.close();
        }
    }
}
