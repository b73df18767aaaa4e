package io.sealmail.store.maildir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * An account's subscribed folder names, one per line in {@code subscriptions} at the Maildir root (Dovecot's file
 * and format), replaced atomically on each change.
 */
final class Subscriptions {
    static final String FILE = "subscriptions";

    private final Path root;

    Subscriptions(Path root) {
        this.root = root;
    }

    Set<String> read() throws IOException {
        Path f = root.resolve(FILE);
        return Files.exists(f) ? new LinkedHashSet<>(Files.readAllLines(f, StandardCharsets.UTF_8)) : new LinkedHashSet<>();
    }

    synchronized void set(String name, boolean subscribed) throws IOException {
        Set<String> subs = read();
        if (subscribed ? subs.add(name) : subs.remove(name)) {
            Path tmp = root.resolve(FILE + ".tmp");
            Files.write(tmp, subs, StandardCharsets.UTF_8);
            Files.move(tmp, root.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
    }
}
