package io.sealmail.store;

import java.time.Instant;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Maildir file names (cr.yp.to/proto/maildir.html, Dovecot's extensions):
 * {@code <seconds>.M<micros>P<pid>Q<seq>R<random>.<host>,S=<size>[:2,<flags>]}.
 *
 * <p>The left part up to {@code :} is the message's base name and never changes; {@code ,S=} carries the size so
 * listings need no stat or open; the leading seconds are the IMAP INTERNALDATE (for messages we write). Uniqueness:
 * pid and a per-process sequence separate writers in one second, the random part separates restarts that reuse a
 * pid (pid 1 in every container).
 */
public final class MaildirName {
    private static final AtomicLong SEQUENCE = new AtomicLong();
    private static final AtomicLong LAST_MICROS = new AtomicLong();
    private static final String HOST = safeHost();
    private static final long PID = ProcessHandle.current().pid();

    private MaildirName() {
    }

    /** A fresh unique base name for a message of {@code size} octets, dated {@code date}. */
    public static String unique(Instant date, long size) {
        // Zero-padded microseconds of a clock that never repeats in this process: names of one second sort in the
        // order they were made, and the IMAP layer gives new files their UIDs in name order (delivery order).
        String micros = String.format(Locale.ROOT, "%06d", nextMicros() % 1_000_000);
        return date.getEpochSecond() + ".M" + micros + "P" + PID + "Q" + SEQUENCE.incrementAndGet()
                + "R" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000000, Integer.MAX_VALUE))
                + "." + HOST + ",S=" + size;
    }

    /** Microseconds since the epoch, strictly increasing across calls (two names never share one). */
    private static long nextMicros() {
        Instant now = Instant.now();
        long micros = now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
        return LAST_MICROS.updateAndGet(last -> Math.max(last + 1, micros));
    }

    /** The base name: everything before the info separator {@code :}. */
    public static String base(String fileName) {
        int colon = fileName.indexOf(':');
        return colon < 0 ? fileName : fileName.substring(0, colon);
    }

    /** The size from {@code ,S=}, or -1 when the name does not carry it. */
    public static long size(String fileName) {
        String base = base(fileName);
        int at = base.indexOf(",S=");
        if (at < 0) {
            return -1;
        }
        int end = at + 3;
        while (end < base.length() && Character.isDigit(base.charAt(end))) {
            end++;
        }
        try {
            return Long.parseLong(base.substring(at + 3, end));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The date from the leading seconds, or null when the name does not start with them. */
    public static Instant date(String fileName) {
        int dot = fileName.indexOf('.');
        if (dot <= 0) {
            return null;
        }
        try {
            return Instant.ofEpochSecond(Long.parseLong(fileName.substring(0, dot)));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** System flags in the {@code :2,} info part. */
    public static Set<Flag> flags(String fileName) {
        Set<Flag> flags = EnumSet.noneOf(Flag.class);
        int at = fileName.indexOf(":2,");
        if (at >= 0) {
            for (char c : fileName.substring(at + 3).toCharArray()) {
                Flag f = Flag.fromMaildir(c);
                if (f != null) {
                    flags.add(f);
                }
            }
        }
        return flags;
    }

    /**
     * The file name for a base with these flags. Letters we do not know (keywords {@code a-z}, {@code P}) are kept
     * from {@code previous}; the info part stays in ASCII order as the spec asks.
     */
    public static String withFlags(String previous, Set<Flag> flags) {
        StringBuilder letters = new StringBuilder();
        int at = previous.indexOf(":2,");
        if (at >= 0) {
            for (char c : previous.substring(at + 3).toCharArray()) {
                if (Flag.fromMaildir(c) == null && c != ',') {
                    letters.append(c);
                }
            }
        }
        for (Flag f : flags) {
            letters.append(f.maildirChar());
        }
        char[] sorted = letters.toString().toCharArray();
        java.util.Arrays.sort(sorted);
        return base(previous) + ":2," + new String(sorted);
    }

    private static String safeHost() {
        // HOSTNAME or /etc/hostname: a DNS lookup of the local name can stall for seconds in a pod.
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = java.nio.file.Files.readString(java.nio.file.Path.of("/etc/hostname")).strip();
            } catch (Exception e) {
                host = "";
            }
        }
        if (host.isBlank()) {
            host = "localhost";
        }
        // The spec: "/" becomes \057 and ":" becomes \072; we also drop the "," we use for S=.
        return host.replace("/", "\\057").replace(":", "\\072").replace(",", "\\054");
    }
}
