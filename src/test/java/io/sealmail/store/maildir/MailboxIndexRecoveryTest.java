package io.sealmail.store.maildir;

import io.sealmail.store.MaildirStore;
import io.sealmail.store.Spool;
import io.sealmail.store.mailbox.CacheEntryMaker;
import io.sealmail.store.mailbox.MailFolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The folder index against the Maildir it describes: MODSEQs across restarts, and a file added by hand, a file
 * deleted by hand, a lost index and a lost cache each found and put right on the next start.
 */
class MailboxIndexRecoveryTest {
    @TempDir
    Path dir;

    private Path inbox() {
        return dir.resolve("mail/joe@example.com");
    }

    private static void deliver(MaildirStore store, String text) throws Exception {
        try (Spool spool = store.createSpool()) {
            spool.write(ByteBuffer.wrap(text.replace("\n", "\r\n").getBytes()));
            store.deliver(spool, "sender@example.com", List.of("joe@example.com")).get(10, TimeUnit.SECONDS);
        }
    }

    /** Runs {@code work} on INBOX in a fresh store and access, as after a restart. */
    private <T> T withInbox(Work<T> work) throws Exception {
        try (MaildirStore store = new MaildirStore(dir)) {
            MaildirMailboxAccess access = new MaildirMailboxAccess(store, HEADERS);
            try (MailFolder inbox = access.forAccount("joe@example.com").open("INBOX")) {
                return work.run(store, inbox);
            } finally {
                access.close();
            }
        }
    }

