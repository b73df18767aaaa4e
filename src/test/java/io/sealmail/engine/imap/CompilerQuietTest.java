package io.sealmail.engine.imap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class CompilerQuietTest {
    @TempDir
    Path dir;

    /** A clock that moves only when the waiter pauses, and compiler times handed out one per sample. */
    private static final class Script {
        final AtomicLong now = new AtomicLong();
        final Deque<Long> samples;
        int pauses;

        Script(List<Long> samples) {
            this.samples = new ArrayDeque<>(samples);
        }

        CompilerQuiet quiet() {
            return new CompilerQuiet(() -> samples.size() > 1 ? samples.poll() : samples.peek(), now::get, millis -> {
                pauses++;
                now.addAndGet(millis * 1_000_000);
            });
        }
    }

    /** {@code first}, then {@code times} copies of {@code value}. */
    private static List<Long> samples(List<Long> first, long value, int times, long... after) {
        List<Long> out = new ArrayList<>(first);
        for (int i = 0; i < times; i++) {
            out.add(value);
        }
        for (long a : after) {
            out.add(a);
        }
        return out;
    }

    @Test
    void idleOnceTheCompilersTimeStopsMovingForEnoughSamples() throws Exception {
        Script s = new Script(samples(List.of(10L, 12L), 15L, 1 + CompilerQuiet.QUIET_POLLS, 99L));
        assertThat(s.quiet().await(Long.MAX_VALUE)).isTrue();
        // Two samples that moved, then QUIET_POLLS unchanged ones; the 99 is never read.
        assertThat(s.pauses).isEqualTo(2 + CompilerQuiet.QUIET_POLLS);
        assertThat(s.samples).containsExactly(99L);
    }

    @Test
    void aPauseInTheMiddleOfCompilingDoesNotCountAsIdle() throws Exception {
        List<Long> stall = new ArrayList<>();
        for (int i = 0; i < CompilerQuiet.QUIET_POLLS; i++) {
            stall.add(1L); // one short of idle
        }
        Script s = new Script(samples(stall, 2L, 1 + CompilerQuiet.QUIET_POLLS));
        assertThat(s.quiet().await(Long.MAX_VALUE)).isTrue();
        assertThat(s.pauses).isEqualTo(CompilerQuiet.QUIET_POLLS + CompilerQuiet.QUIET_POLLS);
    }

    @Test
    void givesUpAtTheDeadlineWhileTheCompilersKeepWorking() throws Exception {
        List<Long> busy = new ArrayList<>();
        for (long t = 0; t < 1000; t++) {
            busy.add(t);
        }
        Script s = new Script(busy);
        long deadline = 10 * CompilerQuiet.POLL_MILLIS * 1_000_000;
        assertThat(s.quiet().await(deadline)).isFalse();
        assertThat(s.pauses).isEqualTo(10);
    }

    @Test
    void anUnreadableCompilerTimeIsNotWaitedFor() throws Exception {
        Script s = new Script(List.of(-1L));
        assertThat(s.quiet().await(Long.MAX_VALUE)).isFalse();
        assertThat(s.pauses).isZero();
    }

    @Test
    void readsOnlyTheCompilerThreadsFromTheirStatLines() {
        // proc(5): utime and stime are fields 14 and 15; a name may hold spaces and parentheses.
        String c2 = "812 (C2 CompilerThre) S 1 800 800 0 -1 4194368 0 0 0 0 137 6 0 0 20 0 30 0 1234 0 0";
        String c1 = "813 (C1 CompilerThre) S 1 800 800 0 -1 4194368 0 0 0 0 40 2 0 0 20 0 30 0 1234 0 0";
        String odd = "814 (a (C2 CompilerThre) ) S 1 800 800 0 -1 4194368 0 0 0 0 500 500 0 0 20 0 30 0 1 0 0";
        String worker = "815 (sealmail-mailac) S 1 800 800 0 -1 4194368 0 0 0 0 900 90 0 0 20 0 30 0 1234 0 0";
        assertThat(CompilerQuiet.compilerTicks(c2)).isEqualTo(143);
        assertThat(CompilerQuiet.compilerTicks(c1)).isEqualTo(42);
        assertThat(CompilerQuiet.compilerTicks(odd)).isZero();
        assertThat(CompilerQuiet.compilerTicks(worker)).isZero();
        assertThat(CompilerQuiet.compilerTicks("garbage")).isZero();
    }

    @Test
    void sumsEveryCompilerThreadOfATaskDirectory() throws Exception {
        Path tasks = dir.resolve("task");
        write(tasks, "812", "812 (C2 CompilerThre) S 1 800 800 0 -1 4194368 0 0 0 0 137 6 0 0 20 0 30 0 1234 0 0");
        write(tasks, "813", "813 (C1 CompilerThre) S 1 800 800 0 -1 4194368 0 0 0 0 40 2 0 0 20 0 30 0 1234 0 0");
        write(tasks, "815", "815 (main) S 1 800 800 0 -1 4194368 0 0 0 0 900 90 0 0 20 0 30 0 1234 0 0");
        Files.createDirectories(tasks.resolve("816")); // a thread that ended: no stat file any more
        assertThat(CompilerQuiet.compilerTicks(tasks)).isEqualTo(185);
        assertThat(CompilerQuiet.compilerTicks(dir.resolve("none"))).isEqualTo(-1);
    }

    private static void write(Path tasks, String id, String stat) throws Exception {
        Files.createDirectories(tasks.resolve(id));
        Files.writeString(tasks.resolve(id).resolve("stat"), stat + "\n");
    }
}
