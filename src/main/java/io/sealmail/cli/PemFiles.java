package io.sealmail.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads and writes the PEM files of the {@code ca} commands. Private keys are created with mode 0600 from the
 * start (never written first and restricted later), and every file is written to a temporary name and renamed,
 * so a reader never sees half a key and an interrupted run leaves the old files intact.
 */
final class PemFiles {
    static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rw-------");
    static final Set<PosixFilePermission> PUBLIC = PosixFilePermissions.fromString("rw-r--r--");
    static final Set<PosixFilePermission> PRIVATE_DIR = PosixFilePermissions.fromString("rwx------");
    /** No certificate or key file is anywhere near this; a bigger one is the wrong file. */
    static final long MAX_SIZE = 1 << 20;

    private PemFiles() {
    }

    static String read(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new UserError(file + ": no such file");
        }
        if (Files.isDirectory(file)) {
            throw new UserError(file + ": is a directory, expected a PEM file");
        }
        if (Files.size(file) > MAX_SIZE) {
            throw new UserError(file + ": larger than 1 MiB, not a PEM certificate or key file");
        }
        return Files.readString(file, StandardCharsets.ISO_8859_1);
    }

    /** Creates the directory (mode 0700 for one that will hold a CA key) unless it exists. */
    static void ensureDirectory(Path dir, boolean privateDir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        if (Files.exists(dir)) {
            throw new UserError(dir + ": exists and is not a directory");
        }
        if (privateDir && posix()) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PRIVATE_DIR));
        } else {
            Files.createDirectories(dir);
        }
    }

    /**
     * Writes several files so that each appears complete under its name. All contents go to temporary files
     * first; only then are they renamed, keys first, so a failure while writing changes nothing.
     */
    static void writeAll(Map<Path, String> files, Set<Path> privateFiles) throws IOException {
        List<Path[]> renames = new ArrayList<>();
        try {
            for (Map.Entry<Path, String> f : files.entrySet()) {
                Path target = f.getKey();
                boolean secret = privateFiles.contains(target);
                Path tmp = createTemp(target, secret);
                renames.add(new Path[] {tmp, target});
                Files.writeString(tmp, f.getValue(), StandardCharsets.US_ASCII);
                if (posix()) {
                    // The umask may have taken bits from a public file; set exactly what we mean.
                    Files.setPosixFilePermissions(tmp, secret ? PRIVATE : PUBLIC);
                }
            }
            renames.sort((a, b) -> Boolean.compare(!privateFiles.contains(a[1]), !privateFiles.contains(b[1])));
            for (Path[] r : renames) {
                try {
                    Files.move(r[0], r[1], StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(r[0], r[1], StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } finally {
            for (Path[] r : renames) {
                Files.deleteIfExists(r[0]);
            }
        }
    }

    private static Path createTemp(Path target, boolean secret) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        String prefix = "." + target.getFileName() + ".";
        if (posix()) {
            FileAttribute<Set<PosixFilePermission>> mode = PosixFilePermissions.asFileAttribute(secret ? PRIVATE : PUBLIC);
            return Files.createTempFile(dir, prefix, ".tmp", mode);
        }
        return Files.createTempFile(dir, prefix, ".tmp");
    }

    static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }
}
