package io.sealmail.engine.imap;

import io.sealmail.store.MailStore;
import io.sealmail.store.OutboundQueue;
import io.sealmail.store.QueuedMessage;
import io.sealmail.store.Spool;
import io.sealmail.store.TempFileSpool;
import io.sealmail.store.mailbox.MailboxAccess;
import io.sealmail.store.mailbox.Mailboxes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** The in-memory mailboxes behind the engine's store interfaces, so SMTP delivery reaches IMAP/POP3 in tests. */
public final class MemoryEngineStore implements MailStore, OutboundQueue, MailboxAccess {
    private final MemoryMailboxAccess mailboxes = new MemoryMailboxAccess();
    private final Path spoolDir;

    public MemoryEngineStore(Path spoolDir) throws IOException {
        this.spoolDir = Files.createDirectories(spoolDir);
    }

    public MemoryMailboxAccess mailboxes() {
        return mailboxes;
    }

    @Override
    public Mailboxes forAccount(String account) {
        return mailboxes.forAccount(account);
    }

    @Override
    public Spool createSpool() throws IOException {
        Path file = Files.createTempFile(spoolDir, "spool", ".eml");
        return new TempFileSpool(file);
    }

    @Override
    public CompletableFuture<Void> deliver(Spool message, String returnPath, List<String> accounts) {
        try {
            byte[] body = TempFileSpool.bytes(message);
            byte[] header = ("Return-Path: <" + returnPath + ">\r\n").getBytes();
            byte[] all = new byte[header.length + body.length];
            System.arraycopy(header, 0, all, 0, header.length);
            System.arraycopy(body, 0, all, header.length, body.length);
            for (String a : accounts) {
                mailboxes.forAccount(a).append("INBOX", all, Set.of(), Instant.now());
            }
            return CompletableFuture.completedFuture(null);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(new UncheckedIOException(e));
        }
    }

    @Override
    public CompletableFuture<QueuedMessage> enqueue(String id, Spool message, String returnPath, List<String> recipients) {
        return CompletableFuture.completedFuture(new QueuedMessage(id, Instant.now(), returnPath, recipients, message.size()));
    }

    @Override
    public List<QueuedMessage> list() {
        return new ArrayList<>();
    }

    @Override
    public void close() {
    }
}
