package io.sealmail.store.maildir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Wakes the sessions watching a folder (IMAP IDLE) when mail arrives. Deliveries by {@link io.sealmail.store.MaildirStore}
 * are told at once ({@link MaildirMailboxAccess} observes the store); this poll of {@code new/} every 250 ms, for
 * watched folders only and costing a stat when nothing changed, is the fallback for files that arrive any other way
 * (another delivery agent writing into the Maildir).
 */
final class NewMailWatcher implements AutoCloseable {
    static final long POLL_MILLIS = 250;

    private final Supplier<Collection<MaildirFolder>> folders;
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sealmail-maildir-poll");
        t.setDaemon(true);
        return t;
    });

    NewMailWatcher(Supplier<Collection<MaildirFolder>> folders) {
        this.folders = folders;
        poller.scheduleWithFixedDelay(this::poll, POLL_MILLIS, POLL_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void poll() {
        for (MaildirFolder f : folders.get()) {
            if (f.watched()) {
                try {
                    if (f.newMayHaveChanged() && hasFiles(f.dir().resolve("new"))) {
                        f.fire();
                    }
                } catch (IOException | RuntimeException ignored) {
                    // folder removed meanwhile
                }
            }
        }
    }

    private static boolean hasFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isPresent();
        }
    }

    @Override
    public void close() {
        poller.shutdownNow();
    }
}
