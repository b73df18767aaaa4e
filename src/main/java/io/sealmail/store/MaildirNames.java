package io.sealmail.store;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Names on disk. Message files follow the Maildir convention (cr.yp.to/proto/maildir.html and Dovecot's
 * extension): {@code <seconds>.M<micros>P<pid>Q<seq>.<host>,S=<size>}, unique per delivery, with the size in the
 * name so a listing never opens a file to learn it. Account directories are the lowercased address with
 * anything outside {@code [a-z0-9@._+-]} and a leading dot percent-encoded: no path traversal, reversible.
 */
final class MaildirNames {
    private static final AtomicLong SEQUENCE = new AtomicLong();
    private static final String PID = Long.toString(ProcessHandle.current().pid());
    private static final String HOST = safeHost();

    private MaildirNames() {
    }

    static String unique(long size) {
        long micros = System.currentTimeMillis() * 1000 + (System.nanoTime() / 1000) % 1000;
        long seconds = micros / 1_000_000;
        return seconds + ".M" + (micros % 1_000_000) + "P" + PID + "Q" + SEQUENCE.incrementAndGet() + "." + HOST
                + ",S=" + size;
    }

    static String accountDirectory(String account) {
        String lower = account.trim().toLowerCase(Locale.ROOT);
        if (lower.isEmpty()) {
            throw new IllegalArgumentException("empty account name");
        }
        StringBuilder sb = new StringBuilder();
        byte[] bytes = lower.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            int b = bytes[i] & 0xff;
            boolean plain = (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '@' || b == '_' || b == '+'
                    || b == '-' || (b == '.' && i > 0);
            if (plain) {
                sb.append((char) b);
            } else {
                sb.append('%').append(String.format("%02X", b));
            }
        }
        return sb.toString();
    }

    private static String safeHost() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = ManagementFactory.getRuntimeMXBean().getName();
        }
        // Maildir: '/' and ':' may not appear in the host part; encode them as Dovecot and qmail do.
        return host.replace("/", "\\057").replace(":", "\\072").replace(",", "\\054");
    }
}
