package io.sealmail.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.sealmail.store.StoreTestFiles.files;
import static io.sealmail.store.StoreTestFiles.spool;
import static org.assertj.core.api.Assertions.assertThat;

class DiskOutboundQueueTest {
    @TempDir
    Path data;

    @Test
    void entriesAreDurableListedOldestFirstAndSurviveRestart() throws Exception {
        QueuedMessage first;
        QueuedMessage second;
        try (MaildirStore store = new MaildirStore(data, 0); DiskOutboundQueue queue = new DiskOutboundQueue(data)) {
            try (Spool s = spool(store, "Subject: one\r\n\r\n1\r\n")) {
                first = queue.enqueue(s, "alice@example.com", List.of("bob@remote.example", "carol@remote.example"))
                        .get(10, TimeUnit.SECONDS);
            }
            Thread.sleep(5);
            try (Spool s = spool(store, "Subject: two\r\n\r\n2\r\n")) {
                second = queue.enqueue(s, "", List.of("dave@remote.example")).get(10, TimeUnit.SECONDS);
            }
            assertThat(queue.list()).containsExactly(first, second);
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
}
