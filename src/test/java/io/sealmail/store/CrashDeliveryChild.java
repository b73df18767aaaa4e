package io.sealmail.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Run in a child JVM by {@link MaildirCrashTest}: many threads deliver forever; each delivery whose future
 * completed is printed as {@code ACK <id>} (the moment SMTP would send 250). The parent kills it with SIGKILL.
 */
public final class CrashDeliveryChild {
    public static void main(String[] args) throws Exception {
        Path data = Path.of(args[0]);
        int threads = Integer.parseInt(args[1]);
        MaildirStore store = new MaildirStore(data, 0);
        DiskOutboundQueue queue = new DiskOutboundQueue(data);
        AtomicLong ids = new AtomicLong();
        System.out.println("READY");
        System.out.flush();
        for (int t = 0; t < threads; t++) {
            Thread worker = new Thread(() -> {
                try {
                    while (true) {
                        String id = args[2] + "m" + ids.incrementAndGet();
                        // 20-60 KB, so a kill often lands in the middle of a write.
                        int size = 20_000 + (int) (Math.abs(id.hashCode()) % 40_000);
                        String body = "X-Crash-Id: " + id + "\r\n\r\n" + "y".repeat(size) + "\r\nEND " + id + "\r\n";
                        try (Spool spool = store.createSpool()) {
                            spool.write(ByteBuffer.wrap(body.getBytes(StandardCharsets.US_ASCII)));
                            boolean remote = id.hashCode() % 5 == 0;
                            if (remote) {
                                queue.enqueue(QueueId.next(), spool, "s@x", List.of("r@remote.example")).join();
                                System.out.println("QACK " + id);
                            } else {
                                store.deliver(spool, "s@x", List.of("a@x", "b@x")).join();
                                System.out.println("ACK " + id);
                            }
                        }
                    }
                } catch (Exception e) {
                    System.out.println("FAIL " + e);
                }
            });
            worker.start();
        }
        Thread.sleep(Long.MAX_VALUE); // a child process that works until the test SIGKILLs it: nothing to wait for
    }
}
