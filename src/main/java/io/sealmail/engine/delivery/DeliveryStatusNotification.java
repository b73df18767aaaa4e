package io.sealmail.engine.delivery;

import io.sealmail.store.QueueEntryFile;

import io.sealmail.store.QueuedMessage;
import io.sealmail.store.RecipientStatus;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * A bounce, or a delay notice: an RFC 3464 delivery status notification, {@code multipart/report;
 * report-type=delivery-status} (RFC 6522), with a human-readable part quoting each remote's reply, the
 * machine-readable {@code message/delivery-status} part ({@code Action: failed}, or {@code Action: delayed} with
 * {@code Will-Retry-Until}), and the original's header section ({@code text/rfc822-headers}). Sent from the null
 * sender (RFC 5321 §4.5.5) so it is never bounced itself.
 */
final class DeliveryStatusNotification {
    /** The original's header section is quoted up to this size. */
    static final int MAX_HEADERS = 64 * 1024;
    private static final DateTimeFormatter DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withLocale(Locale.ROOT);

    private DeliveryStatusNotification() {
    }

    /** A bounce: these recipients failed for good. */
    static byte[] build(String reportingHost, QueuedMessage original, Path originalFile, List<RecipientStatus> failed,
                        Instant now) throws IOException {
        return build(reportingHost, original, originalFile, failed, now, null);
    }

    /**
     * A delay notice (RFC 3464 §2.3.3 action "delayed"): these recipients are still being tried, until
     * {@code retryUntil}.
     */
    static byte[] delayed(String reportingHost, QueuedMessage original, Path originalFile, List<RecipientStatus> waiting,
                          Instant now, Instant retryUntil) throws IOException {
        return build(reportingHost, original, originalFile, waiting, now, retryUntil);
    }

