package io.sealmail.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SinkFilesTest {

    @TempDir
    Path root;

    private Path deliver(String folder, String name, byte[] message) throws Exception {
        Path dir = Files.createDirectories(root.resolve("bench").resolve(folder));
        return Files.write(dir.resolve(name), message);
    }

    @Test
    void countsOnlyThisRunsFilesEachOnceEvenWhenMovedFromNewToCur() throws Exception {
        deliver("new", "old.1", SmtpLoad.message("run-0", "a@x", "b@y", 300));
        OutboundLoad.SinkFiles sink = new OutboundLoad.SinkFiles(root, "run-");
        Path first = deliver("new", "u1.host", SmtpLoad.message("run-1", "a@x", "b@y", 300));
        deliver("new", "u2.host", SmtpLoad.message("other-2", "a@x", "b@y", 300));
        deliver("tmp", "u3.host", SmtpLoad.message("run-3", "a@x", "b@y", 300));
        Map<String, Instant> arrived = new HashMap<>();
        Map<String, Integer> copies = new HashMap<>();
        sink.poll(arrived, copies);
        Files.move(first, Files.createDirectories(root.resolve("bench/cur")).resolve("u1.host:2,S"));
        deliver("cur", "u4.host:2,", SmtpLoad.message("run-1", "a@x", "b@y", 300));
        sink.poll(arrived, copies);
        assertThat(arrived).containsOnlyKeys("run-1");
        assertThat(copies).containsEntry("run-1", 2); // the moved file once, the real second copy once
    }

    @Test
    void findsTheIdBehindALongTraceHeaderSection() throws Exception {
        String trace = "Received: from somewhere by somewhere else with ESMTPS id 0123456789\r\n".repeat(200);
        byte[] m = (trace + new String(SmtpLoad.message("run-9", "a@x", "b@y", 300), StandardCharsets.US_ASCII))
                .getBytes(StandardCharsets.US_ASCII);
        assertThat(m.length).isGreaterThan(8192);
        OutboundLoad.SinkFiles sink = new OutboundLoad.SinkFiles(root, "run-");
        deliver("new", "u9.host", m);
        Map<String, Instant> arrived = new HashMap<>();
        sink.poll(arrived, new HashMap<>());
        assertThat(arrived).containsOnlyKeys("run-9");
    }

    @Test
    void theHeaderIsNotLookedForInTheBody() {
        byte[] m = "Subject: x\r\n\r\nX-Sealmail-Bench: run-5\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThat(OutboundLoad.SinkFiles.headerValue(m)).isNull();
        assertThat(OutboundLoad.SinkFiles.headerValue("x-sealmail-bench: run-6\r\n\r\n".getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo("run-6");
    }
}
