package io.sealmail.store.maildir;

import io.sealmail.store.MaildirStore;
import io.sealmail.store.mailbox.MailFolder;
import io.sealmail.store.mailbox.Mailboxes;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * Run in a child JVM by {@link FlagChangeRollForwardTest}: three messages get {@code \Seen Work}, acknowledged
 * ({@code ACK <modseq>}), then a STORE of {@code \Flagged Home} on all three stops between its two writes (the file
 * renames and the UID-list lines), says {@code AT} and waits there for the parent's SIGKILL.
 */
public final class FlagWriteGapChild {
    public static void main(String[] args) throws Exception {
        MaildirStore store = new MaildirStore(Path.of(args[0]));
        MaildirMailboxAccess access = new MaildirMailboxAccess(store);
        Mailboxes boxes = access.forAccount("gap@example.com");
        MailFolder inbox = boxes.open("INBOX");
        for (int i = 0; i < 3; i++) {
            boxes.append("INBOX", ("Subject: gap " + i + "\r\n\r\nbody\r\n").getBytes(), Set.of(), Instant.now());
        }
        inbox.store(FlagChangeRollForwardTest.uids(inbox), MailFolder.FlagChange.REPLACE, FlagChangeRollForwardTest.OLD);
        System.out.println("ACK " + inbox.highestModseq());
        System.out.flush();
        access.folder(store.inbox("gap@example.com"), "INBOX", "gap@example.com").crashPoint(where -> {
            if (where.equals(MaildirFolder.CrashPoint.BETWEEN_FLAG_WRITES)) {
                System.out.println("AT " + where);
                System.out.flush();
                try {
                    new CountDownLatch(1).await(); // until the parent's SIGKILL
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        inbox.store(FlagChangeRollForwardTest.uids(inbox), MailFolder.FlagChange.REPLACE, FlagChangeRollForwardTest.NEW);
        System.out.println("DONE (not expected: the parent kills this process first)");
    }

    private FlagWriteGapChild() {
    }
}
