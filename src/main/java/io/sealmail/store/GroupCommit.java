package io.sealmail.store;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes files durable in batches, so concurrent writers share disk flushes (group commit).
 *
 * <p>One committer thread takes every pending job (up to {@code maxBatch}), then for the whole batch: writes each
 * file into its tmp path and forces it ({@link FileChannel#force}), on a small pool of I/O threads because
 * concurrent fsyncs on one filesystem are merged into one journal commit by ext4/xfs; renames every file of the
 * jobs that succeeded into place; forces each directory the batch touched once (a rename is durable only once its
 * directory is); and only then completes the jobs' futures. While it flushes one batch, the next one gathers.
 *
 * <p>A batch of one job of one file (the usual case below saturation for the outbound queue, whose several committers
 * take batches side by side) does all of that on its committer thread, without the I/O pool, and forces a file
 * published first through the channel it was written with: each hand-off between threads costs two context
 * switches, more than the work it hands off. A job of several files (a message to several mailboxes) keeps its
 * forces in parallel.
 *
 * <p>A job is all-or-nothing for its files up to the rename: if any file of a job fails (disk full, quota, a
 * directory in the way), that job's tmp files are deleted and only its future fails. The queue is bounded: a job
 * offered when it is full fails at once with {@link StoreUnavailableException}, as does one offered after
 * {@link #close()}. Close finishes what was queued before it.
 */
final class GroupCommit implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(GroupCommit.class);

    /** One file of a job. Every method runs on an I/O thread or the committer, never on the caller's thread. */
    abstract static class FileWrite {
        /** Checks and preparations before writing (quota reservation, directories); decides the paths. */
        abstract void prepare() throws IOException;

        abstract Path tmp();

        abstract Path target();

        /** Writes the content; the channel is forced afterwards. */
        abstract void write(FileChannel out) throws IOException;

        /** The job failed after {@link #prepare()} succeeded: undo its reservations. */
        void abandoned() {
        }

        /** The file is durable in place (called before the future completes). */
        void committed() {
        }
    }

    private static final class Job {
        final List<FileWrite> files;
        /** New files only: renamed into place before they are forced (see {@link #submitPublishFirst}). */
        final boolean publishFirst;
        final CompletableFuture<Void> done = new CompletableFuture<>();
        final List<FileWrite> prepared = new ArrayList<>();
        Throwable failure;

        Job(List<FileWrite> files, boolean publishFirst) {
            this.files = files;
            this.publishFirst = publishFirst;
        }
    }

    private final BlockingQueue<Job> queue;
    private final int maxBatch;
    private final ExecutorService io;
    private final List<Thread> committers = new ArrayList<>();
    private volatile boolean closing;
    private final AtomicInteger batches = new AtomicInteger();
    private final AtomicInteger committedJobs = new AtomicInteger();

    /**
     * @param name       thread name prefix
     * @param capacity   jobs waiting at most; past it, submissions fail (backpressure)
     * @param ioThreads  concurrent write+fsync threads
     */
    GroupCommit(String name, int capacity, int ioThreads) {
        this(name, capacity, ioThreads, 1);
    }

    /**
     * @param committerThreads batches in flight at once; more than one only where no job depends on the order of
     *                         another's commit (each job's future still completes only after its own forces)
     */
    GroupCommit(String name, int capacity, int ioThreads, int committerThreads) {
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.maxBatch = Math.max(1, capacity);
        AtomicInteger n = new AtomicInteger();
        this.io = Executors.newFixedThreadPool(ioThreads, r -> {
            Thread t = new Thread(r, name + "-io-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        for (int i = 1; i <= committerThreads; i++) {
            Thread committer = new Thread(this::run, name + "-committer" + (committerThreads > 1 ? "-" + i : ""));
            committer.setDaemon(true);
            committers.add(committer);
            committer.start();
        }
    }

    /** Queues a job; the future completes once every file is durable in place, or fails for this job alone. */
    CompletableFuture<Void> submit(List<FileWrite> files) {
        return offer(new Job(List.copyOf(files), false));
    }

    /**
     * Like {@link #submit}, for files that must not exist yet, with one journal commit instead of two: the files
     * are written, renamed into place, and only then forced together with their directories (on ext4 the renames
     * ride in the same commit as the data, so the directory forces find nothing left to do). The future completes
     * only after every force returned, so an acknowledged job is as durable as with {@link #submit}; but a crash
     * before that can leave a file in place whose content never reached the disk. Only for callers that check
     * their files when they start (the outbound queue keeps a checksum in its envelope).
     */
    CompletableFuture<Void> submitPublishFirst(List<FileWrite> files) {
        return offer(new Job(List.copyOf(files), true));
    }

    private CompletableFuture<Void> offer(Job job) {
        if (closing) {
            job.done.completeExceptionally(new StoreUnavailableException("mail store is shutting down; try again later"));
        } else if (!queue.offer(job)) {
            job.done.completeExceptionally(new StoreUnavailableException(
                    "mail store temporarily unavailable: " + queue.size() + " deliveries already waiting for the disk"));
        }
        return job.done;
    }

    int batches() {
        return batches.get();
    }

    int committedJobs() {
        return committedJobs.get();
    }

    private void run() {
        List<Job> batch = new ArrayList<>();
        while (true) {
            try {
                Job first = queue.poll(50, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (closing && queue.isEmpty()) {
                        return;
                    }
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, maxBatch - 1);
                commit(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failAll(batch, new StoreUnavailableException("mail store stopped"));
                return;
            } catch (RuntimeException | Error e) {
                LOG.errorf("group commit failed: %s", e.toString());
                failAll(batch, new StoreUnavailableException("mail store error: " + e, e));
            } finally {
                batch.clear();
            }
        }
    }

    private void failAll(List<Job> batch, RuntimeException e) {
        for (Job job : batch) {
            if (!job.done.isDone()) {
                abandon(job, e);
                job.done.completeExceptionally(e);
            }
        }
    }

    private void commit(List<Job> batch) throws InterruptedException {
        batches.incrementAndGet();
        boolean inline = batch.size() == 1 && batch.get(0).files.size() <= 1;
        // Files published first of an inline batch: open from their write to their force (this thread only).
        Map<FileWrite, FileChannel> kept = new HashMap<>();
        try {
            commit(batch, inline, kept);
        } finally {
            for (FileChannel ch : kept.values()) {
                closeQuietly(ch);
            }
        }
    }

    private void commit(List<Job> batch, boolean inline, Map<FileWrite, FileChannel> kept) throws InterruptedException {
        // 1. Write and force every file, in parallel: the kernel merges concurrent fsyncs.
        Map<FileWrite, Future<?>> writes = new LinkedHashMap<>();
        Map<FileWrite, Job> owner = new LinkedHashMap<>();
        for (Job job : batch) {
            for (FileWrite f : job.files) {
                owner.put(f, job);
                writes.put(f, start(inline, () -> {
                    f.prepare();
                    synchronized (job) {
                        job.prepared.add(f);
                    }
                    FileChannel out = FileChannel.open(f.tmp(), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                    try {
                        f.write(out);
                        if (!job.publishFirst) {
                            out.force(true);
                        }
                    } catch (IOException | RuntimeException e) {
                        closeQuietly(out);
                        throw e;
                    }
                    if (job.publishFirst && inline) {
                        kept.put(f, out); // forced after its rename through this channel: no second open
                    } else {
                        out.close();
                    }
                    return null;
                }));
            }
        }
        for (Map.Entry<FileWrite, Future<?>> w : writes.entrySet()) {
            try {
                w.getValue().get();
            } catch (java.util.concurrent.ExecutionException e) {
                Job job = owner.get(w.getKey());
                if (job.failure == null) {
                    job.failure = e.getCause();
                }
            }
        }
        // 2. Rename the files of the jobs that fully succeeded; fail the others alone.
        Set<Path> dirs = new LinkedHashSet<>();
        List<Job> renamed = new ArrayList<>();
        for (Job job : batch) {
            if (job.failure == null) {
                try {
                    for (FileWrite f : job.files) {
                        Files.move(f.tmp(), f.target(), StandardCopyOption.ATOMIC_MOVE);
                        dirs.add(f.target().getParent());
                    }
                    renamed.add(job);
                } catch (IOException e) {
                    job.failure = e;
                }
            }
            if (job.failure != null) {
                abandon(job, job.failure);
                job.done.completeExceptionally(asStoreFailure(job.failure));
            }
        }
        // 3. Force each directory the batch touched, once, and the files published before their force.
        Map<Path, Future<?>> dirForces = new LinkedHashMap<>();
        for (Path dir : dirs) {
            dirForces.put(dir, start(inline, () -> {
                forceDirectory(dir);
                return null;
            }));
        }
        Map<FileWrite, Future<?>> fileForces = new LinkedHashMap<>();
        for (Job job : renamed) {
            if (job.publishFirst) {
                for (FileWrite f : job.files) {
                    fileForces.put(f, start(inline, () -> {
                        FileChannel open = kept.remove(f);
                        try (FileChannel ch = open != null ? open : FileChannel.open(f.target(), StandardOpenOption.READ)) {
                            ch.force(true);
                        }
                        return null;
                    }));
                }
            }
        }
        for (Map.Entry<FileWrite, Future<?>> w : fileForces.entrySet()) {
            try {
                w.getValue().get();
            } catch (java.util.concurrent.ExecutionException e) {
                Job job = owner.get(w.getKey());
                if (job.failure == null) {
                    job.failure = e.getCause();
                }
            }
        }
        Map<Path, Throwable> dirFailures = new LinkedHashMap<>();
        for (Map.Entry<Path, Future<?>> d : dirForces.entrySet()) {
            try {
                d.getValue().get();
            } catch (java.util.concurrent.ExecutionException e) {
                dirFailures.put(d.getKey(), e.getCause());
            }
        }
        // 4. Complete.
        for (Job job : renamed) {
            Throwable dirFailure = null;
            for (FileWrite f : job.files) {
                Throwable t = dirFailures.get(f.target().getParent());
                if (t != null) {
                    dirFailure = t;
                }
            }
            if (dirFailure == null && job.failure != null) {
                dirFailure = job.failure; // a published file's own force failed
            }
            if (dirFailure != null) {
                // The files are in place but not known durable: report failure so the sender retries (a duplicate
                // is better than a loss), and leave the files where a reader may already see them.
                job.done.completeExceptionally(asStoreFailure(dirFailure));
                continue;
            }
            for (FileWrite f : job.files) {
                try {
                    f.committed();
                } catch (RuntimeException e) {
                    LOG.warnf("after-commit hook failed: %s", e.toString());
                }
            }
            committedJobs.incrementAndGet();
            job.done.complete(null);
        }
    }

    /** Runs a step of a batch: here and now for a batch of one job, else on the I/O pool beside the others. */
    private Future<?> start(boolean inline, java.util.concurrent.Callable<?> step) {
        FutureTask<?> task = new FutureTask<>(step);
        if (inline) {
            task.run();
        } else {
            io.execute(task);
        }
        return task;
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            LOG.warnf("cannot close a file: %s", e.toString());
        }
    }

    private static void abandon(Job job, Throwable cause) {
        List<FileWrite> prepared;
        synchronized (job) {
            prepared = new ArrayList<>(job.prepared);
            job.prepared.clear();
        }
        for (FileWrite f : prepared) {
            try {
                Files.deleteIfExists(f.tmp());
            } catch (IOException | RuntimeException e) {
                LOG.warnf("cannot remove %s: %s", f.tmp(), e.toString());
            }
            f.abandoned();
        }
    }

    private static RuntimeException asStoreFailure(Throwable t) {
        if (t instanceof QuotaExceededException q) {
            return q;
        }
        if (t instanceof StoreUnavailableException s) {
            return s;
        }
        return new StoreUnavailableException("mail store write failed: " + t, t);
    }

    /** fsync(2) of a directory makes the names in it durable; Linux allows it on a read-only descriptor. */
    static void forceDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /** Stops taking jobs, finishes the queued ones, then stops the threads. */
    @Override
    public void close() {
        closing = true;
        try {
            for (Thread committer : committers) {
                committer.join(TimeUnit.MINUTES.toMillis(1));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Job> late = new ArrayList<>();
        queue.drainTo(late);
        failAll(late, new StoreUnavailableException("mail store is shutting down; try again later"));
        io.shutdown();
        try {
            io.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