    private static byte[] build(String reportingHost, QueuedMessage original, Path originalFile, List<RecipientStatus> failed,
                                Instant now, Instant retryUntil) throws IOException {
        boolean delayed = retryUntil != null;
        String boundary = original.id() + "/" + reportingHost;
        String date = DATE.format(now.atZone(ZoneOffset.UTC));
        StringBuilder m = new StringBuilder();
        m.append("From: Mail Delivery System <MAILER-DAEMON@").append(reportingHost).append(">\r\n");
        m.append("To: <").append(original.returnPath()).append(">\r\n");
        m.append(delayed ? "Subject: Delayed Mail (still being retried)\r\n" : "Subject: Undelivered Mail Returned to Sender\r\n");
        m.append("Date: ").append(date).append("\r\n");
        m.append("Message-ID: <").append(original.id()).append(delayed ? ".delay@" : ".dsn@").append(reportingHost).append(">\r\n");
        // RFC 3834 §5: automatic, so responders do not answer it.
        m.append("Auto-Submitted: auto-replied\r\n");
        m.append("MIME-Version: 1.0\r\n");
        m.append("Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"").append(boundary).append("\"\r\n");
        m.append("\r\n");
        m.append("This is a MIME-encapsulated message.\r\n\r\n");
        m.append("--").append(boundary).append("\r\n");
        m.append("Content-Description: Notification\r\n");
        m.append("Content-Type: text/plain; charset=utf-8\r\n");
        m.append("Content-Transfer-Encoding: 8bit\r\n\r\n");
        m.append("This is the mail system at host ").append(reportingHost).append(".\r\n\r\n");
        if (delayed) {
            m.append("Your message (queue id ").append(original.id()).append(") could not be delivered yet to ")
                    .append(failed.size() == 1 ? "this recipient" : "these recipients")
                    .append(". The mail system will keep trying until ")
                    .append(DATE.format(retryUntil.atZone(ZoneOffset.UTC)))
                    .append(" and tell you if it gives up.\r\nYou do not need to send it again.\r\n\r\n");
        } else {
            m.append("Your message (queue id ").append(original.id()).append(") could not be delivered to ")
                    .append(failed.size() == 1 ? "this recipient" : "these recipients")
                    .append(". It was not delivered to them and will not be retried.\r\n\r\n");
        }
        for (RecipientStatus r : failed) {
            m.append("<").append(r.recipient()).append(">: ");
            if (r.remote() != null) {
                m.append("host ").append(r.remote()).append(" said: ");
            }
            m.append(oneLine(r.lastReply())).append("\r\n");
        }
        m.append("\r\n--").append(boundary).append("\r\n");
        m.append("Content-Description: Delivery report\r\n");
        m.append("Content-Type: message/delivery-status\r\n\r\n");
        // RFC 3464 §2.2: per-message fields.
        m.append("Reporting-MTA: dns; ").append(reportingHost).append("\r\n");
        m.append("X-Sealmail-Queue-ID: ").append(original.id()).append("\r\n");
        m.append("Arrival-Date: ").append(DATE.format(original.queuedAt().atZone(ZoneOffset.UTC))).append("\r\n");
        for (RecipientStatus r : failed) {
            // RFC 3464 §2.3: per-recipient fields.
            m.append("\r\n");
            m.append("Final-Recipient: rfc822; ").append(r.recipient()).append("\r\n");
            m.append(delayed ? "Action: delayed\r\n" : "Action: failed\r\n");
            m.append("Status: ").append(delayed ? delayStatus(r.lastReply()) : status(r.lastReply())).append("\r\n");
            if (r.remote() != null) {
                m.append("Remote-MTA: dns; ").append(r.remote()).append("\r\n");
                m.append("Diagnostic-Code: smtp; ").append(oneLine(r.lastReply())).append("\r\n");
            } else {
                m.append("Diagnostic-Code: X-Sealmail; ").append(oneLine(r.lastReply())).append("\r\n");
            }
            if (r.lastAttemptMillis() > 0) {
                m.append("Last-Attempt-Date: ").append(DATE.format(Instant.ofEpochMilli(r.lastAttemptMillis()).atZone(ZoneOffset.UTC))).append("\r\n");
            }
            if (delayed) {
                // RFC 3464 §2.3.9
                m.append("Will-Retry-Until: ").append(DATE.format(retryUntil.atZone(ZoneOffset.UTC))).append("\r\n");
            }
        }
        m.append("\r\n--").append(boundary).append("\r\n");
        m.append(delayed ? "Content-Description: Delayed Message Headers\r\n" : "Content-Description: Undelivered Message Headers\r\n");
        m.append("Content-Type: text/rfc822-headers\r\n\r\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(m.toString().getBytes(StandardCharsets.UTF_8));
        out.write(headers(originalFile));
        out.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    /** The RFC 3463 code of a recorded reply ({@code 550 5.1.1 ...}), or 5.0.0. */
    static String status(String reply) {
        if (reply != null) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("^\\d{3} ([245]\\.\\d{1,3}\\.\\d{1,3})").matcher(reply);
            if (m.find()) {
                return "5" + m.group(1).substring(1);
            }
        }
        return "5.0.0";
    }

    /** The RFC 3463 code of a temporary failure ({@code 451 4.4.1 ...}) for a delay notice, or 4.0.0. */
    static String delayStatus(String reply) {
        if (reply != null) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("^\\d{3} ([245]\\.\\d{1,3}\\.\\d{1,3})").matcher(reply);
            if (m.find()) {
                return "4" + m.group(1).substring(1);
            }
        }
        return "4.0.0";
    }

    private static String oneLine(String s) {
        if (s == null) {
            return "(no reply)";
        }
        String flat = s.replaceAll("[\\r\\n\\t]+", " ");
        return flat.length() > 900 ? flat.substring(0, 900) + "..." : flat;
    }

    /** The original's header section (up to the empty line), at most {@link #MAX_HEADERS} octets, whole lines. */
    private static byte[] headers(Path file) throws IOException {
        byte[] buf = new byte[MAX_HEADERS];
        int n = 0;
        try (InputStream in = QueueEntryFile.openMessage(file)) {
            int r;
            while (n < buf.length && (r = in.read(buf, n, buf.length - n)) > 0) {
                n += r;
            }
        }
        int end = n;
        for (int i = 0; i + 3 < n; i++) {
            if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n') {
                end = i + 2;
                break;
            }
        }
        if (end == n) {
            // No end of header found within the bound: cut at the last whole line.
            int lastLf = -1;
            for (int i = 0; i < n; i++) {
                if (buf[i] == '\n') {
                    lastLf = i;
                }
            }
            end = lastLf + 1;
        }
        return java.util.Arrays.copyOf(buf, end);
    }
}
