package io.sealmail.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.sealmail.store.StoreTestFiles.files;
import static io.sealmail.store.StoreTestFiles.spool;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DiskOutboundQueueTest {
    @TempDir
    Path data;

    @Test
    void entriesAreDurableListedOldestFirstAndSurviveRestart() throws Exception {
        QueuedMessage first;
        QueuedMessage second;
        try (MaildirStore store = new MaildirStore(data, 0); DiskOutboundQueue queue = new DiskOutboundQueue(data)) {
            try (Spool s = spool(store, "Subject: one\r\n\r\n1\r\n")) {
                first = queue.enqueue("0123456789ABCDEF", s, "alice@example.com", List.of("bob@remote.example", "carol@remote.example"))
                        .get(10, TimeUnit.SECONDS);
            }
            Thread.sleep(5); // the clock must move on: entries are listed by enqueue time (milliseconds), then id
            try (Spool s = spool(store, "Subject: two\r\n\r\n2\r\n")) {
                second = queue.enqueue(QueueId.next(), s, "", List.of("dave@remote.example")).get(10, TimeUnit.SECONDS);
            }
            assertThat(queue.list()).containsExactly(first, second);
            assertThat(first.id()).as("the id the caller gave (its SMTP transaction's)").isEqualTo("0123456789ABCDEF");
            assertThat(message(queue, first.id())).isEqualTo("Subject: one\r\n\r\n1\r\n");
            assertThat(first.size()).isEqualTo(19);
        }
        assertThat(files(data.resolve("queue/tmp"))).isEmpty();
        try (DiskOutboundQueue again = new DiskOutboundQueue(data)) {
            assertThat(again.list()).containsExactly(first, second);
            assertThat(again.list().get(0).recipients()).containsExactly("bob@remote.example", "carol@remote.example");
        }
        assertThat(DiskOutboundQueue.read(data)).containsExactly(first, second);
    }

    @Test
    void anIdInUseOrNotAQueueIdIsRefusedAndTheQueuedMessageIsKept() throws Exception {
        try (MaildirStore store = new MaildirStore(data, 0); DiskOutboundQueue queue = new DiskOutboundQueue(data);
             Spool s = spool(store, "Subject: first\r\n\r\n1\r\n")) {
            String id = QueueId.next();
            QueuedMessage first = queue.enqueue(id, s, "a@example.com", List.of("b@remote.example")).get(10, TimeUnit.SECONDS);
            try (Spool other = spool(store, "Subject: second\r\n\r\n2\r\n")) {
                assertThatThrownBy(() -> queue.enqueue(id, other, "a@example.com", List.of("c@remote.example")).join())
                        .hasCauseInstanceOf(FileAlreadyExistsException.class);
                for (String bad : new String[] {"../../mail/x", "abc", "0123456789abcdef", null}) {
                    assertThatThrownBy(() -> queue.enqueue(bad, other, "a@example.com", List.of("c@remote.example")).join())
                            .as("id %s", bad).hasCauseInstanceOf(IllegalArgumentException.class);
                }
            }
            assertThat(queue.list()).containsExactly(first);
            assertThat(message(queue, id)).isEqualTo("Subject: first\r\n\r\n1\r\n");
        }
    }

    @Test
    void anEntryIsOneFileHoldingItsEnvelopeThenTheMessage() throws Exception {
        String id = QueueId.next();
        try (MaildirStore store = new MaildirStore(data.resolve("mail"));
             DiskOutboundQueue queue = new DiskOutboundQueue(data);
             Spool s = spool(store, "Subject: one\r\n\r\nbody\r\n")) {
            queue.enqueue(id, s, "a@example.com", List.of("b@remote.example")).get(10, TimeUnit.SECONDS);
        }
        assertThat(files(data.resolve("queue/entries"))).extracting(p -> p.getFileName().toString())
                .containsExactly(id + ".msg");
        String file = Files.readString(data.resolve("queue/entries/" + id + ".msg"));
        assertThat(file).startsWith("sealmail-queue 1\n{\"id\":\"" + id + "\"").contains("\"crc32c\":")
                .endsWith("}\nSubject: one\r\n\r\nbody\r\n");
    }

    @Test
    void startRemovesUnacknowledgedLeftoversAndStateFilesOfRemovedEntries() throws Exception {
        String kept;
        try (MaildirStore store = new MaildirStore(data.resolve("mail"));
             DiskOutboundQueue queue = new DiskOutboundQueue(data);
             Spool s = spool(store, "Subject: kept\r\n\r\n1\r\n")) {
            kept = queue.enqueue(QueueId.next(), s, "a@example.com", List.of("b@remote.example")).get(10, TimeUnit.SECONDS).id();
        }
        Path entries = data.resolve("queue/entries");
        Files.writeString(data.resolve("queue/tmp/x.msg"), "half");
        // A removal's crash between the entry's unlink and its state file's.
        Files.writeString(entries.resolve(QueueId.next() + ".state"), "{}");
        try (DiskOutboundQueue queue = new DiskOutboundQueue(data)) {
            assertThat(queue.list()).extracting(QueuedMessage::id).containsExactly(kept);
        }
        assertThat(files(entries)).extracting(p -> p.getFileName().toString()).containsExactly(kept + ".msg");
        assertThat(files(data.resolve("queue/tmp"))).isEmpty();
    }

    /**
     * An entry is renamed into place before its force (one journal commit), so a crash before the acknowledgement
     * can leave a torn one: start-up checks untried entries against the envelope's size and CRC-32C and moves the
     * torn ones to queue/damaged; intact and already-tried entries stay.
     */
    @Test
    void startMovesEntriesTornBeforeTheirAcknowledgementAside() throws Exception {
        String intact = QueueId.next();
        String torn = QueueId.next();
        String tornEnvelope = QueueId.next();
        String cutShort = QueueId.next();
        String tried = QueueId.next();
        Path entries = data.resolve("queue/entries");
        try (MaildirStore store = new MaildirStore(data.resolve("mail"));
             DiskOutboundQueue queue = new DiskOutboundQueue(data)) {
            for (String id : List.of(intact, torn, tornEnvelope, cutShort, tried)) {
                try (Spool s = spool(store, "Subject: " + id + "\r\n\r\nbody\r\n")) {
                    queue.enqueue(id, s, "a@example.com", List.of("b@remote.example")).get(10, TimeUnit.SECONDS);
                }
            }
            QueuedMessage t = queue.list().stream().filter(m -> m.id().equals(tried)).findFirst().orElseThrow();
            queue.saveStatus(DeliveryStatus.initial(t)).get(10, TimeUnit.SECONDS);
        }
        // What a crash can leave of data that never reached the disk: the message zeroed (the envelope intact), the
        // whole file zeroed, the file cut short in its message.
        String tornFile = Files.readString(entries.resolve(torn + ".msg"));
        int messageStart = tornFile.indexOf("}\n") + 2;
        Files.writeString(entries.resolve(torn + ".msg"),
                tornFile.substring(0, messageStart) + "\0".repeat(tornFile.length() - messageStart));
        Files.write(entries.resolve(tornEnvelope + ".msg"), new byte[(int) Files.size(entries.resolve(tornEnvelope + ".msg"))]);
        String cut = Files.readString(entries.resolve(cutShort + ".msg"));
        Files.writeString(entries.resolve(cutShort + ".msg"), cut.substring(0, cut.length() - 3));
        // A tried entry was acknowledged long ago: never second-guessed (its damage is not a crash's).
        String triedFile = Files.readString(entries.resolve(tried + ".msg"));
        Files.writeString(entries.resolve(tried + ".msg"), triedFile.replace("body", "edit"));

        try (DiskOutboundQueue queue = new DiskOutboundQueue(data)) {
            assertThat(queue.list()).extracting(QueuedMessage::id).containsExactlyInAnyOrder(intact, tried);
            assertThat(message(queue, intact)).isEqualTo("Subject: " + intact + "\r\n\r\nbody\r\n");
        }
        assertThat(files(data.resolve("queue/damaged"))).extracting(p -> p.getFileName().toString())
                .containsExactlyInAnyOrder(torn + ".msg", tornEnvelope + ".msg", cutShort + ".msg");
    }

    /**
     * Entries of the earlier two-file form (ID.eml + ID.json) are converted at start, so an upgrade loses nothing:
     * an intact untried one and a tried one (its state kept) become ID.msg; the old rules still apply to the rest
     * (a message without its envelope was never acknowledged, a torn untried one goes to damaged/); a conversion a
     * crash interrupted (both forms present) keeps the converted file.
     */
    @Test
    void startConvertsEntriesOfTheTwoFileForm() throws Exception {
        Path entries = data.resolve("queue/entries");
        String intact = QueueId.next();
        String tried = QueueId.next();
        String torn = QueueId.next();
        String interrupted = QueueId.next();
        String message = "Subject: old\r\n\r\nbody\r\n";
        // Converted before a crash: the one-file entry is in place, the old files still there (below).
        try (MaildirStore store = new MaildirStore(data.resolve("mail"));
             DiskOutboundQueue queue = new DiskOutboundQueue(data);
             Spool s = spool(store, message)) {
            queue.enqueue(interrupted, s, "a@example.com", List.of("b@remote.example")).get(10, TimeUnit.SECONDS);
        }
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(message.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        for (String id : List.of(intact, tried, torn, interrupted)) {
            Files.writeString(entries.resolve(id + ".eml"), id.equals(torn) ? "\0".repeat(message.length()) : message);
            Files.writeString(entries.resolve(id + ".json"), "{\"id\":\"" + id + "\",\"queuedAtMillis\":1000,"
                    + "\"returnPath\":\"a@example.com\",\"recipients\":[\"b@remote.example\"],\"size\":" + message.length()
                    + ",\"crc32c\":" + crc.getValue() + "}");
        }
        Files.writeString(entries.resolve("orphan.eml"), "message whose envelope never landed");
        String triedState = "{\"id\":\"" + tried + "\",\"recipients\":[{\"recipient\":\"b@remote.example\","
                + "\"state\":\"DEFERRED\",\"attempts\":2,\"nextAttemptMillis\":5000,\"lastReply\":\"451 4.3.0 later\"}]}";
        Files.writeString(entries.resolve(tried + ".state"), triedState);

        // Before the engine's first start after the upgrade, `sealmail queue list` already shows them.
        assertThat(DiskOutboundQueue.read(data)).extracting(QueuedMessage::id)
                .containsExactlyInAnyOrder(intact, tried, torn, interrupted);

        try (DiskOutboundQueue queue = new DiskOutboundQueue(data)) {
            assertThat(queue.list()).extracting(QueuedMessage::id).containsExactlyInAnyOrder(intact, tried, interrupted);
            for (String id : List.of(intact, tried, interrupted)) {
                assertThat(message(queue, id)).as(id).isEqualTo(message);
            }
            QueuedMessage t = queue.list().stream().filter(m -> m.id().equals(tried)).findFirst().orElseThrow();
            assertThat(t.recipients()).containsExactly("b@remote.example");
            assertThat(t.queuedAt().toEpochMilli()).isEqualTo(1000);
            assertThat(queue.status(t).recipients().get(0).attempts()).isEqualTo(2);
        }
        assertThat(files(entries)).extracting(p -> p.getFileName().toString())
                .containsExactlyInAnyOrder(intact + ".msg", tried + ".msg", tried + ".state", interrupted + ".msg");
        assertThat(files(data.resolve("queue/damaged"))).extracting(p -> p.getFileName().toString())
                .containsExactlyInAnyOrder(torn + ".eml", torn + ".json");
        assertThat(files(data.resolve("queue/tmp"))).isEmpty();
    }

    /**
     * Files in entries/ that are no entry of ours (a JSON null or an envelope without recipients, one naming another
     * id, a huge envelope line, binary without a line feed, old-form JSON null) never stop the start (the engine would
     * restart into the same failure): each is logged and moved to damaged/, and the intact entry is still listed.
     */
    @Test
    void hostileEntryFilesAreMovedAsideAndNeverStopTheStart() throws Exception {
        Path entries = data.resolve("queue/entries");
        String intact = QueueId.next();
        try (MaildirStore store = new MaildirStore(data.resolve("mail"));
             DiskOutboundQueue queue = new DiskOutboundQueue(data);
             Spool s = spool(store, "Subject: kept\r\n\r\nbody\r\n")) {
            queue.enqueue(intact, s, "a@example.com", List.of("b@remote.example")).get(10, TimeUnit.SECONDS);
        }
        String nullEnvelope = QueueId.next();
        String noRecipients = QueueId.next();
        String otherId = QueueId.next();
        String huge = QueueId.next();
        String binary = QueueId.next();
        String oldNull = QueueId.next();
        Files.writeString(entries.resolve(nullEnvelope + ".msg"), "sealmail-queue 1\nnull\nSubject: x\r\n\r\n");
        Files.writeString(entries.resolve(noRecipients + ".msg"), "sealmail-queue 1\n{\"id\":\"" + noRecipients
                + "\",\"size\":0}\n");
        Files.writeString(entries.resolve(otherId + ".msg"), "sealmail-queue 1\n{\"id\":\"../../mail/x\","
                + "\"recipients\":[\"b@remote.example\"],\"size\":0}\n");
        Files.write(entries.resolve(huge + ".msg"), ("sealmail-queue 1\n{\"id\":\"" + "x".repeat(5 * 1024 * 1024))
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        byte[] noise = new byte[4096];
        new java.util.Random(1).nextBytes(noise);
        java.util.Arrays.fill(noise, 0, 17, (byte) 1);
        for (int i = 0; i < noise.length; i++) {
            if (noise[i] == '\n') {
                noise[i] = 0;
            }
        }
        Files.write(entries.resolve(binary + ".msg"), noise);
        Files.writeString(entries.resolve(oldNull + ".eml"), "Subject: old\r\n\r\n");
        Files.writeString(entries.resolve(oldNull + ".json"), "null");

        try (DiskOutboundQueue queue = new DiskOutboundQueue(data)) {
            assertThat(queue.list()).extracting(QueuedMessage::id).containsExactly(intact);
        }
        assertThat(DiskOutboundQueue.read(data)).extracting(QueuedMessage::id).containsExactly(intact);
        assertThat(files(data.resolve("queue/damaged"))).extracting(p -> p.getFileName().toString())
                .containsExactlyInAnyOrder(nullEnvelope + ".msg", noRecipients + ".msg", otherId + ".msg",
                        huge + ".msg", binary + ".msg", oldNull + ".eml", oldNull + ".json");
    }

    /** A tried two-file entry whose envelope cannot be read is kept for inspection with its state, start after start. */
    @Test
    void aTriedTwoFileEntryWithAnUnreadableEnvelopeKeepsItsState() throws Exception {
        Path entries = data.resolve("queue/entries");
        Files.createDirectories(entries);
        String id = QueueId.next();
        Files.writeString(entries.resolve(id + ".eml"), "Subject: old\r\n\r\nbody\r\n");
        Files.writeString(entries.resolve(id + ".json"), "{\"id\":\"" + id + "\",\"queuedAt");
        Files.writeString(entries.resolve(id + ".state"), "{}");
        for (int start = 0; start < 2; start++) {
            try (DiskOutboundQueue queue = new DiskOutboundQueue(data)) {
                assertThat(queue.list()).isEmpty();
            }
            assertThat(files(entries)).extracting(p -> p.getFileName().toString())
                    .as("start %d", start + 1).containsExactlyInAnyOrder(id + ".eml", id + ".json", id + ".state");
        }
        assertThat(data.resolve("queue/damaged")).doesNotExist();
    }

    @Test
    void removalLeavesNothingBehind() throws Exception {
        Path entries = data.resolve("queue/entries");
        try (MaildirStore store = new MaildirStore(data.resolve("mail"));
             DiskOutboundQueue queue = new DiskOutboundQueue(data)) {
            List<String> ids = new java.util.ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String id = QueueId.next();
                ids.add(id);
                try (Spool s = spool(store, "Subject: " + i + "\r\n\r\nbody\r\n")) {
                    queue.enqueue(id, s, "a@example.com", List.of("b@remote.example")).get(10, TimeUnit.SECONDS);
                }
            }
            queue.saveStatus(DeliveryStatus.initial(queue.list().get(0))).get(10, TimeUnit.SECONDS);
            for (String id : ids) {
                queue.remove(id);
            }
            queue.remove(ids.get(0)); // already gone: no error
            assertThat(queue.list()).isEmpty();
            assertThat(ids).noneMatch(queue::hasEntry);
        }
        assertThat(files(entries)).isEmpty();
    }

    private static String message(DiskOutboundQueue queue, String id) throws java.io.IOException {
        try (java.io.InputStream in = QueueEntryFile.openMessage(queue.messageFile(id))) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }
}
