package io.sealmail.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * Fills a Maildir's {@code new/} with generated messages, so two servers can be given exactly the same mailbox
 * without going through SMTP. Names carry {@code ,S=} and {@code ,W=} (physical and virtual size: the messages
 * use CRLF, so they are equal) as Dovecot writes them; seconds and zero-padded microseconds keep name order equal
 * to fill order. Message i is the same octets on every run.
 */
public final class MaildirFill {

    private MaildirFill() {
    }

    /** Writes {@code count} messages of about {@code size} octets; returns the octets written. */
    public static long fill(Path maildir, String account, int count, int size) throws IOException {
        for (String sub : new String[] {"tmp", "new", "cur"}) {
            Files.createDirectories(maildir.resolve(sub));
        }
        long seconds = 1_700_000_000L;
        long total = 0;
        for (int i = 0; i < count; i++) {
            byte[] body = SmtpLoad.message(String.format(Locale.ROOT, "fill-%06d", i), "sender@bench.test", account, size);
            String name = String.format(Locale.ROOT, "%d.M%06dP1Q%d.bench,S=%d,W=%d",
                    seconds + i / 1000, (i % 1000) * 1000, i + 1, body.length, body.length);
            Path tmp = maildir.resolve("tmp").resolve(name);
            Files.write(tmp, body, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            Files.setLastModifiedTime(tmp, java.nio.file.attribute.FileTime.from(seconds + i / 1000, java.util.concurrent.TimeUnit.SECONDS));
            Files.move(tmp, maildir.resolve("new").resolve(name), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            total += body.length;
        }
        return total;
    }
}
