package io.sealmail.engine.delivery;

import io.sealmail.cli.QueueCommand;
import io.sealmail.store.RecipientStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code sealmail queue list|retry|delete} against a running engine's data directory (request files). */
class QueueCommandsTest {
    @TempDir
    Path dir;
    private ScriptedPeer peer;
    private OutboundTestEngine engine;

    @AfterEach
    void close() throws Exception {
        if (engine != null) {
            engine.close();
        }
        if (peer != null) {
            peer.close();
        }
    }

    private record Run(int exit, String out) {
    }

    private Run sealmailQueue(String... args) {
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            int exit = new CommandLine(new QueueCommand()).execute(args);
            return new Run(exit, out.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(saved);
        }
    }

    @Test
    void listRetryAndDeleteWorkAgainstARunningEngine() throws Exception {
        peer = new ScriptedPeer(InetAddress.getByName("127.0.1.13"), 0);
        peer.dataReplies.add("451 4.3.0 first refusal");
        peer.dataReplies.add("451 4.3.0 second refusal");
        StaticDns dns = new StaticDns().mx("remote.test", 10, "mx.remote.test").a("mx.remote.test", peer.address());
        // Retries an hour apart: only 'queue retry' can bring the message back before the test ends.
        engine = new OutboundTestEngine(dir, dns, o -> o.withDns(o.dns(), peer.port())
                .withTiming(Duration.ofHours(1), Duration.ofHours(4), Duration.ofDays(5), Duration.ofSeconds(2), Duration.ofSeconds(2)));
        String data = engine.dataDir.toString();

        String first = engine.queue("alice@example.test", List.of("bob@remote.test"), "Subject: one\r\n\r\nbody\r\n");
        await().atMost(Duration.ofSeconds(20)).until(() -> engine.queued().get(first).recipients().get(0).state()
                == RecipientStatus.State.DEFERRED);
        Run list = sealmailQueue("list", "--data-dir", data);
        assertThat(list.exit()).isZero();
        assertThat(list.out()).contains(first, "bob@remote.test", "deferred  attempts=1 next=in ", "policy=none",
                "last reply from mx.remote.test: 451 4.3.0 first refusal");

        Run retry = sealmailQueue("retry", "--data-dir", data, first);
        assertThat(retry.out()).contains("message " + first + " scheduled for delivery now");
        assertThat(retry.exit()).isZero();
        await().atMost(Duration.ofSeconds(20)).until(() -> engine.queued().get(first).recipients().get(0).attempts() == 2);

        Run delete = sealmailQueue("delete", "--data-dir", data, "--bounce", first);
        assertThat(delete.out()).contains("message " + first + " deleted; the sender was notified");
        assertThat(engine.queued()).doesNotContainKey(first);
        assertThat(await().atMost(Duration.ofSeconds(10)).until(engine::inbox, l -> l.size() == 1).get(0))
                .contains("Final-Recipient: rfc822; bob@remote.test", "deleted from the queue by the administrator",
                        "last reply: 451 4.3.0 second refusal");

        assertThat(sealmailQueue("retry", "--data-dir", data, "0123456789ABCDEF").exit()).isEqualTo(1);
        assertThat(sealmailQueue("retry", "--data-dir", data, "not-an-id").exit()).isEqualTo(2);
    }

    @Test
    void withoutARunningEngineTheCommandChangesTheFilesItself() throws Exception {
        StaticDns dns = new StaticDns().timeout("slow.test");
        engine = new OutboundTestEngine(dir, dns, o -> o.withTiming(Duration.ofHours(1), Duration.ofHours(4),
                Duration.ofDays(5), Duration.ofSeconds(2), Duration.ofSeconds(2)));
        String id = engine.queue("alice@example.test", List.of("x@slow.test"), "Subject: two\r\n\r\nbody\r\n");
        await().atMost(Duration.ofSeconds(20)).until(() -> engine.queued().get(id).recipients().get(0).state()
                == RecipientStatus.State.DEFERRED);
        engine.close();
        engine = null;
        String data = dir.resolve("data").toString();

        Run retry = sealmailQueue("retry", "--data-dir", data, "--all");
        assertThat(retry.out()).contains("1 message due now");
        Run delete = sealmailQueue("delete", "--data-dir", data, id);
        assertThat(delete.out()).contains("message " + id + " deleted without notification");
        assertThat(sealmailQueue("list", "--data-dir", data).out()).contains("0 messages queued");
    }

}
