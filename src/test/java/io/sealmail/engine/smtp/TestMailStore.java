package io.sealmail.engine.smtp;

import io.sealmail.testing.MaildirNew;
import io.sealmail.store.MailStore;
import io.sealmail.store.OutboundQueue;
import io.sealmail.store.QueuedMessage;
import io.sealmail.store.Spool;
import io.sealmail.store.TempFileSpool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A minimal Maildir-shaped store for protocol tests: {@code <root>/<account>/new/<id>} with Return-Path
 * prepended, and a remote queue under {@code <root>/outbound}. It can be told to fail or to wait, so tests can
 * check that 250 is sent only after the store's future completes and that a failure gives 451.
 */
final class TestMailStore implements MailStore, OutboundQueue {
    private static final java.util.concurrent.atomic.AtomicLong SEQUENCE = new java.util.concurrent.atomic.AtomicLong(System.currentTimeMillis() * 1000);
    private final Path root;
    volatile boolean fail;
    volatile CompletableFuture<Void> gate = CompletableFuture.completedFuture(null);
    final List<QueuedMessage> queued = new CopyOnWriteArrayList<>();
    final List<Path> openSpools = new CopyOnWriteArrayList<>();
    /** Deliveries asked for so far (a test awaits this instead of guessing when DATA has arrived). */
    final java.util.concurrent.atomic.AtomicInteger deliveriesStarted = new java.util.concurrent.atomic.AtomicInteger();

    TestMailStore(Path root) throws IOException {
        this.root = Files.createDirectories(root);
        Files.createDirectories(root.resolve("spool"));
    }

    @Override
    public Spool createSpool() throws IOException {
        Path file = root.resolve("spool").resolve(UUID.randomUUID().toString());
        openSpools.add(file);
        return new TempFileSpool(file) {
            @Override
            public void close() {
                super.close();
                openSpools.remove(file);
            }
        };
    }

    @Override
    public CompletableFuture<Void> deliver(Spool message, String returnPath, List<String> accounts) {
        deliveriesStarted.incrementAndGet();
        return gate.thenCompose(v -> {
            if (fail) {
                return CompletableFuture.failedFuture(new IOException("disk full (test)"));
            }
            try {
                for (String account : accounts) {
                    Path dir = Files.createDirectories(root.resolve(account).resolve("new"));
                    Path tmp = Files.createDirectories(root.resolve(account).resolve("tmp"))
                            .resolve(String.format("%015d.%s", SEQUENCE.incrementAndGet(), UUID.randomUUID()));
                    try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                        out.write(ByteBuffer.wrap(("Return-Path: <" + returnPath + ">\r\n").getBytes(StandardCharsets.UTF_8)));
                        message.copyTo(out);
                        out.force(true);
                    }
                    Files.move(tmp, dir.resolve(tmp.getFileName()), StandardCopyOption.ATOMIC_MOVE);
                }
                return CompletableFuture.completedFuture(null);
            } catch (IOException e) {
                return CompletableFuture.failedFuture(e);
            }
        });
    }

    @Override
    public CompletableFuture<QueuedMessage> enqueue(String id, Spool message, String returnPath, List<String> recipients) {
        try {
            QueuedMessage m = new QueuedMessage(id, Instant.now(), returnPath, recipients, message.size());
            Files.write(Files.createDirectories(root.resolve("outbound")).resolve(m.id()), TempFileSpool.bytes(message));
            queued.add(m);
            return CompletableFuture.completedFuture(m);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public List<QueuedMessage> list() {
        return new ArrayList<>(queued);
    }

    /** Every message delivered to the account, as text. */
    List<String> messages(String account) throws IOException {
        return MaildirNew.texts(root.resolve(account));
    }

    @Override
    public void close() {
    }
}
