package io.sealmail.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Child process of {@link StoreCrashTest}: delivers as fast as it can and prints "ACK n" once n is durable. */
public final class StoreCrashChild {
    public static void main(String[] args) throws Exception {
        MaildirStore store = new MaildirStore(Path.of(args[0]));
        AtomicInteger next = new AtomicInteger();
        Thread[] threads = new Thread[16];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                while (true) {
                    int n = next.incrementAndGet();
                    try {
                        Spool s = store.createSpool();
                        StringBuilder body = new StringBuilder("X-Crash-Id: " + n + "\r\n\r\n");
                        for (int i = 0; i < 200; i++) {
                            body.append("line ").append(i).append(" of message ").append(n).append("\r\n");
                        }
                        body.append("END ").append(n).append("\r\n");
                        s.write(ByteBuffer.wrap(body.toString().getBytes(StandardCharsets.US_ASCII)));
                        store.deliver(s, "s@x", List.of("crash@example.com")).get();
                        s.close();
                        synchronized (System.out) {
                            System.out.println("ACK " + n);
                            System.out.flush();
                        }
                    } catch (Exception e) {
                        System.err.println("FAIL " + n + " " + e);
                    }
                }
            });
            threads[t].start();
        }
        threads[0].join();
    }
}
