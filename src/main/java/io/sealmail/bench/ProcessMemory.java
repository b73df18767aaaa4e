package io.sealmail.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Resident memory of a server: a process and all its descendants (Dovecot forks a process per connection; the
 * Sealmail engine is one JVM). RSS from {@code /proc/<pid>/status} counts shared pages once per process; PSS from
 * {@code smaps_rollup} shares them out, so it is the fair sum for a multi-process server.
 */
public final class ProcessMemory {

    /** Kibibytes summed over the process tree, and how many processes it had. */
    public record Sample(long rssKib, long pssKib, int processes) {
    }

    private ProcessMemory() {
    }

    public static Sample of(long rootPid) throws IOException {
        long rss = 0;
        long pss = 0;
        int count = 0;
        for (long pid : tree(rootPid)) {
            try {
                rss += field(Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")), "VmRSS:");
                pss += field(Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps_rollup")), "Pss:");
                count++;
            } catch (IOException gone) {
                // ended meanwhile
            }
        }
        if (count == 0) {
            throw new IOException("no process " + rootPid);
        }
        return new Sample(rss, pss, count);
    }

    /** The process and all its descendants, as they are now. */
    static List<Long> tree(long rootPid) throws IOException {
        Map<Long, List<Long>> children = new HashMap<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path p : procs) {
                try {
                    String[] f = statFields(Files.readString(p.resolve("stat")));
                    children.computeIfAbsent(Long.parseLong(f[1]), k -> new ArrayList<>()).add(Long.parseLong(p.getFileName().toString()));
                } catch (IOException | RuntimeException gone) {
                    // the process ended while we looked
                }
            }
        }
        List<Long> out = new ArrayList<>();
        List<Long> todo = new ArrayList<>(List.of(rootPid));
        while (!todo.isEmpty()) {
            long pid = todo.remove(todo.size() - 1);
            out.add(pid);
            todo.addAll(children.getOrDefault(pid, List.of()));
        }
        return out;
    }

    /** The fields of /proc/PID/stat after the command name, which may hold spaces and parentheses: f[0] is the state. */
    static String[] statFields(String stat) {
        return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    }

    private static long field(List<String> lines, String name) {
        for (String l : lines) {
            if (l.startsWith(name)) {
                return Long.parseLong(l.substring(name.length()).trim().split("\\s+")[0]);
            }
        }
        return 0;
    }
}
