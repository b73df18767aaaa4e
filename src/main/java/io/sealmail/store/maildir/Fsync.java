package io.sealmail.store.maildir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** fsync(2) of files and directories: what makes a write or a rename durable before it is acknowledged. */
final class Fsync {
    private Fsync() {
    }

    /** Makes the names in a directory durable; Linux allows it on a read-only descriptor. */
    static void directory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /** As {@link #directory}, where a platform that cannot open a directory for fsync is no reason to fail. */
    static void directoryQuietly(Path dir) {
        try {
            directory(dir);
        } catch (IOException ignored) {
            // directories cannot be opened for fsync on every platform; the data file itself was forced
        }
    }

    static void file(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }
}
