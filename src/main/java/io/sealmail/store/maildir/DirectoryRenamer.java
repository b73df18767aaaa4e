package io.sealmail.store.maildir;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardCopyOption;

/**
 * Renames files inside one directory through the directory's open descriptor ({@code renameat(2)} with names
 * relative to it), as a flag change renames up to every file of {@code cur/}: with two absolute paths the kernel
 * walks every component of the folder's path twice per file. The rename itself is the same atomic
 * {@code rename} (a target that exists is replaced), so what is durable after the directory's {@code fsync} does
 * not change. Where the platform has no {@link SecureDirectoryStream}, absolute paths as before.
 */
final class DirectoryRenamer implements Closeable {
    private final Path dir;
    private final FileSystem fs;
    private final DirectoryStream<Path> stream;
    private final SecureDirectoryStream<Path> secure;

    private DirectoryRenamer(Path dir, DirectoryStream<Path> stream) {
        this.dir = dir;
        this.fs = dir.getFileSystem();
        this.stream = stream;
        this.secure = stream instanceof SecureDirectoryStream<Path> s ? s : null;
    }

    /** Opens the directory (its listing is never read). */
    static DirectoryRenamer open(Path dir) throws IOException {
        return new DirectoryRenamer(dir, Files.newDirectoryStream(dir));
    }

    /** Whether renames go through the directory's descriptor here (tests). */
    boolean relative() {
        return secure != null;
    }

    /** Renames {@code from} to {@code to}, both names in this directory; {@link NoSuchFileException} when it is gone. */
    void rename(String from, String to) throws IOException {
        if (secure != null) {
            secure.move(fs.getPath(from), secure, fs.getPath(to));
        } else {
            Files.move(dir.resolve(from), dir.resolve(to), StandardCopyOption.ATOMIC_MOVE);
        }
    }

    @Override
    public void close() throws IOException {
        stream.close();
    }
}
