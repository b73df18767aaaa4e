package io.sealmail.store.maildir;

import io.sealmail.store.MaildirStore;
import io.sealmail.store.Spool;
import io.sealmail.store.mailbox.MailFolder;
import io.sealmail.store.mailbox.MailboxException;
import io.sealmail.store.mailbox.Mailboxes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The mailboxes of the Maildirs the store delivers into: UIDs, flags in names, folders, restarts. */
class MaildirMailboxAccessTest {
    @TempDir
    Path dir;

    private static void deliver(MaildirStore store, String account, String text) throws Exception {
        try (Spool spool = store.createSpool()) {
            spool.write(ByteBuffer.wrap(text.replace("\n", "\r\n").getBytes()));
            store.deliver(spool, "sender@example.com", List.of(account)).get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void folderNamesAreStoredInTheOneSafeNameEncoding() throws Exception {
        try (MaildirStore store = new MaildirStore(dir); MaildirMailboxAccess access = new MaildirMailboxAccess(store)) {
            Mailboxes boxes = access.forAccount("joe@example.com");
            boxes.create("Projects");
            boxes.create("Projects/v1.2 100% {draft}");
            java.nio.file.Path root = store.inbox("joe@example.com");
            // '.' is Maildir++'s separator on disk and '%' the escape: both escaped, everything else kept (SafeName).
            assertThat(root.resolve(".Projects.v1%2E2 100%25 {draft}")).isDirectory();
            assertThat(boxes.list().stream().map(Mailboxes.MailboxInfo::name)).contains("Projects/v1.2 100% {draft}");
        }
    }

    @Test
    void uidsAndFlagsSurviveARestartAndAreNeverReused() throws Exception {
        long validity;
        try (MaildirStore store = new MaildirStore(dir)) {
            MaildirMailboxAccess access = new MaildirMailboxAccess(store);
            deliver(store, "joe@example.com", "Subject: one\n\nbody one\n");
            deliver(store, "joe@example.com", "Subject: two\n\nbody two\n");
            Mailboxes boxes = access.forAccount("joe@example.com");
            try (MailFolder inbox = boxes.open("INBOX")) {
                validity = inbox.uidValidity();
                assertThat(inbox.messages()).extracting(MailFolder.MessageInfo::uid).containsExactly(1L, 2L);
                inbox.store(List.of(1L), MailFolder.FlagChange.ADD, Set.of("\\Seen", "\\Flagged", "Important"));
                inbox.store(List.of(2L), MailFolder.FlagChange.ADD, Set.of("\\Deleted"));
                assertThat(inbox.expunge(List.of(2L))).containsExactly(2L);
                assertThat(new String(inbox.read(1L))).contains("Return-Path: <sender@example.com>").contains("body one");
            }
            access.close();
        }
        // flags are in the Maildir names, as other Maildir tools expect
        try (Stream<Path> cur = Files.list(dir.resolve("mail/joe@example.com/cur"))) {
            assertThat(cur.map(p -> p.getFileName().toString())).singleElement().satisfies(n -> assertThat(n).endsWith(":2,FS"));
        }
        try (MaildirStore store = new MaildirStore(dir)) {
            MaildirMailboxAccess access = new MaildirMailboxAccess(store);
            deliver(store, "joe@example.com", "Subject: three\n\nbody three\n");
            try (MailFolder inbox = access.forAccount("joe@example.com").open("INBOX")) {
                assertThat(inbox.uidValidity()).isEqualTo(validity);
                List<MailFolder.MessageInfo> msgs = inbox.messages();
                assertThat(msgs).extracting(MailFolder.MessageInfo::uid).containsExactly(1L, 3L);
                assertThat(msgs.get(0).flags()).containsExactlyInAnyOrder("\\Seen", "\\Flagged", "Important");
                assertThat(msgs.get(1).flags()).isEmpty();
            }
            access.close();
        }
    }

    @Test
    void foldersSpecialUseCopyMoveAppendAndNotifications() throws Exception {
        try (MaildirStore store = new MaildirStore(dir)) {
            MaildirMailboxAccess access = new MaildirMailboxAccess(store);
            Mailboxes boxes = access.forAccount("ann@example.com");
            assertThat(boxes.list()).extracting(Mailboxes.MailboxInfo::name)
                    .containsExactly("INBOX", "Archive", "Drafts", "Junk", "Sent", "Trash");
            assertThat(boxes.list()).filteredOn(m -> m.name().equals("Trash")).singleElement()
                    .satisfies(m -> assertThat(m.specialUse()).isEqualTo("\\Trash"));
            boxes.create("Work");
            boxes.create("Work/Projects.2026");
            assertThat(boxes.list()).extracting(Mailboxes.MailboxInfo::name).contains("Work", "Work/Projects.2026");
            assertThatThrownBy(() -> boxes.create("Work")).isInstanceOf(MailboxException.class);
            Mailboxes.AppendResult appended = boxes.append("Work", "Subject: a\r\n\r\nx\r\n".getBytes(), Set.of("\\Seen"), Instant.now());
            assertThat(appended.uid()).isEqualTo(1);
            assertThatThrownBy(() -> boxes.append("Nope", new byte[1], Set.of(), Instant.now()))
                    .isInstanceOfSatisfying(MailboxException.class, e -> assertThat(e.code()).isEqualTo("TRYCREATE"));
            try (MailFolder work = boxes.open("Work"); MailFolder inbox = boxes.open("INBOX")) {
                CountDownLatch arrived = new CountDownLatch(1);
                inbox.onChange(arrived::countDown);
                deliver(store, "ann@example.com", "Subject: pushed\n\nhi\n");
                assertThat(arrived.await(2, TimeUnit.SECONDS)).as("delivery noticed by the poll").isTrue();
                MailFolder.CopyResult moved = work.move(List.of(1L), "Archive");
                assertThat(moved.targetUids()).containsExactly(1L);
                assertThat(work.messages()).isEmpty();
                try (MailFolder archive = boxes.open("Archive")) {
                    assertThat(archive.messages()).singleElement().satisfies(m -> assertThat(m.flags()).contains("\\Seen"));
                }
            }
            boxes.rename("Work", "Play");
            assertThat(boxes.list()).extracting(Mailboxes.MailboxInfo::name).contains("Play", "Play/Projects.2026")
                    .doesNotContain("Work");
            boxes.delete("Play/Projects.2026");
            assertThat(boxes.list()).extracting(Mailboxes.MailboxInfo::name).doesNotContain("Play/Projects.2026");
            access.close();
        }
    }

    @Test
    void listingIsKeptInMemoryAndReplacedOnlyWhenSomethingChanges() throws Exception {
        try (MaildirStore store = new MaildirStore(dir)) {
            MaildirMailboxAccess access = new MaildirMailboxAccess(store);
            deliver(store, "kim@example.com", "Subject: one\n\nbody\n");
            try (MailFolder inbox = access.forAccount("kim@example.com").open("INBOX")) {
                List<MailFolder.MessageInfo> first = inbox.messages();
                assertThat(first).hasSize(1);
                assertThat(inbox.messages()).as("nothing changed: the same list, no directory listing").isSameAs(first);
                deliver(store, "kim@example.com", "Subject: two\n\nbody\n");
                List<MailFolder.MessageInfo> second = inbox.messages();
                assertThat(second).isNotSameAs(first).extracting(MailFolder.MessageInfo::uid).containsExactly(1L, 2L);
                inbox.store(List.of(2L), MailFolder.FlagChange.ADD, Set.of("\\Seen"));
                assertThat(inbox.messages().get(1).flags()).containsExactly("\\Seen");
                assertThat(inbox.messages().get(1).size()).isEqualTo(second.get(1).size());
            }
            access.close();
        }
    }

    @Test
    void uidsAskedTwiceAndOutOfOrderAreChangedOnceWithOneModseq() throws Exception {
        try (MaildirStore store = new MaildirStore(dir)) {
            MaildirMailboxAccess access = new MaildirMailboxAccess(store);
            for (int i = 1; i <= 4; i++) {
                deliver(store, "kim@example.com", "Subject: " + i + "\n\nbody\n");
            }
            try (MailFolder inbox = access.forAccount("kim@example.com").open("INBOX")) {
                assertThat(inbox.messages()).hasSize(4);
                // Ascending at first (no duplicate table), then out of order and repeated (the table starts there).
                inbox.store(List.of(1L, 3L, 3L, 1L, 2L, 3L), MailFolder.FlagChange.ADD, Set.of("\\Flagged"));
                List<MailFolder.MessageInfo> now = inbox.messages();
                assertThat(now).extracting(m -> m.flags().contains("\\Flagged")).containsExactly(true, true, true, false);
                long modseq = inbox.highestModseq();
                assertThat(now.subList(0, 3)).allSatisfy(m -> assertThat(m.modseq()).isEqualTo(modseq));
                assertThat(now.get(3).modseq()).isLessThan(modseq);
                inbox.store(List.of(2L, 2L), MailFolder.FlagChange.REMOVE, Set.of("\\Flagged"));
                assertThat(inbox.messages()).extracting(m -> m.flags().contains("\\Flagged"))
                        .containsExactly(true, false, true, false);
                assertThat(inbox.highestModseq()).as("one change, one MODSEQ").isEqualTo(modseq + 1);
            }
            access.close();
        }
    }

    @Test
    void newIsListedOnlyWhenItsModificationTimeSaysItMayHaveChanged() throws Exception {
        try (MaildirStore store = new MaildirStore(dir)) {
            MaildirMailboxAccess access = new MaildirMailboxAccess(store);
            deliver(store, "lou@example.com", "Subject: one\n\nbody\n");
            Path newDir = dir.resolve("mail/lou@example.com/new");
            try (MailFolder inbox = access.forAccount("lou@example.com").open("INBOX")) {
                assertThat(inbox.messages()).hasSize(1);
                // A directory last changed long ago: after one more listing, it is not listed again while its time
                // stays the same. A file slipped in with the time put back is therefore not seen (this is what
                // makes a command cost a stat, not a read of every block of a large, empty new/) ...
                FileTime settled = FileTime.from(Instant.now().minusSeconds(10));
                Files.setLastModifiedTime(newDir, settled);
                List<MailFolder.MessageInfo> listed = inbox.messages();
                Files.writeString(newDir.resolve("1700000000.M1P1.other:2,"), "Subject: slipped in\r\n\r\nbody\r\n");
                Files.setLastModifiedTime(newDir, settled);
                assertThat(inbox.messages()).isSameAs(listed).hasSize(1);
                // ... while any real change to new/ moves its time, and everything in it is found.
                deliver(store, "lou@example.com", "Subject: two\n\nbody\n");
                assertThat(inbox.messages()).hasSize(3);
                try (Stream<Path> left = Files.list(newDir)) {
                    assertThat(left).isEmpty();
                }
            }
            access.close();
        }
    }

    @Test
    void aMessageReadIntoABufferIsTheSameOctetsAsReadIntoAnArray() throws Exception {
        try (MaildirStore store = new MaildirStore(dir)) {
            MaildirMailboxAccess access = new MaildirMailboxAccess(store);
            deliver(store, "max@example.com", "Subject: small\n\nbody\n");
            deliver(store, "max@example.com", "Subject: large\n\n" + "0123456789abcdef".repeat(20_000) + "\n");
            try (MailFolder inbox = access.forAccount("max@example.com").open("INBOX")) {
                for (MailFolder.MessageInfo m : inbox.messages()) {
                    byte[] expected = inbox.read(m.uid());
                    io.netty.buffer.ByteBuf buf = inbox.read(m.uid(), io.netty.buffer.PooledByteBufAllocator.DEFAULT);
                    try {
                        assertThat(buf.readableBytes()).isEqualTo(expected.length).isEqualTo((int) m.size());
                        assertThat(io.netty.buffer.ByteBufUtil.getBytes(buf)).isEqualTo(expected);
                    } finally {
                        buf.release();
                    }
                }
                inbox.store(List.of(2L), MailFolder.FlagChange.ADD, Set.of("\\Seen"));
                io.netty.buffer.ByteBuf renamed = inbox.read(2L, io.netty.buffer.PooledByteBufAllocator.DEFAULT);
                assertThat(renamed.readableBytes()).as("read after a flag change renamed the file").isGreaterThan(320_000);
                renamed.release();
                inbox.expunge(List.of(1L));
                assertThatThrownBy(() -> inbox.read(1L, io.netty.buffer.PooledByteBufAllocator.DEFAULT))
                        .isInstanceOf(MailboxException.class);
            }
            access.close();
        }
    }

    @Test
    void concurrentFirstLoginsOfOneAccountAllSucceed() throws Exception {
        try (MaildirStore store = new MaildirStore(dir)) {
            MaildirMailboxAccess access = new MaildirMailboxAccess(store);
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
            List<java.util.concurrent.Future<Mailboxes>> logins = new java.util.ArrayList<>();
            for (int i = 0; i < 16; i++) {
                logins.add(pool.submit(() -> access.forAccount("new@example.com")));
            }
            for (java.util.concurrent.Future<Mailboxes> f : logins) {
                assertThat(f.get(10, TimeUnit.SECONDS).list()).extracting(Mailboxes.MailboxInfo::name)
                        .containsExactly("INBOX", "Archive", "Drafts", "Junk", "Sent", "Trash");
            }
            pool.shutdown();
            assertThat(Files.readAllLines(dir.resolve("mail/new@example.com/subscriptions")))
                    .containsExactlyInAnyOrder("Sent", "Drafts", "Trash", "Junk", "Archive");
            access.close();
        }
    }

    @Test
    void aRestartListsCurAgainAndOfTwoFilesWithOneNameTheFirstInNameOrderKeepsTheUid() throws Exception {
        try (MaildirStore store = new MaildirStore(dir)) {
            MaildirMailboxAccess access = new MaildirMailboxAccess(store);
            for (int i = 1; i <= 5; i++) {
                deliver(store, "kim@example.com", "Subject: " + i + "\n\nbody " + i + "\n");
            }
            try (MailFolder inbox = access.forAccount("kim@example.com").open("INBOX")) {
                assertThat(inbox.messages()).hasSize(5);
                inbox.store(List.of(2L, 4L), MailFolder.FlagChange.ADD, Set.of("\\Seen", "$Work"));
            }
            access.close();
        }
        Path cur = dir.resolve("mail/kim@example.com/cur");
        Path second;
        try (Stream<Path> s = Files.list(cur)) {
            second = s.filter(p -> p.getFileName().toString().endsWith(":2,S")).sorted().findFirst().orElseThrow();
        }
        // Another tool copies message 2 under the same unique name with other flags; ":2,FS" sorts before ":2,S",
        // so the copy keeps UID 2 (and its keywords) and the original is the one that gets a new UID.
        String base = second.getFileName().toString().substring(0, second.getFileName().toString().indexOf(':'));
        Files.copy(second, cur.resolve(base + ":2,FS"));
        try (MaildirStore store = new MaildirStore(dir)) {
            MaildirMailboxAccess access = new MaildirMailboxAccess(store);
            try (MailFolder inbox = access.forAccount("kim@example.com").open("INBOX")) {
                List<MailFolder.MessageInfo> msgs = inbox.messages();
                assertThat(msgs).extracting(MailFolder.MessageInfo::uid).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
                assertThat(msgs.get(1).flags()).as("the first name keeps UID 2").containsExactlyInAnyOrder("\\Seen", "\\Flagged", "$Work");
                assertThat(msgs.get(3).flags()).containsExactlyInAnyOrder("\\Seen", "$Work");
                assertThat(msgs.get(0).flags()).isEmpty();
                assertThat(msgs.get(5).flags()).as("the other: a new UID, the flags of its name").containsExactly("\\Seen");
                assertThat(new String(inbox.read(6L))).contains("body 2");
                assertThat(inbox.cached(1L)).as("no maker: made on first use").isNull();
            }
            access.close();
        }
    }
}
