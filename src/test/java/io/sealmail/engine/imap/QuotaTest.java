package io.sealmail.engine.imap;

import io.sealmail.config.Limits;
import io.sealmail.config.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.sealmail.engine.imap.MailAccessTestServer.ANN;
import static io.sealmail.engine.imap.MailAccessTestServer.JOE;
import static io.sealmail.engine.imap.MailAccessTestServer.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The account quota ({@code limits.quotaPerAccount}) over the wire, with the production Maildir store: SMTP refuses
 * with 552 5.2.2 (after the data when the message does not fit, at RCPT when the mailbox is full), IMAP APPEND and
 * COPY with {@code NO [OVERQUOTA]}; MOVE stays possible when full, and EXPUNGE gives the space back.
 */
class QuotaTest {
    private static final long QUOTA = 8000;

    @TempDir
    Path dir;

    private static Limits withQuota(Limits d) {
        return new Limits(d.maxMessageSize(), d.maxRecipients(), d.maxCommandLine(), d.maxTextLine(), d.maxErrors(),
                d.maxAuthFailuresPerConnection(), d.maxAuthFailuresPerAddress(), d.authFailureWindow(), d.idleTimeout(),
                d.dataTimeout(), d.imapIdleTimeout(), d.maxConnections(), d.maxConnectionsPerAddress(), d.maxLiteralSize(),
                QUOTA);
    }

    /** Submits a message of about {@code size} octets from ANN to JOE; returns the reply to RCPT, or to the data. */
    private static String submit(MailAccessTestServer server, int size) throws Exception {
        try (WireClient c = server.submissionLoggedIn(ANN, PASSWORD)) {
            c.sendLine("MAIL FROM:<" + ANN + ">");
            c.readUntil("250 ");
            c.sendLine("RCPT TO:<" + JOE + ">");
            String rcpt = c.readLine();
            if (!rcpt.startsWith("250")) {
                return rcpt;
            }
            c.sendLine("DATA");
            c.readUntil("354 ");
            c.send(message(size));
            c.sendLine(".");
            return c.readLine();
        }
    }

    private static String message(int size) {
        // Exactly size octets, in lines of at most 78 characters (SMTP allows 998).
        StringBuilder sb = new StringBuilder("Subject: quota\r\n\r\n");
        int line = 0;
        while (sb.length() < size - 2) {
            if (line == 76 && sb.length() < size - 4) {
                sb.append("\r\n");
                line = 0;
            } else {
                sb.append('x');
                line++;
            }
        }
        return sb.append("\r\n").toString();
    }

    private static String command(WireClient imap, String tag, String command) throws Exception {
        imap.sendLine(tag + " " + command);
        return imap.readUntil(tag + " ");
    }

    private static String append(WireClient imap, String tag, int size) throws Exception {
        String m = message(size);
        imap.send(tag + " APPEND INBOX {" + m.length() + "+}\r\n" + m + "\r\n");
        return imap.readUntil(tag + " ");
    }

    private static long used(WireClient imap) throws Exception {
        long total = 0;
        for (String folder : new String[] {"INBOX", "Archive", "Sent", "Drafts", "Trash", "Junk"}) {
            imap.sendLine("s STATUS " + folder + " (SIZE)");
            Matcher m = Pattern.compile("SIZE (\\d+)").matcher(imap.readUntil("* STATUS"));
            assertThat(m.find()).isTrue();
            total += Long.parseLong(m.group(1));
            imap.readUntil("s OK");
        }
        return total;
    }

    @Test
    void quotaIsEnforcedOnSmtpDeliveryAppendAndCopy() throws Exception {
        try (MailAccessTestServer server = new MailAccessTestServer(dir, QuotaTest::withQuota, true)) {
            assertThat(submit(server, 5000)).startsWith("250 ");
            // A second one would go past the quota: refused after the data, permanently (the sender bounces it).
            assertThat(submit(server, 5000)).startsWith("552 5.2.2");

            try (WireClient imap = WireClient.tls(server.address(Role.IMAPS), server.pki().clientContext())) {
                imap.readUntil("* OK");
                assertThat(command(imap, "a", "LOGIN " + JOE + " \"" + PASSWORD + "\"")).startsWith("a OK");
                assertThat(append(imap, "b", 4000)).startsWith("b NO [OVERQUOTA]");
                assertThat(append(imap, "c", 1000)).startsWith("c OK [APPENDUID");
                assertThat(command(imap, "d", "SELECT INBOX")).startsWith("d OK");
                // COPY would need 5000 more octets: nothing is copied.
                assertThat(command(imap, "e", "COPY 1 Archive")).startsWith("e NO [OVERQUOTA]");
                assertThat(command(imap, "f", "STATUS Archive (MESSAGES)")).startsWith("f OK");
                // MOVE keeps the octets in the account: allowed even when full.
                assertThat(command(imap, "g", "MOVE 1 Archive")).startsWith("g OK");
                long left = QUOTA - used(imap);
                assertThat(left).isBetween(1L, 2500L);
                assertThat(append(imap, "h", (int) left)).startsWith("h OK");
                assertThat(append(imap, "i", 100)).startsWith("i NO [OVERQUOTA]");

                // Full to the octet: SMTP refuses at RCPT already.
                assertThat(submit(server, 300)).startsWith("552 5.2.2").contains("Mailbox full");

                // EXPUNGE gives the space back.
                assertThat(command(imap, "j", "SELECT Archive")).startsWith("j OK");
                assertThat(command(imap, "k", "STORE 1 +FLAGS.SILENT (\\Deleted)")).startsWith("k OK");
                assertThat(command(imap, "l", "EXPUNGE")).startsWith("l OK");
                assertThat(append(imap, "m", 3000)).startsWith("m OK");
                command(imap, "z", "LOGOUT");
            }
            assertThat(submit(server, 1000)).startsWith("250 ");
        }
    }

    /** Python's imaplib reads what QuotaCommands and the search/status extensions answer, over TLS. */
    @Test
    void pythonImaplibReadsQuotaStatusSizeListStatusAndEsearch() throws Exception {
        try (MailAccessTestServer server = new MailAccessTestServer(dir, QuotaTest::withQuota, true)) {
            assertThat(submit(server, 1000)).startsWith("250");
            java.nio.file.Path script = dir.resolve("python_extensions.py");
            try (java.io.InputStream in = getClass().getResourceAsStream("/imap/python_extensions.py")) {
                java.nio.file.Files.write(script, in.readAllBytes());
            }
            ExternalClientsTest.Result r = ExternalClientsTest.run(java.util.Map.of("CA", server.pki().caCrt().toString(),
                    "USER_NAME", JOE, "PASSWORD", PASSWORD, "IMAPS", "" + server.port(Role.IMAPS),
                    "QUOTA_KIB", "" + QUOTA / 1024), "python3", script.toString());
            assertThat(r.out()).contains("ALL OK");
            assertThat(r.exit()).isZero();
        }
    }
}
