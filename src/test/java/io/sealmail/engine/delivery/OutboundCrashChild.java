package io.sealmail.engine.delivery;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The engine as a child process for {@link OutboundCrashTest}: {@code OutboundCrashChild DIR PEER_ADDRESS PEER_PORT
 * COUNT} delivers remote.test through the peer; on its first start it queues COUNT messages (Message-ID
 * {@code <n@crash.test>}) and prints {@code QUEUED}; every start prints {@code LOADED <entries found at start>} and
 * {@code READY}.
 */
public final class OutboundCrashChild {
    private OutboundCrashChild() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        InetAddress peer = InetAddress.getByName(args[1]);
        int port = Integer.parseInt(args[2]);
        int count = Integer.parseInt(args[3]);
        StaticDns dns = new StaticDns().mx("remote.test", 10, "mx.remote.test").a("mx.remote.test", peer);
        OutboundTestEngine engine = new OutboundTestEngine(dir, dns, port);
        System.out.println("LOADED " + engine.engine.delivery().orElseThrow().queueSize());
        System.out.println("READY");
        System.out.flush();
        Path marker = dir.resolve("queued");
        if (!Files.exists(marker)) {
            ExecutorService submitters = Executors.newFixedThreadPool(8);
            List<Future<String>> done = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int n = i;
                done.add(submitters.submit(() -> engine.queue("alice@example.test", List.of("bob@remote.test"),
                        "From: alice@example.test\r\nTo: bob@remote.test\r\nMessage-ID: <" + n + "@crash.test>\r\n"
                                + "Subject: crash " + n + "\r\n\r\n" + "body line\r\n".repeat(100))));
            }
            for (Future<String> f : done) {
                f.get();
            }
            submitters.shutdown();
            Files.writeString(marker, "done");
            System.out.println("QUEUED");
            System.out.flush();
        }
        engine.engine.awaitClose();
    }
}
