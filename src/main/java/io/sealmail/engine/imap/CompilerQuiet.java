package io.sealmail.engine.imap;

import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongSupplier;

/**
 * Waits until the JIT's compiler threads have gone idle: the warm-up's rounds leave a queue of methods waiting for
 * HotSpot's optimising compiler (one C2 thread on 2 cores), and while that queue is long HotSpot raises the call
 * counts a method needs before it is queued at all (its thresholds scale with the queue's length per compiler
 * thread). Measured: after six back-to-back rounds, Netty's buffer pool, the channel's write and flush and
 * {@code FetchCommand.fetch} were still in profiling code when the first client came, and were compiled during its
 * first large FETCH (docs/store.md, "After a restart: the warm-up"). Waiting for the queue to drain between rounds
 * lets the next round run compiled code and count against the plain thresholds, and waiting once more at the end
 * means the engine becomes ready with nothing left to compile that the warm-up asked for.
 *
 * <p>Idle is read from the compiler threads' CPU time in {@code /proc/self/task/<tid>/stat} (Linux: the engine's
 * platform; HotSpot names them {@code C1 CompilerThread0}, {@code C2 CompilerThread0}, which the kernel truncates to
 * 15 characters): a compiling thread's time grows every clock tick, an idle one's does not. Where that is not
 * readable, the JVM's total compilation time (which grows only when a compilation ends) stands in.
 */
final class CompilerQuiet {
    /** Between two samples. */
    static final long POLL_MILLIS = 25;
    /** Unchanged samples in a row that count as idle: 100 ms, ten clock ticks of 10 ms. */
    static final int QUIET_POLLS = 4;

    /** How it waits: a sleep in production; tests count instead. */
    interface Pause {
        void millis(long millis) throws InterruptedException;
    }

    private final LongSupplier busyTime;
    private final LongSupplier nanoTime;
    private final Pause pause;

    CompilerQuiet(LongSupplier busyTime, LongSupplier nanoTime, Pause pause) {
        this.busyTime = busyTime;
        this.nanoTime = nanoTime;
        this.pause = pause;
    }

    /** For this JVM. Only the starting thread waits here (before any listener is bound), never a shared one. */
    static CompilerQuiet ofThisJvm() {
        Path tasks = Path.of("/proc/self/task");
        LongSupplier busy = Files.isDirectory(tasks) ? () -> compilerTicks(tasks) : totalCompilationMillis();
        return new CompilerQuiet(busy, System::nanoTime, Thread::sleep);
    }

    /**
     * Returns true once the compilers' time has not moved for {@link #QUIET_POLLS} samples, false if
     * {@code deadline} (a {@link System#nanoTime} value) came first or their time cannot be read at all.
     */
    boolean await(long deadline) throws InterruptedException {
        long last = busyTime.getAsLong();
        if (last < 0) {
            return false;
        }
        int unchanged = 0;
        while (nanoTime.getAsLong() < deadline) {
            pause.millis(POLL_MILLIS);
            long now = busyTime.getAsLong();
            if (now < 0) {
                return false;
            }
            unchanged = now == last ? unchanged + 1 : 0;
            last = now;
            if (unchanged >= QUIET_POLLS) {
                return true;
            }
        }
        return false;
    }

    /** The compilers' time so far (clock ticks, or milliseconds where /proc is not readable), -1 if unknown. */
    long busy() {
        return busyTime.getAsLong();
    }

    /** User plus system clock ticks of the JIT compiler threads, or -1 when the task directory cannot be read. */
    static long compilerTicks(Path tasks) {
        String[] ids = tasks.toFile().list();
        if (ids == null) {
            return -1;
        }
        long sum = 0;
        for (String id : ids) {
            try {
                sum += compilerTicks(Files.readString(tasks.resolve(id).resolve("stat"), StandardCharsets.US_ASCII));
            } catch (IOException | RuntimeException gone) {
                // the thread ended between the listing and the read
            }
        }
        return sum;
    }

    /**
     * One thread's {@code stat} line ({@code proc(5)}: pid, command name in parentheses, state, then numbers; utime
     * and stime are fields 14 and 15): its utime + stime when it is a compiler thread, else 0. The name may hold
     * spaces and parentheses, so the fields are counted from the last closing parenthesis.
     */
    static long compilerTicks(String stat) {
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        if (open < 0 || close < open) {
            return 0;
        }
        String name = stat.substring(open + 1, close);
        if (!name.startsWith("C1 CompilerThre") && !name.startsWith("C2 CompilerThre")) {
            return 0;
        }
        // After ") ": field 3 (state) is index 0, so utime (field 14) is index 11 and stime index 12.
        String[] rest = stat.substring(close + 2).trim().split(" ");
        return rest.length > 12 ? Long.parseLong(rest[11]) + Long.parseLong(rest[12]) : 0;
    }

    private static LongSupplier totalCompilationMillis() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
            return () -> -1;
        }
        return jit::getTotalCompilationTime;
    }
}