    /** A protocol's cache entries, as the store sees them: opaque octets made from the message (here its header). */
    static final CacheEntryMaker HEADERS = message -> {
        String text = new String(message, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        return ByteBuffer.wrap(text.substring(0, end < 0 ? text.length() : end + 2).getBytes(StandardCharsets.ISO_8859_1));
    };

    private static String text(ByteBuffer entry) {
        return StandardCharsets.ISO_8859_1.decode(entry.duplicate()).toString();
    }

    interface Work<T> {
        T run(MaildirStore store, MailFolder inbox) throws Exception;
    }

    private long setUp() throws Exception {
        return withInbox((store, inbox) -> {
            deliver(store, "Subject: one\nFrom: Ann <ann@example.com>\n\nbody one\n");
            deliver(store, "Subject: two\n\nbody two\n");
            deliver(store, "Subject: three\n\nbody three\n");
            assertThat(inbox.messages()).hasSize(3);
            inbox.store(List.of(2L), MailFolder.FlagChange.ADD, Set.of("\\Seen", "Work"));
            return inbox.highestModseq();
        });
    }

    @Test
    void modseqsSurviveARestartAndOnlyChangesMoveThem() throws Exception {
        long highest = setUp();
        assertThat(highest).isPositive();
        withInbox((store, inbox) -> {
            assertThat(inbox.highestModseq()).isEqualTo(highest);
            List<MailFolder.MessageInfo> msgs = inbox.messages();
            assertThat(msgs.get(1).modseq()).isEqualTo(highest);
            assertThat(msgs.get(0).modseq()).isLessThan(highest);
            inbox.store(List.of(2L), MailFolder.FlagChange.ADD, Set.of("\\Seen"));
            assertThat(inbox.highestModseq()).as("a STORE that changes nothing").isEqualTo(highest);
            inbox.store(List.of(1L), MailFolder.FlagChange.ADD, Set.of("\\Flagged"));
            assertThat(inbox.messages().get(0).modseq()).isEqualTo(highest + 1);
            assertThat(inbox.store(List.of(1L, 2L), MailFolder.FlagChange.ADD, Set.of("\\Answered"), highest))
                    .as("UNCHANGEDSINCE: message 1 changed after it").containsExactly(1L);
            assertThat(inbox.messages().get(1).flags()).contains("\\Answered");
            assertThat(inbox.messages().get(0).flags()).doesNotContain("\\Answered");
            return null;
        });
    }

    @Test
    void aFileAddedByHandAndOneDeletedByHandArePickedUp() throws Exception {
        long highest = setUp();
        Path cur = inbox().resolve("cur");
        Path first;
        try (Stream<Path> s = Files.list(cur)) {
            first = s.sorted().findFirst().orElseThrow();
        }
        Files.delete(first);
        Files.writeString(cur.resolve("1700000000.byhand.host:2,S"), "Subject: by hand\r\n\r\nbody\r\n");
        withInbox((store, inbox) -> {
            List<MailFolder.MessageInfo> msgs = inbox.messages();
            assertThat(msgs).extracting(MailFolder.MessageInfo::uid).containsExactly(2L, 3L, 4L);
            assertThat(msgs.get(2).flags()).containsExactly("\\Seen");
            assertThat(msgs.get(2).modseq()).isGreaterThan(highest);
            assertThat(inbox.expungedSince(highest)).containsExactly(1L);
            assertThat(inbox.read(4L)).asString().contains("Subject: by hand");
            assertThat(inbox.cached(4L)).as("not delivered through the store: made on first use").isNull();
            return null;
        });
    }

    @Test
    void aLostIndexAndALostCacheAreRebuiltWithModseqsAboveAnyShownBefore() throws Exception {
        long highest = setUp();
        String entry = withInbox((store, inbox) -> text(inbox.cached(1L)));
        assertThat(entry).as("made when the delivery was first seen").contains("From: Ann <ann@example.com>");
        assertThat(Files.size(inbox().resolve(MessageCache.FILE))).isPositive();
        Files.delete(inbox().resolve(MailboxIndex.FILE));
        Files.write(inbox().resolve(MessageCache.FILE), new byte[] {1, 2, 3});
        withInbox((store, inbox) -> {
            List<MailFolder.MessageInfo> msgs = inbox.messages();
            assertThat(msgs).extracting(MailFolder.MessageInfo::uid).containsExactly(1L, 2L, 3L);
            assertThat(msgs.get(1).flags()).containsExactlyInAnyOrder("\\Seen", "Work");
            assertThat(msgs).allSatisfy(m -> assertThat(m.modseq()).isGreaterThan(highest));
            assertThat(inbox.expungedSince(highest)).as("no history: the caller reports what it cannot find").isNull();
            assertThat(inbox.cached(1L)).isNull();
            inbox.cache(1L, HEADERS.entryOf(inbox.read(1L)));
            assertThat(text(inbox.cached(1L))).contains("From: Ann <ann@example.com>");
            assertThat(inbox.cached(1L)).isNotNull();
            return null;
        });
    }

    @Test
    void aFlagChangedByAnotherToolGetsANewModseq() throws Exception {
        long highest = setUp();
        Path cur = inbox().resolve("cur");
        try (Stream<Path> s = Files.list(cur)) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if (n.endsWith(":2,")) {
                    Files.move(p, cur.resolve(n + "F"));
                }
            }
        }
        withInbox((store, inbox) -> {
            assertThat(inbox.messages()).filteredOn(m -> m.flags().contains("\\Flagged"))
                    .allSatisfy(m -> assertThat(m.modseq()).isGreaterThan(highest)).hasSize(2);
            assertThat(inbox.messages().get(1).modseq()).isEqualTo(highest);
            return null;
        });
    }

    @Test
    void aLineTornByAKillIsCutSoTheNextUidLineIsNotGluedToIt() throws Exception {
        setUp();
        Path uids = dir.resolve("mail/joe@example.com/sealmail-uids");
        // A kill during an append of a keyword line: part of a line, no newline, never acknowledged.
        Files.write(uids, "2 1700000000.M1P1Q1.torn $La".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                java.nio.file.StandardOpenOption.APPEND);
        List<Long> before = withInbox((store, inbox) -> {
            deliver(store, "Subject: four\n\nbody four\n");
            return inbox.messages().stream().map(MailFolder.MessageInfo::uid).toList();
        });
        assertThat(before).hasSize(4);
        List<Long> after = withInbox((store, inbox) -> inbox.messages().stream().map(MailFolder.MessageInfo::uid).toList());
        assertThat(after).isEqualTo(before);
    }

    /** A first line emptied, overwritten or with one character changed: the folder opens, anew, with every message. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"", "\u0001\u0002garbage\n1 x\n", "V 17964X7272 1\n"})
    void aDamagedFirstLineOfTheUidListGivesANewUidValidityAndKeepsEveryMessage(String damage) throws Exception {
        setUp();
        // A folder made long ago (its UIDVALIDITY the clock's seconds then), so the new one cannot be the same second.
        Path uids = inbox().resolve(UidList.FILE);
        String list = Files.readString(uids, StandardCharsets.UTF_8);
        Files.writeString(uids, "V 1000000000 1" + list.substring(list.indexOf('\n')), StandardCharsets.UTF_8);
        for (String f : List.of(MailboxIndex.FILE, MessageCache.FILE, FolderSnapshot.FILE)) {
            Files.deleteIfExists(inbox().resolve(f));
        }
        long before = withInbox((store, inbox) -> inbox.uidValidity());
        assertThat(before).isEqualTo(1000000000L);
        byte[] old = Files.readAllBytes(uids);
        Files.writeString(uids, damage.isEmpty() ? "" : damage + new String(old, StandardCharsets.UTF_8).substring(
                new String(old, StandardCharsets.UTF_8).indexOf('\n') + 1), StandardCharsets.ISO_8859_1);
        withInbox((store, inbox) -> {
            assertThat(inbox.uidValidity()).as("UIDs start again under a new UIDVALIDITY").isNotEqualTo(before);
            assertThat(inbox.messages()).hasSize(3);
            assertThat(inbox.messages()).extracting(MailFolder.MessageInfo::uid).containsExactly(1L, 2L, 3L);
            assertThat(inbox.messages().get(1).flags()).contains("\\Seen");
            deliver(store, "Subject: four\n\nbody four\n");
            assertThat(inbox.messages()).hasSize(4);
            return null;
        });
        assertThat(inbox().resolve(UidList.FILE + ".damaged")).exists();
        int after = withInbox((store, inbox) -> inbox.messages().size());
        assertThat(after).isEqualTo(4);
    }

    /** A first line with something after its two numbers is read as before, not taken for damage. */
    @Test
    void aFirstLineWithMoreAfterItsNumbersKeepsTheUidValidity() throws Exception {
        setUp();
        long before = withInbox((store, inbox) -> inbox.uidValidity());
        Path uids = inbox().resolve(UidList.FILE);
        String list = Files.readString(uids, StandardCharsets.UTF_8);
        int eol = list.indexOf('\n');
        Files.writeString(uids, list.substring(0, eol) + " later-field" + list.substring(eol), StandardCharsets.UTF_8);
        withInbox((store, inbox) -> {
            assertThat(inbox.uidValidity()).isEqualTo(before);
            assertThat(inbox.messages()).extracting(MailFolder.MessageInfo::uid).containsExactly(1L, 2L, 3L);
            return null;
        });
        assertThat(inbox().resolve(UidList.FILE + ".damaged")).doesNotExist();
    }

    /** The UID list's last lines lost (a restored backup, a cut by hand): UIDs already shown are not given out again. */
    @Test
    void aUidListThatLostItsEndGivesNoUidOutTwice() throws Exception {
        setUp();
        withInbox((store, inbox) -> inbox.expunge(List.of(3L)));
        Path uids = inbox().resolve(UidList.FILE);
        List<String> lines = Files.readAllLines(uids);
        Files.write(uids, lines.stream().filter(l -> !l.startsWith("3 ") && !l.startsWith("I ") && !l.equals("D"))
                .map(l -> l + "\n").collect(java.util.stream.Collectors.joining()).getBytes(StandardCharsets.UTF_8));
        withInbox((store, inbox) -> {
            deliver(store, "Subject: four\n\nbody four\n");
            assertThat(inbox.messages()).extracting(MailFolder.MessageInfo::uid).containsExactly(1L, 2L, 4L);
            return null;
        });
    }

    /** The cache may be deleted while the engine runs; cut shorter under its mapping, it is opened again at the next look. */
    @Test
    void aCacheCutShorterWhileMappedIsOpenedAgainAndItsEntriesMadeAgain() throws Exception {
        withInbox((store, inbox) -> {
            String big = "X-Pad: " + "p".repeat(990) + "\n";
            for (int i = 0; i < 40; i++) { // 40 entries of about 10 KB: past the 256 KiB after which the file is mapped
                deliver(store, "Subject: m" + i + "\n" + big.repeat(10) + "\nbody\n");
            }
            assertThat(inbox.messages()).hasSize(40);
            for (long uid = 1; uid <= 40; uid++) {
                assertThat(inbox.cached(uid)).as("uid %d", uid).isNotNull();
            }
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(inbox().resolve(MessageCache.FILE),
                    java.nio.file.StandardOpenOption.WRITE)) {
                ch.truncate(4096);
            }
            // The next command's look at the folder sees the file cut, before anything reads past its new end.
            assertThat(inbox.messages()).hasSize(40);
            assertThat(inbox.cached(30L)).as("past the new end: gone, without a fault").isNull();
            assertThat(inbox.cached(31L)).isNull();
            inbox.cache(30L, HEADERS.entryOf(inbox.read(30L)));
            assertThat(text(inbox.cached(30L))).contains("Subject: m29");
            return null;
        });
    }

    /**
     * Files added, deleted and renamed in cur/ by hand while the folder is open are seen at its next look, as
     * Dovecot sees them (cur/'s time moved), not only after a restart.
     */
    @Test
    void handEditsInCurWhileTheFolderIsOpenAreSeenAtItsNextLook() throws Exception {
        long highest = setUp();
        withInbox((store, inbox) -> {
            assertThat(inbox.messages()).extracting(MailFolder.MessageInfo::uid).containsExactly(1L, 2L, 3L);
            Path cur = inbox().resolve("cur");
            List<Path> files;
            try (Stream<Path> s = Files.list(cur)) {
                files = s.sorted().toList();
            }
            Thread.sleep(20); // past the clock tick of our own last change of cur/ (see MaildirFolder.curKnown)
            Files.delete(files.get(0)); // UID 1
            String third = files.get(2).getFileName().toString(); // UID 3, no flags
            Files.move(files.get(2), cur.resolve(third + "F"));
            Files.writeString(cur.resolve("1700000001.byhand.host:2,S"), "Subject: by hand\r\n\r\nbody\r\n");
            List<MailFolder.MessageInfo> msgs = inbox.messages();
            assertThat(msgs).extracting(MailFolder.MessageInfo::uid).containsExactly(2L, 3L, 4L);
            assertThat(msgs.get(1).flags()).containsExactly("\\Flagged");
            assertThat(msgs.get(1).modseq()).isGreaterThan(highest);
            assertThat(msgs.get(2).flags()).containsExactly("\\Seen");
            assertThat(inbox.expungedSince(highest)).containsExactly(1L);
            // Our own changes after it are not taken for another program's: no listing, the state goes on.
            inbox.store(List.of(2L), MailFolder.FlagChange.ADD, Set.of("\\Answered"));
            assertThat(inbox.messages().get(0).flags()).contains("\\Answered", "\\Seen");
            return null;
        });
    }
}
