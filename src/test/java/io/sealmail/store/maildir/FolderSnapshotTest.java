package io.sealmail.store.maildir;

import io.sealmail.store.MaildirStore;
import io.sealmail.store.Spool;
import io.sealmail.store.mailbox.MailFolder;
import io.sealmail.store.mailbox.Mailboxes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The folder snapshot ({@link FolderSnapshot}): a restart restores exactly the state a listing would give, changes
 * after it continue where the logs end, and every way the snapshot can be wrong (a file added, deleted or renamed by
 * hand, a keyword changed, the snapshot cut short, copied from another folder, or anchored on a time too recent to
 * trust) makes the folder be listed again instead.
 */
class FolderSnapshotTest {
    private static final String JOE = "joe@example.com";

    @TempDir
    Path dir;

    private Path inbox() {
        return dir.resolve("mail/" + JOE);
    }

    private static void deliver(MaildirStore store, String text) throws Exception {
        try (Spool spool = store.createSpool()) {
            spool.write(ByteBuffer.wrap(text.replace("\n", "\r\n").getBytes()));
            store.deliver(spool, "sender@example.com", List.of(JOE)).get(10, TimeUnit.SECONDS);
        }
    }

    /** The folder's whole state as sessions see it, for comparing a restored folder with a listed one. */
    record State(long uidValidity, long uidNext, long highestModseq, List<MailFolder.MessageInfo> messages,
                 List<Long> expungedSinceStart, List<Instant> saveDates) {
        static State of(MailFolder f) throws Exception {
            List<MailFolder.MessageInfo> msgs = f.messages();
            return new State(f.uidValidity(), f.uidNext(), f.highestModseq(), List.copyOf(msgs), f.expungedSince(1),
                    msgs.stream().map(m -> f.saveDate(m.uid())).toList());
        }
    }

    interface Work<T> {
        T run(MaildirStore store, Mailboxes boxes, MaildirMailboxAccess access) throws Exception;
    }

    /**
     * One engine run: a fresh store and mailbox component (snapshots for folders of any size, files renamed before a
     * STORE returns), closed at the end.
     */
    private <T> T run(Work<T> work) throws Exception {
        try (MaildirStore store = new MaildirStore(dir);
             // Renames in the STORE's thread: a test that makes cur/ look quiet must not meet a rename after it.
             MaildirMailboxAccess access = new MaildirMailboxAccess(store, MailboxIndexRecoveryTest.HEADERS, 0,
                     FlagRenamer.inline())) {
            return work.run(store, access.forAccount(JOE), access);
        }
    }

    /** The state of INBOX in a fresh run, and whether it came from the snapshot. */
    private record Seen(State state, boolean restored) {
    }

    private Seen inboxState() throws Exception {
        return run((store, boxes, access) -> {
            try (MailFolder inbox = boxes.open("INBOX")) {
                State s = State.of(inbox);
                return new Seen(s, folder(access, inbox()).restoredFromSnapshot());
            }
        });
    }

    private static MaildirFolder folder(MaildirMailboxAccess access, Path dir) {
        return access.folder(dir, "INBOX", JOE);
    }

    /**
     * Lets time pass for {@code cur/} without waiting: its modification time is set 10 s back, as if the last change
     * were that old, so that a snapshot may be anchored on it.
     */
    private static void quiet(Path folder) throws Exception {
        Path cur = folder.resolve("cur");
        Files.setLastModifiedTime(cur, FileTime.from(Files.getLastModifiedTime(cur).toInstant().minusSeconds(10)));
    }

