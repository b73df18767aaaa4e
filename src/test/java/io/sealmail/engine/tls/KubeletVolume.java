package io.sealmail.engine.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

import io.sealmail.ca.IssuedCertificate;

/**
 * A Secret volume updated the way kubelet's AtomicWriter does it: the files live in a timestamped directory,
 * {@code ..data} is a symlink to it, {@code tls.crt} and {@code tls.key} are symlinks into {@code ..data}; an update
 * writes a new directory, renames a fresh symlink over {@code ..data} (atomic), then deletes the old directory.
 */
final class KubeletVolume {
    private final Path dir;
    private int generation;

    KubeletVolume(Path dir) {
        this.dir = dir;
    }

    Path certFile() {
        return dir.resolve("tls.crt");
    }

    Path keyFile() {
        return dir.resolve("tls.key");
    }

    void write(IssuedCertificate cert) throws IOException {
        Path data = dir.resolve("..data");
        Path old = Files.isSymbolicLink(data) ? dir.resolve(Files.readSymbolicLink(data)) : null;
        Path fresh = dir.resolve("..2026_11_29_00_00_0" + (generation++) + ".123456789");
        Files.createDirectories(fresh);
        Files.writeString(fresh.resolve("tls.crt"), cert.tlsCrtPem(), StandardCharsets.US_ASCII);
        Files.writeString(fresh.resolve("tls.key"), cert.tlsKeyPem(), StandardCharsets.US_ASCII);
        Files.writeString(fresh.resolve("ca.crt"), cert.caCrtPem(), StandardCharsets.US_ASCII);
        Path tmp = dir.resolve("..data_tmp");
        Files.createSymbolicLink(tmp, fresh.getFileName());
        Files.move(tmp, data, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        for (String name : new String[] {"tls.crt", "tls.key", "ca.crt"}) {
            Path link = dir.resolve(name);
            if (!Files.isSymbolicLink(link)) {
                Files.createSymbolicLink(link, Path.of("..data", name));
            }
        }
        if (old != null) {
            try (Stream<Path> files = Files.walk(old)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
