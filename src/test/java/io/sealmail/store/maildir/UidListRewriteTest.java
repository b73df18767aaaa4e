package io.sealmail.store.maildir;

import io.sealmail.store.MaildirStore;
import io.sealmail.store.mailbox.CacheEntryMaker;
import io.sealmail.store.mailbox.MailFolder;
import io.sealmail.store.mailbox.Mailboxes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The UID list grows with every flag change (intents, their {@code D}, keyword lines) and keeps the lines of expunged
 * messages; past twice its messages plus a slack it is written whole, one line per message, and says the same.
 */
class UidListRewriteTest {
    private static final String JOE = "joe@example.com";

    @TempDir
    Path data;

    private interface Work<T> {
        T run(Mailboxes boxes, MailFolder inbox, MaildirFolder folder) throws Exception;
    }

    private <T> T run(Work<T> work) throws Exception {
        try (MaildirStore store = new MaildirStore(data);
             MaildirMailboxAccess access = new MaildirMailboxAccess(store, CacheEntryMaker.NONE, 0, FlagRenamer.inline())) {
            Mailboxes boxes = access.forAccount(JOE);
            try (MailFolder inbox = boxes.open("INBOX")) {
                MaildirFolder folder = access.folder(store.inbox(JOE), "INBOX", JOE);
                folder.uidListSlack(10);
                return work.run(boxes, inbox, folder);
            }
        }
    }

    private List<String> lines() throws Exception {
        return Files.readAllLines(data.resolve("mail/" + JOE).resolve(UidList.FILE));
    }

    /** Everything a client can see of the folder, for comparing before and after. */
    private static String state(MailFolder f) throws Exception {
        StringBuilder sb = new StringBuilder().append(f.uidValidity()).append(' ').append(f.uidNext()).append(' ')
                .append(f.highestModseq());
        for (MailFolder.MessageInfo m : f.messages()) {
            sb.append('|').append(m.uid()).append(' ').append(new java.util.TreeSet<>(m.flags())).append(' ')
                    .append(m.modseq());
        }
        return sb.toString();
    }

    @Test
    void aListTwiceItsLengthPlusAMebibyteIsWrittenWholeWhateverItsLineCount() throws Exception {
        java.util.Set<String> many = new java.util.TreeSet<>();
        for (int k = 0; k < 100; k++) {
            many.add("keyword-of-some-length-" + k);
        }
        run((boxes, inbox, folder) -> {
            folder.uidListSlack(1_000_000); // only the length can set it off
            boxes.append("INBOX", "Subject: one\r\n\r\nbody\r\n".getBytes(), Set.of(), Instant.now());
            long before = Files.size(data.resolve("mail/" + JOE).resolve(UidList.FILE));
            for (int i = 0; i < 400; i++) { // about 3 KB a line: 1.2 MB appended
                inbox.store(List.of(1L), i % 2 == 0 ? MailFolder.FlagChange.ADD : MailFolder.FlagChange.REMOVE, many);
            }
            assertThat(before).isLessThan(1000);
            return null;
        });
        assertThat(Files.size(data.resolve("mail/" + JOE).resolve(UidList.FILE))).as("written whole past 1 MiB")
                .isLessThan(1 << 20);
    }

    @Test
    void aListOfMostlyHistoryIsWrittenWholeAndSaysTheSame() throws Exception {
        String before = run((boxes, inbox, folder) -> {
            for (int i = 0; i < 5; i++) {
                boxes.append("INBOX", ("Subject: m" + i + "\r\n\r\nbody\r\n").getBytes(), Set.of(), Instant.now());
            }
            inbox.store(List.of(2L), MailFolder.FlagChange.ADD, Set.of("$Work", "\\Flagged"));
            inbox.expunge(List.of(3L));
            for (int i = 0; i < 12; i++) {
                inbox.store(List.of(1L), i % 2 == 0 ? MailFolder.FlagChange.ADD : MailFolder.FlagChange.REMOVE,
                        Set.of("\\Seen"));
                inbox.store(List.of(4L), i % 2 == 0 ? MailFolder.FlagChange.ADD : MailFolder.FlagChange.REMOVE,
                        Set.of("Later"));
            }
            return state(inbox);
        });
        List<String> lines = lines();
        assertThat(lines.size() - 1).as("at most twice the messages plus the slack after its last rewrite: %s", lines)
                .isLessThanOrEqualTo(2 * 4 + 10);
        assertThat(lines).as("written whole at least once: fewer lines than the 5 + 2 + 12 * 3 appended")
                .hasSizeLessThan(1 + 5 + 2 + 36);
        assertThat(lines).as("the expunged message's line is gone").noneMatch(l -> l.startsWith("3 "));
        assertThat(data.resolve("mail/" + JOE).resolve(UidList.FILE + ".tmp")).doesNotExist();
        String after = run((boxes, inbox, folder) -> {
            String s = state(inbox);
            assertThat(boxes.append("INBOX", "Subject: six\r\n\r\nbody\r\n".getBytes(), Set.of(), Instant.now()).uid())
                    .as("UIDs are never given again").isEqualTo(6L);
            return s;
        });
        assertThat(after).isEqualTo(before);
        assertThat(before).contains("|2 [$Work, \\Flagged]").contains("|4 []").contains("|1 []");
    }
}
