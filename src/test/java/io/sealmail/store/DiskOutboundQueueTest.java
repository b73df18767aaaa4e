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
            assertThat(Files.readString(queue.messageFile(first.id()))).isEqualTo("Subject: one\r\n\r\n1\r\n");
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
            assertThat(Files.readString(queue.messageFile(id))).isEqualTo("Subject: first\r\n\r\n1\r\n");
        }
    }

    @Test
    void startRemovesUnacknowledgedLeftoversOnly() throws Exception {
        Path entries = data.resolve("queue/entries");
        Files.createDirectories(entries);
        Files.createDirectories(data.resolve("queue/tmp"));
        Files.writeString(data.resolve("queue/tmp/x.eml"), "half");
        Files.writeString(entries.resolve("orphan.eml"), "message whose envelope never landed");
        Files.writeString(entries.resolve("kept.eml"), "m");
        Files.writeString(entries.resolve("kept.json"),
                "{\"id\":\"kept\",\"queuedAtMillis\":1000,\"returnPath\":\"a@b\",\"recipients\":[\"c@d\"],\"size\":1}");
        try (DiskOutboundQueue queue = new DiskOutboundQueue(data)) {
            assertThat(queue.list()).extracting(QueuedMessage::id).containsExactly("kept");
        }
        assertThat(files(entries)).extracting(p -> p.getFileName().toString()).containsExactly("kept.eml", "kept.json");
        assertThat(files(data.resolve("queue/tmp"))).isEmpty();
    }

    /**
     * Entries are renamed into place before their forces (one journal commit), so a crash before the
     * acknowledgement can leave a torn one: start-up checks untried entries against the envelope's CRC-32C and moves
     * the torn ones to queue/damaged; intact and already-tried entries stay.
     */
    @Test
    void startMovesEntriesTornBeforeTheirAcknowledgementAside() throws Exception {
        String intact = QueueId.next();
        String torn = QueueId.next();
        String tornEnvelope = QueueId.next();
        String tried = QueueId.next();
        Path entries = data.resolve("queue/entries");
        try (MaildirStore store = new MaildirStore(data.resolve("mail"));
             DiskOutboundQueue queue = new DiskOutboundQueue(data)) {
            for (String id : List.of(intact, torn, tornEnvelope, tried)) {
                try (Spool s = spool(store, "Subject: " + id + "\r\n\r\nbody\r\n")) {
                    queue.enqueue(id, s, "a@example.com", List.of("b@remote.example")).get(10, TimeUnit.SECONDS);
                }
            }
            QueuedMessage t = queue.list().stream().filter(m -> m.id().equals(tried)).findFirst().orElseThrow();
            queue.saveStatus(DeliveryStatus.initial(t)).get(10, TimeUnit.SECONDS);
        }
        assertThat(Files.readString(entries.resolve(intact + ".json"))).contains("\"crc32c\":");
        // What a crash can leave of data that never reached the disk: zeros of the right length, a cut envelope.
        Files.write(entries.resolve(torn + ".eml"), new byte[(int) Files.size(entries.resolve(torn + ".eml"))]);
        Files.writeString(entries.resolve(tornEnvelope + ".json"), "{\"id\":\"" + tornEnvelope + "\",\"queuedAt");
        // A tried entry was acknowledged long ago: never second-guessed (its damage is not a crash's).
        Files.writeString(entries.resolve(tried + ".eml"), "changed since");

        try (DiskOutboundQueue queue = new DiskOutboundQueue(data)) {
            assertThat(queue.list()).extracting(QueuedMessage::id).containsExactlyInAnyOrder(intact, tried);
        }
        assertThat(files(data.resolve("queue/damaged"))).extracting(p -> p.getFileName().toString())
                .containsExactlyInAnyOrder(torn + ".eml", torn + ".json", tornEnvelope + ".eml", tornEnvelope + ".json");
    }

    @Test
    void removalIsBatchedAndLeavesNothingBehind() throws Exception {
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
            java.util.concurrent.CompletableFuture.allOf(ids.stream().map(queue::removeLater)
                    .toArray(java.util.concurrent.CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            assertThat(queue.list()).isEmpty();
            assertThat(ids).noneMatch(queue::hasEntry);
        }
        assertThat(files(entries)).isEmpty();
    }
}
