package io.sealmail.cli;

import io.sealmail.store.DiskOutboundQueue;
import io.sealmail.store.MaildirStore;
import io.sealmail.store.Spool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class QueueCommandTest {

    @TempDir
    Path data;

    @Test
    void listShowsEveryQueuedMessageWithSenderAndRecipients() throws Exception {
        try (MaildirStore store = new MaildirStore(data); DiskOutboundQueue queue = new DiskOutboundQueue(data);
             Spool s = store.createSpool()) {
            s.write(ByteBuffer.wrap("Subject: x\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII)));
            queue.enqueue("00112233AABBCCDD", s, "alice@example.com", List.of("bob@elsewhere.example")).get(10, TimeUnit.SECONDS);
        }
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        int exit;
        try {
            exit = new CommandLine(new QueueCommand()).execute("list", "--data-dir", data.toString());
        } finally {
            System.setOut(saved);
        }
        assertThat(exit).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .containsPattern("(?m)^00112233AABBCCDD +\\d+s +\\d+  <alice@example.com> -> bob@elsewhere.example$")
                .contains("1 message queued");
    }

    @Test
    void aMissingDataDirectoryIsOneClearErrorAndExitCode2() {
        int exit = new CommandLine(new QueueCommand()).execute("list", "--data-dir", data.resolve("nope").toString());
        assertThat(exit).isEqualTo(2);
    }
}
