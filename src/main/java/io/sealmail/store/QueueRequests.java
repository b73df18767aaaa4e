package io.sealmail.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How {@code sealmail queue retry|delete} reaches a running engine: a request file in {@code <dataDir>/queue/requests/}
 * ({@code NAME.req}, one line such as {@code retry 0123456789ABCDEF}, {@code retry --all},
 * {@code delete 0123456789ABCDEF bounce}), written to a temporary name and renamed, so the engine never reads half
 * of one. The engine polls the directory every second, acts, and answers in {@code NAME.done} (renamed into place
 * too), which the command prints and removes. The engine is the only writer of its queue while it runs; the
 * command changes nothing itself then ({@link QueueLock} tells which case applies).
 */
public final class QueueRequests {
    private static final String REQUEST = ".req";
    private static final String DONE = ".done";

    /** A request the engine found. */
    public record Request(String name, String text) {
    }

    private QueueRequests() {
    }

    public static Path directory(Path queueRoot) {
        return queueRoot.resolve("requests");
    }

    /** Command side: places a request and waits for the answer; empty when none came within {@code wait}. */
    public static Optional<String> submit(Path queueRoot, String request, Duration wait) throws IOException, InterruptedException {
        Path dir = directory(queueRoot);
        Files.createDirectories(dir);
        String name = System.currentTimeMillis() + "-" + QueueId.next();
        Path tmp = dir.resolve(name + ".tmp");
        Files.writeString(tmp, request + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, dir.resolve(name + REQUEST), StandardCopyOption.ATOMIC_MOVE);
        Path done = dir.resolve(name + DONE);
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(done)) {
                String answer = Files.readString(done, StandardCharsets.UTF_8).strip();
                Files.deleteIfExists(done);
                return Optional.of(answer);
            }
            Thread.sleep(50); // the command's own thread, polling a file
        }
        // Withdraw it if the engine has not taken it yet.
        Files.deleteIfExists(dir.resolve(name + REQUEST));
        return Optional.empty();
    }

    /** Engine side: the requests waiting, oldest first. */
    public static List<Request> pending(Path queueRoot) throws IOException {
        Path dir = directory(queueRoot);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Request> out = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + REQUEST)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                try {
                    String text = Files.readString(f, StandardCharsets.UTF_8);
                    out.add(new Request(name.substring(0, name.length() - REQUEST.length()), text.length() > 200 ? "" : text.strip()));
                } catch (NoSuchFileException withdrawn) {
                    // the command gave up
                }
            }
        }
        out.sort(java.util.Comparator.comparing(Request::name));
        return out;
    }

    /** Engine side: answers a request and removes it. */
    public static void answer(Path queueRoot, Request request, String answer) throws IOException {
        Path dir = directory(queueRoot);
        Path tmp = dir.resolve(request.name() + ".answer.tmp");
        Files.writeString(tmp, answer + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, dir.resolve(request.name() + DONE), StandardCopyOption.ATOMIC_MOVE);
        Files.deleteIfExists(dir.resolve(request.name() + REQUEST));
    }
}
