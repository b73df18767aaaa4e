package io.sealmail.store;

import io.sealmail.cli.QueueCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.io.StringWriter;
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

    @Test
    void queueListCommandPrintsEachEntry() throws Exception {
        try (MaildirStore store = new MaildirStore(data, 0); DiskOutboundQueue queue = new DiskOutboundQueue(data);
             Spool s = spool(store, "x".repeat(1234))) {
            queue.enqueue(s, "alice@example.com", List.of("bob@remote.example", "carol@remote.example")).get(10, TimeUnit.SECONDS);
        }
        String[] out = run("queue", "list", "--data-dir", data.toString());
        assertThat(out[0]).contains("ID", "AGE", "SIZE", "SENDER", "RECIPIENTS")
                .contains("<alice@example.com>", "bob@remote.example, carol@remote.example", "1234", "1 message");
        assertThat(out[2]).isEqualTo("0");

        String[] missing = run("queue", "list", "--data-dir", data.resolve("nope").toString());
        assertThat(missing[1]).contains("no such directory").doesNotContain("Exception");
        assertThat(missing[2]).isEqualTo("1");

        Path empty = data.resolve("empty");
        Files.createDirectories(empty);
        assertThat(run("queue", "list", "--data-dir", empty.toString())[0]).contains("queue is empty");
    }

    private static String[] run(String... args) {
        CommandLine root = new CommandLine(CommandSpec.create().name("sealmail"));
        root.addSubcommand("queue", new CommandLine(new QueueCommand()));
        io.sealmail.cli.ErrorReporter.install(root);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        root.setOut(new PrintWriter(out));
        root.setErr(new PrintWriter(err));
        int code = root.execute(args);
        return new String[] {out.toString(), err.toString(), Integer.toString(code)};
    }
}
