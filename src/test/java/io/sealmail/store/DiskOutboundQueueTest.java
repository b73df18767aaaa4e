package io.sealmail.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class DiskOutboundQueueTest {

    @TempDir
    Path data;

    @Test
    void queuedMessagesSurviveARestartOldestFirstWithTheirEnvelope() throws Exception {
        try (MaildirStore store = new MaildirStore(data); DiskOutboundQueue queue = new DiskOutboundQueue(data)) {
            for (int i = 0; i < 3; i++) {
                try (Spool s = MaildirStoreTest.spool(store, "Subject: out " + i + "\r\n\r\nbody\r\n")) {
                    queue.enqueue(s, "alice@example.com", List.of("bob@remote.example", "carol@remote.example"))
                            .get(10, TimeUnit.SECONDS);
                }
            }
        }
        try (DiskOutboundQueue again = new DiskOutboundQueue(data)) {
            List<QueuedMessage> entries = again.list();
            assertThat(entries).hasSize(3);
            assertThat(entries).extracting(QueuedMessage::returnPath).containsOnly("alice@example.com");
            assertThat(entries.get(0).recipients()).containsExactly("bob@remote.example", "carol@remote.example");
            assertThat(entries).extracting(QueuedMessage::id).isSorted();
            for (int i = 0; i < 3; i++) {
                assertThat(Files.readString(again.messageFile(entries.get(i).id()))).startsWith("Subject: out " + i);
                assertThat(entries.get(i).size()).isEqualTo(Files.size(again.messageFile(entries.get(i).id())));
            }
        }
    }

    @Test
    void aMessageWithoutItsEnvelopeWasNeverAcknowledgedAndIsRemovedAtStart() throws Exception {
        Path queueDir = Files.createDirectories(data.resolve("queue"));
        Files.writeString(queueDir.resolve("0000000000001-000001-1.eml"), "orphan");
        Files.createDirectories(queueDir.resolve("tmp"));
        Files.writeString(queueDir.resolve("tmp").resolve("x.json"), "{");
        try (DiskOutboundQueue queue = new DiskOutboundQueue(data)) {
            assertThat(queue.list()).isEmpty();
            assertThat(Files.exists(queueDir.resolve("0000000000001-000001-1.eml"))).isFalse();
            assertThat(MaildirStoreTest.files(queueDir.resolve("tmp"))).isEmpty();
        }
    }
}
