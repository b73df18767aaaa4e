package io.sealmail.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time of a server: user + system time of a process and its descendants, plus what their ended children
 * used (cutime/cstime: Dovecot's per-connection processes count once their parent has reaped them). The kernel
 * counts in clock ticks of 10 ms (USER_HZ 100 on Linux), so a single short round is coarse.
 */
public final class ProcessCpu {
    private static final long MILLIS_PER_TICK = 10;

    private ProcessCpu() {
    }

    public static long millis(long rootPid) throws IOException {
        long ticks = 0;
        for (long pid : ProcessMemory.tree(rootPid)) {
            try {
                String[] f = ProcessMemory.statFields(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
                // utime, stime, cutime, cstime: fields 14-17 of stat, 11-14 counted from the state
                for (int i = 11; i <= 14; i++) {
                    ticks += Long.parseLong(f[i]);
                }
            } catch (IOException | RuntimeException gone) {
                // ended meanwhile
            }
        }
        return ticks * MILLIS_PER_TICK;
    }
}
