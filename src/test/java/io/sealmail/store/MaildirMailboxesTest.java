package io.sealmail.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.sealmail.store.StoreTestFiles.files;
import static io.sealmail.store.StoreTestFiles.spool;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MaildirMailboxesTest {
    @TempDir
    Path data;

    private static byte[] msg(String s) {
        return ("Subject: " + s + "\r\n\r\n" + s + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void specialUseFoldersExistAndFoldersCanBeManaged() throws Exception {
        try (MaildirStore store = new MaildirStore(data)) {
            MaildirMailboxes boxes = store.mailboxes("Alice@Example.com");
            assertThat(boxes.list()).extracting(MaildirMailboxes.FolderInfo::name)
                    .containsExactly("INBOX", "Archive", "Drafts", "Junk", "Sent", "Trash");
            assertThat(boxes.list()).filteredOn(f -> f.name().equals("Sent")).first()
                    .extracting(MaildirMailboxes.FolderInfo::specialUse).isEqualTo("\\Sent");
            assertThat(Files.isDirectory(data.resolve("mail/alice@example.com/.Sent/cur"))).isTrue();
            assertThat(Files.exists(data.resolve("mail/alice@example.com/.Sent/maildirfolder"))).isTrue();

            boxes.create("Work");
            boxes.create("Work/2024.q1");
            assertThat(Files.isDirectory(data.resolve("mail/alice@example.com/.Work.2024%2Eq1/cur"))).isTrue();
            assertThatThrownBy(() -> boxes.create("work".equals("x") ? "" : "Work"))
                    .isInstanceOf(MailboxStoreException.class).extracting("code").isEqualTo("ALREADYEXISTS");
            assertThatThrownBy(() -> boxes.delete("inbox")).extracting("code").isEqualTo("CANNOT");
            assertThatThrownBy(() -> boxes.delete("Work")).extracting("code").isEqualTo("CANNOT");
            assertThatThrownBy(() -> boxes.open("Nope")).extracting("code").isEqualTo("NONEXISTENT");
            assertThatThrownBy(() -> boxes.append("Nope", msg("x"), Set.of(), null)).extracting("code").isEqualTo("TRYCREATE");
            assertThatThrownBy(() -> boxes.create("a//b")).extracting("code").isEqualTo("CANNOT");

            long uid = boxes.open("Work/2024.q1").append(msg("kept"), Set.of(Flag.SEEN), null);
            long validity = boxes.open("Work/2024.q1").uidValidity();
            boxes.rename("Work", "Jobs");
            assertThat(boxes.list()).extracting(MaildirMailboxes.FolderInfo::name).contains("Jobs", "Jobs/2024.q1")
                    .doesNotContain("Work", "Work/2024.q1");
            MaildirFolder moved = boxes.open("Jobs/2024.q1");
            assertThat(moved.uidValidity()).isEqualTo(validity);
            assertThat(moved.messages()).extracting(MaildirFolder.Message::uid).containsExactly(uid);
            boxes.delete("Jobs/2024.q1");
            boxes.delete("Jobs");
            assertThat(boxes.list()).extracting(MaildirMailboxes.FolderInfo::name).doesNotContain("Jobs");
        }
    }

    @Test
    void uidsFlagsAndValidityAreDurableAcrossRestart() throws Exception {
        long validity;
        List<MaildirFolder.Message> before;
        try (MaildirStore store = new MaildirStore(data)) {
            MaildirFolder inbox = store.mailboxes("bob@x").open("INBOX");
            validity = inbox.uidValidity();
            Instant date = Instant.parse("2024-01-02T03:04:05Z");
            long a = inbox.append(msg("a"), EnumSet.of(Flag.DRAFT), date);
            long b = inbox.append(msg("b"), Set.of(), null);
            long c = inbox.append(msg("c"), Set.of(), null);
            assertThat(List.of(a, b, c)).containsExactly(1L, 2L, 3L);
            inbox.setFlags(List.of(b, c), MaildirFolder.FlagChange.ADD, EnumSet.of(Flag.SEEN, Flag.FLAGGED));
            inbox.setFlags(List.of(c), MaildirFolder.FlagChange.REMOVE, EnumSet.of(Flag.FLAGGED));
            assertThat(inbox.expunge(List.of(a, 99L))).containsExactly(a);
            before = inbox.messages();
            assertThat(before).extracting(MaildirFolder.Message::uid).containsExactly(2L, 3L);
            assertThat(before.get(0).flags()).containsExactlyInAnyOrder(Flag.SEEN, Flag.FLAGGED);
            assertThat(before.get(1).flags()).containsExactly(Flag.SEEN);
            assertThat(new String(inbox.read(b), StandardCharsets.US_ASCII)).contains("Subject: b");
            assertThat(files(data.resolve("mail/bob@x/cur"))).extracting(p -> p.getFileName().toString())
                    .anyMatch(n -> n.endsWith(":2,FS")).anyMatch(n -> n.endsWith(":2,S"));
            assertThat(inbox.uidNext()).isEqualTo(4);
        }
        try (MaildirStore store = new MaildirStore(data)) {
            MaildirFolder inbox = store.mailboxes("bob@x").open("INBOX");
            assertThat(inbox.uidValidity()).isEqualTo(validity);
            assertThat(inbox.messages()).isEqualTo(before);
            long d = inbox.append(msg("d"), Set.of(), null);
            assertThat(d).as("expunged UID 1 and the last UID 3 are never reused").isEqualTo(4);
        }
    }

    @Test
    void deliveriesGetUidsAndWakeListenersAndCopyMoveReturnUidMappings() throws Exception {
        try (MaildirStore store = new MaildirStore(data)) {
            MaildirMailboxes boxes = store.mailboxes("carol@x");
            MaildirFolder inbox = boxes.open("INBOX");
            CountDownLatch changed = new CountDownLatch(1);
            inbox.onChange(changed::countDown);
            try (Spool s = spool(store, "Subject: hello\r\n\r\nhi\r\n")) {
                store.deliver(s, "s@x", List.of("Carol@X")).get(10, TimeUnit.SECONDS);
            }
            assertThat(changed.await(1, TimeUnit.SECONDS)).isTrue();
            List<MaildirFolder.Message> msgs = inbox.messages();
            assertThat(msgs).hasSize(1);
            assertThat(msgs.get(0).uid()).isEqualTo(1);
            assertThat(msgs.get(0).size()).isEqualTo(Files.size(inbox.path(1)));
            assertThat(files(data.resolve("mail/carol@x/new"))).as("moved to cur/").isEmpty();
            assertThat(msgs.get(0).uidl(inbox.uidValidity())).isEqualTo(inbox.uidValidity() + ".1");

            inbox.append(msg("two"), EnumSet.of(Flag.SEEN), null);
            MaildirFolder archive = boxes.open("Archive");
            MaildirFolder.CopyResult copy = inbox.copyTo(archive, List.of(2L, 1L, 42L));
            assertThat(copy.sourceUids()).containsExactly(2L, 1L);
            assertThat(copy.targetUids()).containsExactly(1L, 2L);
            assertThat(copy.targetUidValidity()).isEqualTo(archive.uidValidity());
            assertThat(archive.messages().get(0).flags()).containsExactly(Flag.SEEN);
            MaildirFolder.CopyResult move = inbox.moveTo(boxes.open("Trash"), List.of(1L));
            assertThat(move.targetUids()).containsExactly(1L);
            assertThat(inbox.messages()).extracting(MaildirFolder.Message::uid).containsExactly(2L);
        }
    }

    @Test
    void quotaIsEnforcedOnAppendCopyAndDeliveryAndFreedByExpunge() throws Exception {
        try (MaildirStore store = new MaildirStore(data, 100)) {
            MaildirMailboxes boxes = store.mailboxes("dave@x");
            MaildirFolder inbox = boxes.open("INBOX");
            long uid = inbox.append(new byte[60], Set.of(), null);
            assertThatThrownBy(() -> inbox.append(new byte[60], Set.of(), null)).isInstanceOf(QuotaExceededException.class);
            assertThatThrownBy(() -> inbox.copyTo(boxes.open("Sent"), List.of(uid))).isInstanceOf(QuotaExceededException.class);
            try (Spool s = spool(store, "x".repeat(50))) {
                assertThatThrownBy(() -> store.deliver(s, "s@x", List.of("dave@x")).join())
                        .hasCauseInstanceOf(QuotaExceededException.class);
            }
            assertThat(boxes.quotaUsed()).isEqualTo(60);
            inbox.expunge(List.of(uid));
            assertThat(boxes.quotaUsed()).isZero();
            inbox.append(new byte[90], Set.of(), null);
            assertThat(files(data.resolve("mail/dave@x/tmp"))).isEmpty();
        }
    }

    @Test
    void concurrentAppendsAndDeliveriesGetDistinctAscendingUids() throws Exception {
        try (MaildirStore store = new MaildirStore(data)) {
            MaildirFolder inbox = store.mailboxes("erin@x").open("INBOX");
            List<Thread> threads = new java.util.ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int n = t;
                threads.add(new Thread(() -> {
                    try {
                        for (int i = 0; i < 25; i++) {
                            if (n % 2 == 0) {
                                inbox.append(msg(n + "." + i), Set.of(), null);
                            } else {
                                try (Spool s = spool(store, "m\r\n")) {
                                    store.deliver(s, "s@x", List.of("erin@x")).join();
                                }
                                inbox.messages();
                            }
                        }
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }));
            }
            threads.forEach(Thread::start);
            for (Thread t : threads) {
                t.join(60_000);
            }
            List<Long> uids = inbox.messages().stream().map(MaildirFolder.Message::uid).toList();
            assertThat(uids).hasSize(200).doesNotHaveDuplicates().isSorted();
            assertThat(uids.get(199)).isEqualTo(200);
        }
    }
}