    /**
     * Five messages with system flags and keywords, one expunged, then the run ends with cur/ quiet, so its close
     * writes the snapshot.
     */
    private State setUp() throws Exception {
        return run((store, boxes, access) -> {
            for (int i = 1; i <= 5; i++) {
                deliver(store, "Subject: m" + i + "\n\nbody " + i + "\n");
            }
            try (MailFolder inbox = boxes.open("INBOX")) {
                assertThat(inbox.messages()).hasSize(5);
                inbox.store(List.of(1L, 2L), MailFolder.FlagChange.ADD, Set.of("\\Seen"));
                inbox.store(List.of(2L, 4L), MailFolder.FlagChange.ADD, Set.of("$Work", "\\Flagged"));
                inbox.expunge(List.of(3L));
                quiet(inbox());
                return State.of(inbox);
            }
        });
    }

    /**
     * The MODSEQ log cut shorter (by hand, or restored from an older copy) replays to a lower HIGHESTMODSEQ, which
     * looks like a log torn by a crash: the snapshot, stale now, still says what was shown, and nothing goes below it.
     */
    @Test
    void aModseqLogCutShorterNeverTakesModseqOrUidsBelowWhatTheSnapshotRecorded() throws Exception {
        setUp();
        long shown = run((store, boxes, access) -> {
            try (MailFolder inbox = boxes.open("INBOX")) {
                return inbox.highestModseq();
            }
        });
        Path log = inbox().resolve(MailboxIndex.FILE);
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(log, java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() / 2);
        }
        run((store, boxes, access) -> {
            try (MailFolder inbox = boxes.open("INBOX")) {
                assertThat(inbox.highestModseq()).isGreaterThan(shown);
                assertThat(inbox.messages()).extracting(MailFolder.MessageInfo::uid).containsExactly(1L, 2L, 4L, 5L);
                assertThat(inbox.messages()).allSatisfy(m -> assertThat(m.modseq()).isGreaterThan(shown));
                inbox.store(List.of(5L), MailFolder.FlagChange.ADD, Set.of("\\Answered"));
                assertThat(inbox.messages().get(3).modseq()).isGreaterThan(shown);
                deliver(store, "Subject: m6\n\nbody 6\n");
                assertThat(inbox.messages().get(4).uid()).as("above every UID shown").isEqualTo(6L);
            }
            return null;
        });
    }

    /** SELECT's FLAGS come from the flag sets in use: restored, from the snapshot's column, without an entry each. */
    @Test
    void theFlagSetsInUseAreTheSameRestoredAndListed() throws Exception {
        setUp();
        java.util.function.Function<Boolean, java.util.Set<java.util.Set<String>>> sets = deleteSnapshot -> {
            try {
                if (deleteSnapshot) {
                    FolderSnapshot.delete(inbox());
                }
                return run((store, boxes, access) -> {
                    try (MailFolder inbox = boxes.open("INBOX")) {
                        java.util.Set<java.util.Set<String>> out = new java.util.HashSet<>(inbox.flagSets());
                        assertThat(folder(access, inbox()).restoredFromSnapshot()).isEqualTo(!deleteSnapshot);
                        return out;
                    }
                });
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        java.util.Set<java.util.Set<String>> restored = sets.apply(false);
        assertThat(restored).contains(Set.of("\\Seen", "\\Flagged", "$Work"), Set.of("\\Flagged", "$Work"));
        assertThat(sets.apply(true)).isEqualTo(restored);
    }

    @Test
    void aRestartRestoresExactlyTheStateAListingGives() throws Exception {
        State before = setUp();
        assertThat(inbox().resolve(FolderSnapshot.FILE)).exists();
        Seen restored = inboxState();
        assertThat(restored.restored()).isTrue();
        assertThat(restored.state()).isEqualTo(before);
        assertThat(restored.state().messages().get(1).flags()).containsExactlyInAnyOrder("\\Seen", "\\Flagged", "$Work");
        assertThat(restored.state().expungedSinceStart()).containsExactly(3L);

        FolderSnapshot.delete(inbox());
        Seen listed = inboxState();
        assertThat(listed.restored()).isFalse();
        assertThat(listed.state()).isEqualTo(before);
    }

    @Test
    void changesAfterARestoreContinueTheLogsAndSurviveTheNextStartWithoutTheSnapshot() throws Exception {
        setUp();
        State changed = run((store, boxes, access) -> {
            try (MailFolder inbox = boxes.open("INBOX")) {
                assertThat(inbox.messages()).hasSize(4);
                assertThat(folder(access, inbox()).restoredFromSnapshot()).isTrue();
                long highest = inbox.highestModseq();
                inbox.store(List.of(1L), MailFolder.FlagChange.ADD, Set.of("\\Answered", "$Later"));
                inbox.store(List.of(4L), MailFolder.FlagChange.REMOVE, Set.of("$Work"));
                inbox.expunge(List.of(5L));
                deliver(store, "Subject: m6\n\nbody 6\n");
                assertThat(inbox.messages()).extracting(MailFolder.MessageInfo::uid).containsExactly(1L, 2L, 4L, 6L);
                assertThat(inbox.highestModseq()).isGreaterThan(highest);
                return State.of(inbox);
            }
        });
        // The close just now could not anchor a snapshot on cur/'s fresh time: the old one is stale.
        Seen after = inboxState();
        assertThat(after.restored()).isFalse();
        assertThat(after.state()).isEqualTo(changed);
        FolderSnapshot.delete(inbox());
        assertThat(inboxState().state()).as("the logs alone say the same").isEqualTo(changed);
    }

    @Test
    void aKeywordChangeLeavesCurAloneButStillMakesTheSnapshotStale() throws Exception {
        setUp();
        FileTime curTime = Files.getLastModifiedTime(inbox().resolve("cur"));
        byte[] old = Files.readAllBytes(inbox().resolve(FolderSnapshot.FILE));
        State changed = run((store, boxes, access) -> {
            try (MailFolder inbox = boxes.open("INBOX")) {
                inbox.store(List.of(5L), MailFolder.FlagChange.ADD, Set.of("$Important"));
                return State.of(inbox);
            }
        });
        // The close wrote a new snapshot (cur/ is quiet); put the old one back, as a kill before that close would.
        Files.write(inbox().resolve(FolderSnapshot.FILE), old);
        assertThat(Files.getLastModifiedTime(inbox().resolve("cur"))).as("no rename for a keyword").isEqualTo(curTime);
        Seen after = inboxState();
        assertThat(after.restored()).isFalse();
        assertThat(after.state()).isEqualTo(changed);
        assertThat(after.state().messages().get(3).flags()).containsExactly("$Important");
    }

    @Test
    void aFileAddedByHandIsFound() throws Exception {
        State before = setUp();
        Files.writeString(inbox().resolve("cur/1700000000.byhand.host:2,S"), "Subject: by hand\r\n\r\nbody\r\n");
        Seen after = inboxState();
        assertThat(after.restored()).isFalse();
        assertThat(after.state().messages()).extracting(MailFolder.MessageInfo::uid).containsExactly(1L, 2L, 4L, 5L, 6L);
        assertThat(after.state().messages().get(4).flags()).containsExactly("\\Seen");
        assertThat(after.state().messages().get(4).modseq()).isGreaterThan(before.highestModseq());
    }

    @Test
    void aNameOtherToolsWroteComesBackWhole() throws Exception {
        setUp();
        // Not our naming: no size, no date, not ASCII; its size and date come from the file system.
        Path odd = inbox().resolve("cur/m\u00e4il-\u2713.other:2,S");
        Files.writeString(odd, "Subject: odd\r\n\r\nbody\r\n");
        Files.setLastModifiedTime(odd, FileTime.from(Instant.parse("2020-01-02T03:04:05.678Z")));
        quiet(inbox());
        Seen listed = inboxState();
        assertThat(listed.restored()).isFalse();
        Seen restored = inboxState();
        assertThat(restored.restored()).isTrue();
        assertThat(restored.state()).isEqualTo(listed.state());
        MailFolder.MessageInfo six = restored.state().messages().get(4);
        assertThat(six.internalDate()).isEqualTo(Instant.parse("2020-01-02T03:04:05.678Z"));
        String text = run((store, boxes, access) -> {
            try (MailFolder inbox = boxes.open("INBOX")) {
                return new String(inbox.read(six.uid()));
            }
        });
        assertThat(text).contains("Subject: odd");
    }

    @Test
    void aFileDeletedByHandIsExpunged() throws Exception {
        State before = setUp();
        Files.delete(fileOf(inbox(), 4));
        Seen after = inboxState();
        assertThat(after.restored()).isFalse();
        assertThat(after.state().messages()).extracting(MailFolder.MessageInfo::uid).containsExactly(1L, 2L, 5L);
        assertThat(after.state().expungedSinceStart()).containsExactly(3L, 4L);
        assertThat(after.state().highestModseq()).isGreaterThan(before.highestModseq());
    }

    @Test
    void aFlagRenamedByHandIsFoundWithANewModseq() throws Exception {
        State before = setUp();
        Path file = fileOf(inbox(), 5);
        Files.move(file, file.resolveSibling(file.getFileName() + "T"));
        Seen after = inboxState();
        assertThat(after.restored()).isFalse();
        MailFolder.MessageInfo five = after.state().messages().get(3);
        assertThat(five.flags()).containsExactly("\\Deleted");
        assertThat(five.modseq()).isGreaterThan(before.highestModseq());
    }

    @Test
    void aSnapshotCutShortOrDamagedIsIgnored() throws Exception {
        State before = setUp();
        Path snapshot = inbox().resolve(FolderSnapshot.FILE);
        byte[] whole = Files.readAllBytes(snapshot);
        Files.write(snapshot, java.util.Arrays.copyOf(whole, whole.length / 2));
        Seen cut = inboxState();
        assertThat(cut.restored()).isFalse();
        assertThat(cut.state()).isEqualTo(before);

        // That run listed the folder, and its close (cur/ quiet) wrote the snapshot again.
        assertThat(inboxState().restored()).isTrue();
        byte[] again = Files.readAllBytes(snapshot);
        again[again.length / 2] ^= 0x20;
        Files.write(snapshot, again);
        Seen damaged = inboxState();
        assertThat(damaged.restored()).isFalse();
        assertThat(damaged.state()).isEqualTo(before);
        Files.write(snapshot, new byte[0]);
        assertThat(inboxState().state()).isEqualTo(before);
    }

    @Test
    void aSnapshotFromAnotherFolderIsIgnored() throws Exception {
        State inbox = setUp();
        Path work = inbox().resolve(".Work");
        run((store, boxes, access) -> {
            boxes.create("Work");
            boxes.append("Work", "Subject: w1\r\n\r\nx\r\n".getBytes(), Set.of("\\Seen"), Instant.now());
            boxes.append("Work", "Subject: w2\r\n\r\ny\r\n".getBytes(), Set.of(), Instant.now());
            try (MailFolder w = boxes.open("Work")) {
                assertThat(w.messages()).hasSize(2);
            }
            quiet(work);
            return null;
        });
        assertThat(work.resolve(FolderSnapshot.FILE)).exists();
        Files.copy(work.resolve(FolderSnapshot.FILE), inbox().resolve(FolderSnapshot.FILE),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Seen after = inboxState();
        assertThat(after.restored()).isFalse();
        assertThat(after.state()).isEqualTo(inbox);
    }

    @Test
    void aChangeInTheSameTickAsTheLastOneIsNotMissed() throws Exception {
        setUp();
        // A run that changes cur/ and stops at once: cur/'s time is too recent to anchor a snapshot, so none is
        // written (the one of setUp stays behind, stale).
        byte[] old = Files.readAllBytes(inbox().resolve(FolderSnapshot.FILE));
        run((store, boxes, access) -> {
            try (MailFolder inbox = boxes.open("INBOX")) {
                inbox.store(List.of(5L), MailFolder.FlagChange.ADD, Set.of("\\Seen"));
                assertThat(folder(access, inbox()).writeSnapshot()).as("refused: cur/ changed just now").isFalse();
            }
            return null;
        });
        assertThat(Files.readAllBytes(inbox().resolve(FolderSnapshot.FILE))).isEqualTo(old);
        // Another program renames a file in the same tick: cur/'s time does not move.
        Path cur = inbox().resolve("cur");
        FileTime tick = Files.getLastModifiedTime(cur);
        Path five = fileOf(inbox(), 5);
        Files.move(five, five.resolveSibling(five.getFileName() + "F"));
        Files.setLastModifiedTime(cur, tick);
        Seen after = inboxState();
        assertThat(after.restored()).isFalse();
        assertThat(after.state().messages().get(3).flags()).containsExactlyInAnyOrder("\\Seen", "\\Flagged");
    }

    @Test
    void aSnapshotIsNotWrittenWhileCurDiffersFromWhatThisProcessKnows() throws Exception {
        setUp();
        run((store, boxes, access) -> {
            try (MailFolder inbox = boxes.open("INBOX")) {
                assertThat(inbox.messages()).hasSize(4);
                MaildirFolder folder = folder(access, inbox());
                inbox.store(List.of(5L), MailFolder.FlagChange.ADD, Set.of("\\Answered"));
                // Another program deletes a file while the engine runs; cur/ is then quiet.
                Files.delete(fileOf(inbox(), 1));
                quiet(inbox());
                assertThat(folder.writeSnapshot()).isFalse();
                assertThat(inbox.messages()).as("the next look lists cur/ again")
                        .extracting(MailFolder.MessageInfo::uid).containsExactly(2L, 4L, 5L);
                quiet(inbox());
                assertThat(folder.writeSnapshot()).isTrue();
            }
            return null;
        });
        Seen after = inboxState();
        assertThat(after.restored()).isTrue();
        assertThat(after.state().messages()).extracting(MailFolder.MessageInfo::uid).containsExactly(2L, 4L, 5L);
        assertThat(after.state().messages().get(2).flags()).containsExactly("\\Answered");
    }

    /** The file of the message with UID {@code uid} (the n-th delivered, as the five of setUp). */
    private Path fileOf(Path folder, long uid) throws Exception {
        List<String> lines = Files.readAllLines(folder.resolve(UidList.FILE));
        String base = lines.stream().skip(1).map(l -> l.split(" ")).filter(p -> Long.parseLong(p[0]) == uid)
                .map(p -> p[1]).findFirst().orElseThrow();
        try (Stream<Path> s = Files.list(folder.resolve("cur"))) {
            return s.filter(p -> p.getFileName().toString().startsWith(base + ":")).findFirst().orElseThrow();
        }
    }

    @Test
    void aTornUidListLineAnchorsNoSnapshot() throws Exception {
        setUp();
        run((store, boxes, access) -> {
            try (MailFolder inbox = boxes.open("INBOX")) {
                inbox.store(List.of(5L), MailFolder.FlagChange.ADD, Set.of("\\Seen"));
                // An append that failed half-way (disk full): part of a line, no newline, never acknowledged.
                Files.write(inbox().resolve(UidList.FILE), "9 torn".getBytes(), StandardOpenOption.APPEND);
                quiet(inbox());
                assertThat(folder(access, inbox()).writeSnapshot()).isFalse();
            }
            return null;
        });
        Seen after = inboxState();
        assertThat(after.restored()).isFalse();
        assertThat(after.state().messages()).extracting(MailFolder.MessageInfo::uid).containsExactly(1L, 2L, 4L, 5L);
        assertThat(after.state().messages().get(3).flags()).containsExactly("\\Seen");
        assertThat(inboxState().restored()).as("the open cut the torn line; that run's close wrote one again").isTrue();
    }
}
