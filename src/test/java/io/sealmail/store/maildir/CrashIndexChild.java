package io.sealmail.store.maildir;

import io.sealmail.store.MaildirStore;
import io.sealmail.store.mailbox.CacheEntryMaker;
import io.sealmail.store.mailbox.MailFolder;
import io.sealmail.store.mailbox.Mailboxes;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * Run in a child JVM by {@link MailboxIndexCrashTest}: flag changes and expunges on one folder, forever, with the
 * index compacting every few changes and the folder's snapshot written every 25 changes (its {@code cur/} made to
 * look quiet first: see {@link #ageCur}). Before each change it prints {@code TRY}, after it returns (the moment IMAP
 * would answer OK) {@code ACK} with the MODSEQ; the parent kills it with SIGKILL.
 */
public final class CrashIndexChild {
    private static final List<String> FLAGS = List.of("\\Seen", "\\Flagged", "\\Answered", "$Label1");

    public static void main(String[] args) throws Exception {
        MaildirStore store = new MaildirStore(Path.of(args[0]));
        MaildirMailboxAccess access = new MaildirMailboxAccess(store, CacheEntryMaker.NONE, 0);
        Path dir = store.inbox("crash@example.com");
        Mailboxes boxes = access.forAccount("crash@example.com");
        MailFolder inbox = boxes.open("INBOX");
        Random random = new Random();
        inbox.messages();
        boolean restored = access.folder(dir, "INBOX", "crash@example.com").restoredFromSnapshot();
        while (inbox.messages().size() < 40) {
            boxes.append("INBOX", ("Subject: crash " + random.nextInt() + "\r\n\r\nbody\r\n").getBytes(), Set.of(), Instant.now());
        }
        System.out.println("READY " + restored);
        System.out.flush();
        for (int changes = 1; ; changes++) {
            if (changes % 25 == 0) {
                ageCur(dir);
                System.out.println("SNAP " + access.folder(dir, "INBOX", "crash@example.com").writeSnapshot());
            }
            List<MailFolder.MessageInfo> msgs = inbox.messages();
            MailFolder.MessageInfo m = msgs.get(random.nextInt(msgs.size()));
            if (random.nextInt(20) == 0) {
                System.out.println("XTRY " + m.uid());
                System.out.flush();
                inbox.expunge(List.of(m.uid()));
                System.out.println("XACK " + m.uid() + " " + inbox.highestModseq());
                boxes.append("INBOX", ("Subject: more " + random.nextInt() + "\r\n\r\nbody\r\n").getBytes(), Set.of(), Instant.now());
            } else {
                Set<String> flags = new TreeSet<>();
                for (String f : FLAGS) {
                    if (random.nextBoolean()) {
                        flags.add(f);
                    }
                }
                System.out.println("TRY " + m.uid() + " " + String.join(",", flags));
                System.out.flush();
                inbox.store(List.of(m.uid()), MailFolder.FlagChange.REPLACE, flags);
                long modseq = 0;
                for (MailFolder.MessageInfo now : inbox.messages()) {
                    if (now.uid() == m.uid()) {
                        modseq = now.modseq();
                    }
                }
                System.out.println("ACK " + m.uid() + " " + String.join(",", flags) + " " + modseq + " " + inbox.highestModseq());
            }
            System.out.flush();
        }
    }

    /**
     * Sets {@code cur/}'s modification time 10 s back, as if the last change were that old, so that a snapshot can be
     * written now (it is anchored only on a time at least {@link FolderSnapshot#QUIET_MILLIS} old). This process is
     * the only one changing the folder, and each of its changes also lengthens a log, so nothing is hidden by it.
     */
    static void ageCur(Path folder) throws java.io.IOException {
        Path cur = folder.resolve("cur");
        java.nio.file.Files.setLastModifiedTime(cur, java.nio.file.attribute.FileTime.from(Instant.now().minusSeconds(10)));
    }

    private CrashIndexChild() {
    }
}
