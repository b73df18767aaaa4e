package io.sealmail.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The messages a delivery left in a Maildir's {@code new/} (ours, or Postfix's virtual(8)), oldest name first; empty
 * before the first delivery, since {@code new/} is made with it.
 */
public final class MaildirNew {
    private MaildirNew() {
    }

    public static List<byte[]> messages(Path maildir) throws IOException {
        Path newDir = maildir.resolve("new");
        List<byte[]> out = new ArrayList<>();
        if (!Files.isDirectory(newDir)) {
            return out;
        }
        try (Stream<Path> files = Files.list(newDir)) {
            for (Path f : files.sorted().toList()) {
                out.add(Files.readAllBytes(f));
            }
        }
        return out;
    }

    /** The same as UTF-8 text. */
    public static List<String> texts(Path maildir) throws IOException {
        return messages(maildir).stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
    }
}
