package io.sealmail.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Random;

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
        return fill(maildir, account, count, size, false);
    }

    /**
     * As {@link #fill(Path, String, int, int)}; with {@code threads} the messages also carry what SORT and THREAD
     * read (RFC 5256): a Date (out of delivery order, in several zones, missing on some), and six in ten are replies
     * to one of the 200 messages before them ("Re: " subject, In-Reply-To, References), some to a parent that is
     * not in the folder.
     */
    public static long fill(Path maildir, String account, int count, int size, boolean threads) throws IOException {
        for (String sub : new String[] {"tmp", "new", "cur"}) {
            Files.createDirectories(maildir.resolve(sub));
        }
        long seconds = 1_700_000_000L;
        long total = 0;
        Thread thread = threads ? new Thread(new String[count], new String[count]) : null;
        Random random = new Random(5256);
        for (int i = 0; i < count; i++) {
            byte[] body = SmtpLoad.message(String.format(Locale.ROOT, "fill-%06d", i), "sender@bench.test", account, size);
            if (threads) {
                body = threads(i, body, thread, random);
            }
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

    /** Per message: its thread's subject and its References (the Message-ID of message i is fill-i@bench.sealmail). */
    private record Thread(String[] subjects, String[] references) {
    }

    private static final String[] ZONES = {"+0000", "+0100", "-0500", "+0530", "-0800"};

    private static byte[] threads(int i, byte[] generated, Thread thread, Random random) {
        String text = new String(generated, StandardCharsets.US_ASCII);
        String id = String.format(Locale.ROOT, "fill-%06d", i);
        StringBuilder extra = new StringBuilder();
        if (i > 0 && random.nextInt(10) < 6) {
            int parent = Math.max(0, i - 1 - random.nextInt(200));
            String parentId = String.format(Locale.ROOT, "<fill-%06d@bench.sealmail>", parent);
            String refs = thread.references()[parent] == null ? parentId : thread.references()[parent] + " " + parentId;
            String[] all = refs.split(" ");
            if (all.length > 10) { // long threads keep the first and the last nine, as mail clients do
                refs = all[0] + " " + String.join(" ", java.util.Arrays.copyOfRange(all, all.length - 9, all.length));
            }
            thread.references()[i] = refs;
            thread.subjects()[i] = thread.subjects()[parent];
            extra.append("In-Reply-To: ").append(parentId).append("\r\nReferences: ").append(refs).append("\r\n");
            text = text.replace("Subject: sealmail bench " + id + "\r\n", "Subject: Re: " + thread.subjects()[i] + "\r\n");
        } else {
            thread.subjects()[i] = "sealmail bench " + id;
            if (i % 53 == 7) { // a reply whose parent never arrived
                thread.references()[i] = "<lost-" + i + "@bench.sealmail>";
                extra.append("References: ").append(thread.references()[i]).append("\r\n");
            }
        }
        if (i % 97 != 3) { // some have no Date: their INTERNALDATE is their sent date
            long sent = 1_700_000_000L + i * 60L + random.nextInt(7200) - 3600;
            String zone = ZONES[random.nextInt(ZONES.length)];
            int offset = (zone.charAt(0) == '-' ? -1 : 1)
                    * (Integer.parseInt(zone.substring(1, 3)) * 3600 + Integer.parseInt(zone.substring(3)) * 60);
            extra.append("Date: ").append(DATE.format(java.time.Instant.ofEpochSecond(sent)
                    .atOffset(java.time.ZoneOffset.ofTotalSeconds(offset)))).append("\r\n");
        }
        return (extra + text).getBytes(StandardCharsets.US_ASCII);
    }

    private static final java.time.format.DateTimeFormatter DATE =
            java.time.format.DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss xx", Locale.ENGLISH);
}
