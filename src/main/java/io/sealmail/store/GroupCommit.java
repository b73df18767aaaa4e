package io.sealmail.store;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes files durable in batches. Each write is prepared by a small pool of writer threads (write to a temporary
 * file, then {@code fsync} it: concurrent fsyncs share one journal commit in the kernel); a single committer thread
 * then takes every prepared file at once, renames each into place, and fsyncs each touched directory once for the
 * whole batch. Only after that directory fsync is the rename durable, and only then does the future complete.
 * So N concurrent deliveries into one Maildir cost about one directory flush, not N.
 */
final class GroupCommit implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(GroupCommit.class);

    /** Writes the content of one temporary file; runs on a writer thread. */
    @FunctionalInterface
    interface Content {
        void writeTo(FileChannel channel) throws IOException;
    }

    /** One file to make durable: written to {@code temp}, renamed to {@code target}. */
    private record Pending(Path temp, Path target, CompletableFuture<Void> done) {
    }

    private final ExecutorService writers;
    private final BlockingQueue<Pending> prepared;
    private final Thread committer;
    private volatile boolean closed;
    private final AtomicInteger batches = new AtomicInteger();

    GroupCommit(int writerThreads, int capacity) {
        AtomicInteger n = new AtomicInteger();
        this.writers = new ThreadPoolExecutor(writerThreads, writerThreads, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(capacity), r -> {
            Thread t = new Thread(r, "sealmail-store-writer-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.prepared = new ArrayBlockingQueue<>(capacity);
        this.committer = new Thread(this::commitLoop, "sealmail-store-commit");
        this.committer.setDaemon(true);
        this.committer.start();
    }

    /**
     * Writes {@code content} to {@code temp}, then makes it visible as {@code target} durably. Fails fast with
     * {@link StoreBusyException} when too many writes are already waiting (the protocol answers "try later").
     */
    CompletableFuture<Void> write(Path temp, Path target, Content content) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (closed) {
            done.completeExceptionally(new StoreBusyException("the mail store is shutting down"));
            return done;
        }
        try {
            writers.execute(() -> {
                try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    content.writeTo(ch);
                    ch.force(true);
                } catch (IOException | RuntimeException e) {
                    deleteQuietly(temp);
                    done.completeExceptionally(e);
                    return;
                }
                try {
                    prepared.put(new Pending(temp, target, done));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    deleteQuietly(temp);
                    done.completeExceptionally(new StoreBusyException("the mail store is shutting down"));
                }
            });
        } catch (RejectedExecutionException e) {
            done.completeExceptionally(new StoreBusyException("too many deliveries in progress"));
        }
        return done;
    }

    private void commitLoop() {
        List<Pending> batch = new ArrayList<>();
        while (!closed || !prepared.isEmpty()) {
            try {
                Pending first = prepared.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                prepared.drainTo(batch);
                commit(batch);
            } catch (InterruptedException e) {
                if (closed) {
                    break;
                }
            } catch (RuntimeException e) {
                LOG.errorf("store commit failed: %s", e.toString());
                batch.forEach(p -> p.done().completeExceptionally(e));
            } finally {
                batch.clear();
            }
        }
    }

    private void commit(List<Pending> batch) {
        Set<Path> dirs = new LinkedHashSet<>();
        List<Pending> renamed = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            try {
                move(p.temp(), p.target());
                dirs.add(p.target().getParent());
                renamed.add(p);
            } catch (IOException e) {
                deleteQuietly(p.temp());
                p.done().completeExceptionally(e);
            }
        }
        Set<Path> failedDirs = new LinkedHashSet<>();
        for (Path dir : dirs) {
            try {
                syncDirectory(dir);
            } catch (IOException e) {
                LOG.errorf("fsync of directory %s failed: %s", dir, e.getMessage());
                failedDirs.add(dir);
            }
        }
        batches.incrementAndGet();
        for (Pending p : renamed) {
            if (failedDirs.contains(p.target().getParent())) {
                // Not known to be durable: report failure so the client retries. A duplicate is better than a loss.
                p.done().completeExceptionally(new IOException("could not make " + p.target().getParent() + " durable"));
            } else {
                p.done().complete(null);
            }
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the mail store needs temporary and final directories on one filesystem", e);
        }
    }

    /** fsync of a directory makes the entries renamed into it durable (Linux: open read-only, then fsync). */
    static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort: leftovers in tmp/ are cleaned at the next start
        }
    }

    /** How many batches have been committed: with concurrency this is smaller than the number of files. */
    int batchesCommitted() {
        return batches.get();
    }

    @Override
    public void close() {
        writers.shutdown();
        try {
            writers.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closed = true;
        try {
            committer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
