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
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A STORE is acknowledged once its intent and MODSEQ records are durable; {@link FlagRenamer} renames the files
 * afterwards. Here the renamer's turns are held back in a queue the test runs when it chooses, so each test sees the
 * folder between the answer and the renames: what sessions see then, what a kill then leaves after a restart, and
 * what reading, copying, expunging, listing and the snapshot do meanwhile.
 */
class DeferredFlagRenameTest {
    private static final String JOE = "joe@example.com";

    @TempDir
    Path data;

    /** The renamer's turns, held until {@link #runAll}. */
    private static final class HeldTurns extends AbstractExecutorService {
        final List<Runnable> queued = new ArrayList<>();
        boolean shut;

        @Override
        public synchronized void execute(Runnable command) {
            queued.add(command);
        }

        /** Runs the queued turns, and those they queue, until none is left. */
        void runAll() {
            while (true) {
                Runnable next;
                synchronized (this) {
                    if (queued.isEmpty()) {
                        return;
                    }
                    next = queued.remove(0);
                }
                next.run();
            }
        }

        @Override
        public void shutdown() {
            shut = true;
        }

        @Override
        public List<Runnable> shutdownNow() {
            shut = true;
            return List.of();
        }

        @Override
        public boolean isShutdown() {
            return shut;
        }

        @Override
        public boolean isTerminated() {
            return shut;
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) {
            return true;
        }
    }

    private final HeldTurns turns = new HeldTurns();

    /** One engine run whose renames wait in {@link #turns}; not closed: the caller closes it, or "kills" it. */
    private record Run(MaildirStore store, MaildirMailboxAccess access, Mailboxes boxes, MailFolder inbox,
                       MaildirFolder folder) {
        void close() {
            inbox.close();
            access.close();
            store.close();
        }
    }

    private Run start() throws Exception {
        MaildirStore store = new MaildirStore(data);
        MaildirMailboxAccess access = new MaildirMailboxAccess(store, CacheEntryMaker.NONE, 0, new FlagRenamer(turns));
        Mailboxes boxes = access.forAccount(JOE);
        MailFolder inbox = boxes.open("INBOX");
        return new Run(store, access, boxes, inbox, access.folder(store.inbox(JOE), "INBOX", JOE));
    }

    private Path cur() {
        return data.resolve("mail/" + JOE + "/cur");
    }

    private List<String> names() throws Exception {
        try (Stream<Path> s = Files.list(cur())) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private List<String> uidListLines() throws Exception {
        return Files.readAllLines(data.resolve("mail/" + JOE).resolve(UidList.FILE));
    }

    private static List<Long> uids(MailFolder f) throws Exception {
        return f.messages().stream().map(MailFolder.MessageInfo::uid).toList();
    }

    private static List<String> flags(MailFolder f) throws Exception {
        List<String> out = new ArrayList<>();
        for (MailFolder.MessageInfo m : f.messages()) {
            out.add(String.join(" ", new TreeSet<>(m.flags())));
        }
        return out;
    }

    private static void append(Mailboxes boxes, int count) throws Exception {
        for (int i = 0; i < count; i++) {
            boxes.append("INBOX", ("Subject: m" + i + "\r\n\r\nbody " + i + "\r\n").getBytes(), Set.of(), Instant.now());
        }
    }

    @Test
    void theStoreIsAnsweredBeforeTheRenamesAndTheNamesFollow() throws Exception {
        Run run = start();
        append(run.boxes(), 3);
        List<String> before = names();
        run.inbox().store(uids(run.inbox()), MailFolder.FlagChange.ADD, Set.of("\\Seen"));
        assertThat(flags(run.inbox())).as("sessions see the new flags at once").containsOnly("\\Seen");
        assertThat(names()).as("the files are not renamed yet").isEqualTo(before);
        assertThat(uidListLines()).as("the intent is durable, not yet done").contains("I + 1:3 \\Seen").doesNotContain("D");
        assertThat(new String(run.inbox().read(2))).as("a message is read under the name its file has")
                .contains("body 1");
        turns.runAll();
        assertThat(names()).hasSize(3).allSatisfy(n -> assertThat(n).endsWith(":2,S"));
        assertThat(uidListLines()).endsWith("D");
        assertThat(new String(run.inbox().read(2))).contains("body 1");
        run.close();
    }

    @Test
    void flagsSetAndUnsetBeforeTheRenamerCameCostNoRename() throws Exception {
        Run run = start();
        append(run.boxes(), 3);
        List<String> before = names();
        AtomicInteger renamed = new AtomicInteger();
        run.folder().crashPoint(where -> {
            if (where.equals(MaildirFolder.CrashPoint.AFTER_FIRST_RENAME)) {
                renamed.incrementAndGet();
            }
        });
        long modseq = run.inbox().highestModseq();
        run.inbox().store(uids(run.inbox()), MailFolder.FlagChange.ADD, Set.of("\\Seen"));
        run.inbox().store(uids(run.inbox()), MailFolder.FlagChange.REMOVE, Set.of("\\Seen"));
        assertThat(run.inbox().highestModseq()).as("two changes, two MODSEQs").isEqualTo(modseq + 2);
        turns.runAll();
        assertThat(renamed).as("no file was renamed").hasValue(0);
        assertThat(names()).isEqualTo(before);
        assertThat(uidListLines()).as("both intents finished by one D").endsWith("D");
        run.close();
    }

    @Test
    void aFlagUnsetBeforeItsRenameStaysUnsetAfterAKill() throws Exception {
        Run run = start();
        append(run.boxes(), 2);
        run.inbox().store(List.of(1L), MailFolder.FlagChange.ADD, Set.of("\\Seen"));
        // Back to what the name on disk says: no rename, no keyword line, but an intent all the same, or finishing
        // the first change again after a crash would set \Seen again.
        run.inbox().store(List.of(1L), MailFolder.FlagChange.REMOVE, Set.of("\\Seen"));
        run.inbox().store(List.of(2L), MailFolder.FlagChange.REPLACE, Set.of("\\Flagged"));
        run.inbox().store(List.of(2L), MailFolder.FlagChange.REPLACE, Set.of("$Later"));
        List<String> acknowledged = flags(run.inbox());
        turns.queued.clear();
        run.folder().crashPoint(where -> {
            if (where.equals(MaildirFolder.CrashPoint.BEFORE_DONE)) {
                throw new IllegalStateException("killed"); // the stop dies before its D
            }
        });
        run.close();
        assertThat(uidListLines()).doesNotContain("D");
        Run after = start();
        assertThat(acknowledged).containsExactly("", "$Later");
        assertThat(flags(after.inbox())).isEqualTo(acknowledged);
        after.close();
    }

    @Test
    void aRenamerFarBehindMakesTheStoreRenameItself() throws Exception {
        Run run = start();
        append(run.boxes(), 3);
        for (int i = 0; i < MaildirFolder.MAX_PENDING_INTENTS + 5; i++) {
            run.inbox().store(uids(run.inbox()), i % 2 == 0 ? MailFolder.FlagChange.ADD : MailFolder.FlagChange.REMOVE,
                    Set.of("\\Seen"));
        }
        List<String> lines = uidListLines();
        int run0 = 0;
        int longest = 0;
        for (String l : lines) {
            run0 = l.equals("D") ? 0 : l.startsWith("I ") ? run0 + 1 : run0;
            longest = Math.max(longest, run0);
        }
        assertThat(longest).as("intents pending at once, the renamer's turns held back all along")
                .isEqualTo(MaildirFolder.MAX_PENDING_INTENTS);
        assertThat(lines).contains("D");
        assertThat(names()).as("the 32nd STORE (a -FLAGS) settled in its own thread: the names say unset, as it left them")
                .noneMatch(n -> n.endsWith(":2,S"));
        run.close();
    }

    @Test
    void aKillDuringTheRenamesLeavesTheAcknowledgedFlagsAfterTheRestart() throws Exception {
        Run run = start();
        append(run.boxes(), 4);
        run.inbox().store(List.of(1L, 2L, 3L), MailFolder.FlagChange.ADD, Set.of("\\Seen", "Work"));
        // Keywords alone while that intent is pending: an intent too, or finishing the first again would put Work back.
        run.inbox().store(List.of(2L), MailFolder.FlagChange.REMOVE, Set.of("Work"));
        run.inbox().store(List.of(4L), MailFolder.FlagChange.ADD, Set.of("\\Flagged"));
        long acknowledged = run.inbox().highestModseq();
        List<Long> modseqs = run.inbox().messages().stream().map(MailFolder.MessageInfo::modseq).toList();
        // The process dies right after the first rename: the stop renames message 1 and is "killed" there.
        turns.queued.clear();
        run.folder().crashPoint(where -> {
            if (where.equals(MaildirFolder.CrashPoint.AFTER_FIRST_RENAME)) {
                throw new IllegalStateException("killed");
            }
        });
        run.close();
        assertThat(names().stream().filter(n -> n.endsWith(":2,S"))).as("one file renamed before the kill").hasSize(1);
        assertThat(uidListLines()).doesNotContain("D");

        Run after = start();
        assertThat(flags(after.inbox())).containsExactly("Work \\Seen", "\\Seen", "Work \\Seen", "\\Flagged");
        assertThat(names()).as("finished at the first listing").satisfiesExactly(
                n -> assertThat(n).endsWith(":2,S"), n -> assertThat(n).endsWith(":2,S"),
                n -> assertThat(n).endsWith(":2,S"), n -> assertThat(n).endsWith(":2,F"));
        assertThat(after.inbox().highestModseq()).as("acknowledged MODSEQs kept: nothing changed behind them")
                .isEqualTo(acknowledged);
        assertThat(after.inbox().messages().stream().map(MailFolder.MessageInfo::modseq).toList()).isEqualTo(modseqs);
        assertThat(uidListLines()).endsWith("D");
        after.close();
        assertThat(uidListLines().stream().filter(l -> l.startsWith("I "))).hasSize(3);
    }

    @Test
    void aStopRenamesWhatIsLeftBeforeItsSnapshot() throws Exception {
        Run run = start();
        append(run.boxes(), 3);
        run.inbox().store(uids(run.inbox()), MailFolder.FlagChange.ADD, Set.of("\\Answered"));
        assertThat(run.folder().writeSnapshot()).as("no snapshot while intents are pending").isFalse();
        run.close(); // the turns never ran: the stop renames in its own thread
        assertThat(names()).allSatisfy(n -> assertThat(n).endsWith(":2,R"));
        assertThat(uidListLines()).endsWith("D");
    }

    @Test
    void aFileRenamedBetweenLookingItUpAndOpeningItIsFoundUnderItsNewName() throws Exception {
        Run run = start();
        append(run.boxes(), 2);
        run.inbox().store(List.of(2L), MailFolder.FlagChange.ADD, Set.of("\\Seen"));
        AtomicInteger opens = new AtomicInteger();
        String body = run.folder().read(2, file -> {
            if (opens.getAndIncrement() == 0) {
                turns.runAll(); // the renamer's turn comes between the lookup and the open
            }
            return Files.readString(file);
        });
        assertThat(body).contains("body 1");
        assertThat(opens).as("the old name failed once, the new one was read").hasValue(2);
        run.close();
    }

    @Test
    void copyExpungeAndAListingWhileRenamesArePending() throws Exception {
        Run run = start();
        append(run.boxes(), 4);
        run.boxes().create("Projects");
        run.inbox().store(uids(run.inbox()), MailFolder.FlagChange.ADD, Set.of("\\Seen"));
        MailFolder.CopyResult copied = run.inbox().copy(List.of(1L), "Projects");
        assertThat(copied.targetUids()).hasSize(1);
        assertThat(run.inbox().expunge(List.of(2L))).containsExactly(2L);
        run.folder().relist(); // e.g. a file another program removed: the listing finishes the intent itself
        assertThat(flags(run.inbox())).containsExactly("\\Seen", "\\Seen", "\\Seen");
        assertThat(names()).hasSize(3).allSatisfy(n -> assertThat(n).endsWith(":2,S"));
        assertThat(uidListLines()).endsWith("D");
        turns.runAll(); // nothing left for it
        assertThat(names()).hasSize(3).allSatisfy(n -> assertThat(n).endsWith(":2,S"));
        try (MailFolder archive = run.boxes().open("Projects")) {
            assertThat(flags(archive)).containsExactly("\\Seen");
            assertThat(new String(archive.read(copied.targetUids().get(0)))).contains("body 0");
        }
        run.close();
    }
}
