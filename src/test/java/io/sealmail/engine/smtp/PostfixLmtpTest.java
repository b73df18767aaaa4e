package io.sealmail.engine.smtp;

import io.sealmail.testing.MaildirNew;
import io.sealmail.config.Limits;
import io.sealmail.config.Listener;
import io.sealmail.config.Role;
import io.sealmail.engine.delivery.PostfixProcess;
import io.sealmail.store.MaildirStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.sealmail.engine.smtp.SmtpTestServer.ALICE;
import static io.sealmail.engine.smtp.SmtpTestServer.BOB;
import static io.sealmail.engine.smtp.SmtpTestServer.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A real MTA in front of Sealmail's LMTP listener, as the seed's Postfix + Dovecot ran: Debian's Postfix accepts
 * mail for example.test on 127.0.3.10 and hands it to Sealmail with its {@code lmtp} client
 * ({@code virtual_transport = lmtp:inet:[127.0.3.11]:PORT}, what a Postfix + Dovecot LMTP setup writes). One
 * transaction with four recipients gets four replies after the dot (RFC 2033 §4.2) and Postfix acts on each: the
 * two with room are delivered (one Sealmail delivery id), the one over its quota (552 5.2.2) bounces back to the
 * sender, whose DSN arrives over the same LMTP path, and the one whose mailbox cannot be written (451 4.3.0) is
 * deferred and delivered once it can. Every copy is the submitted message octet for octet below the trace fields.
 */
class PostfixLmtpTest {
    static final String POSTFIX_ADDRESS = "127.0.3.10";
    /** A fixed port on an address no other test uses. */
    static final int POSTFIX_PORT = 10025;
    static final Listener LMTP = new Listener(Role.LMTP, "127.0.3.11", 0);
    /** Room for the 5,000-octet filler or for the 3,500-octet message, not for both. */
    static final long QUOTA = 8_000;
    static final String CAROL = "carol@example.test";
    static final String DAVE = "dave@example.test";
    static final String EVE = "eve@example.test";
    static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    @Test
    void postfixDeliversOneTransactionToSeveralRecipientsAndActsOnEachReply() throws Exception {
        PostfixProcess.require();
        try (SmtpTestServer server = new SmtpTestServer(dir, PostfixLmtpTest::withQuota, true,
                SmtpTestServer.addListeners(LMTP), null)) {
            server.accounts.user(CAROL, PASSWORD).user(DAVE, PASSWORD).user(EVE, PASSWORD);
            MaildirStore store = (MaildirStore) server.engine.context().store();
            // eve's mailbox cannot be made: a file stands where its directory goes, so her delivery fails (451).
            Path eveDir = store.accountDir(EVE);
            Files.createDirectories(eveDir.getParent());
            Files.writeString(eveDir, "not a Maildir");
            int lmtpPort = server.engine.address(LMTP).getPort();
            try (PostfixProcess postfix = PostfixProcess.start("lmtp", POSTFIX_ADDRESS, POSTFIX_PORT, "example.test",
                    List.of("alice", "bob", "carol", "dave", "eve"), """
                            virtual_transport = lmtp:inet:[%s]:%d
                            """.formatted(LMTP.address(), lmtpPort))) {
                try {
                    run(server, store, postfix);
                } catch (AssertionError | RuntimeException e) {
                    throw new AssertionError(e.getMessage() + "\n---- postfix log\n" + postfix.logText(), e);
                }
            }
        }
    }

    private void run(SmtpTestServer server, MaildirStore store, PostfixProcess postfix) throws Exception {
        String marker = UUID.randomUUID().toString();
        // alice first gets a message that leaves less room than the next one needs.
        String filler = message(marker + " filler", "Alice <alice@example.test>", 5_000);
        submit(server, DAVE, List.of(ALICE), filler);
        await().atMost(WAIT).until(() -> inbox(store, ALICE).size() == 1);

        String text = message(marker, "Bob <bob@example.test>, Alice <alice@example.test>,\r\n Carol <carol@example.test>, Eve <eve@example.test>", 3_500);
        submit(server, DAVE, List.of(BOB, ALICE, CAROL, EVE), text);
        await().atMost(WAIT).until(() -> inbox(store, BOB).size() == 1 && inbox(store, CAROL).size() == 1
                && postfix.logText().contains("status=deferred") && postfix.logText().contains("status=bounced"));

        byte[] sent = text.getBytes(StandardCharsets.UTF_8);
        for (String account : List.of(BOB, CAROL)) {
            assertTraceThenExactly(inbox(store, account).get(0), DAVE, sent);
        }
        assertThat(inbox(store, ALICE)).singleElement()
                .satisfies(m -> assertThat(new String(m, StandardCharsets.UTF_8)).contains("Subject: " + marker + " filler"));

        // Postfix's own record of each recipient's reply after the final dot.
        String log = postfix.logText();
        String relay = "relay=" + Pattern.quote(LMTP.address() + "[" + LMTP.address() + "]:" + server.engine.address(LMTP).getPort());
        String bobId = delivered(log, relay, BOB);
        assertThat(delivered(log, relay, CAROL)).as("one LMTP transaction, one Sealmail delivery id").isEqualTo(bobId);
        assertThat(log).containsPattern("to=<" + Pattern.quote(ALICE) + ">, " + relay
                + ".*dsn=5\\.2\\.2, status=bounced \\(host \\S+ said: 552 5\\.2\\.2 Mailbox full.*\\(in reply to end of DATA command\\)\\)");
        assertThat(log).containsPattern("to=<" + Pattern.quote(EVE) + ">, " + relay
                + ".*dsn=4\\.3\\.0, status=deferred \\(host \\S+ said: 451 4\\.3\\.0 .*\\(in reply to end of DATA command\\)\\)");

        // The bounce for alice comes back to the sender through the same LMTP path, from the null sender.
        await().atMost(WAIT).until(() -> inbox(store, DAVE).size() == 1);
        String dsn = new String(inbox(store, DAVE).get(0), StandardCharsets.UTF_8);
        assertThat(dsn).startsWith("Return-Path: <>\r\n")
                .contains("report-type=delivery-status")
                .contains("Final-Recipient: rfc822; " + ALICE)
                .contains("Status: 5.2.2")
                .containsPattern("Diagnostic-Code: \\w+; 552 5\\.2\\.2 Mailbox full")
                .contains("Subject: " + marker + "\r\n")
                .doesNotContain("Final-Recipient: rfc822; " + BOB, "Final-Recipient: rfc822; " + CAROL,
                        "Final-Recipient: rfc822; " + EVE);
        assertThat(postfix.queue()).as("eve's copy waits in Postfix's deferred queue").contains(EVE);

        // eve's mailbox becomes writable; Postfix's retry delivers her copy, the same octets.
        Files.delete(store.accountDir(EVE));
        postfix.flush();
        await().atMost(WAIT).until(() -> inbox(store, EVE).size() == 1);
        assertTraceThenExactly(inbox(store, EVE).get(0), DAVE, sent);
        await().atMost(WAIT).until(() -> postfix.queue().contains("Mail queue is empty"));
        assertThat(inbox(store, BOB)).hasSize(1);
        assertThat(inbox(store, CAROL)).hasSize(1);
        assertThat(inbox(store, ALICE)).hasSize(1);
    }

    /** Sealmail's delivery id from Postfix's log line for a recipient delivered over LMTP. */
    private static String delivered(String log, String relay, String recipient) {
        Matcher m = Pattern.compile("to=<" + Pattern.quote(recipient) + ">, " + relay
                + ".*dsn=2\\.1\\.5, status=sent \\(250 2\\.1\\.5 Ok: " + Pattern.quote(recipient) + " delivered as (\\S+)\\)").matcher(log);
        assertThat(m.find()).as("Postfix logged %s as sent over LMTP", recipient).isTrue();
        return m.group(1);
    }

    /**
     * The stored copy: our Return-Path, our Received field (LMTP, from Postfix), Postfix's Received field (from this
     * test), then exactly what the test submitted.
     */
    private static void assertTraceThenExactly(byte[] stored, String returnPath, byte[] sent) {
        String octets = new String(stored, StandardCharsets.ISO_8859_1);
        List<String> trace = new ArrayList<>();
        int at = 0;
        while (true) {
            int colon = octets.indexOf(':', at);
            String name = colon < 0 ? "" : octets.substring(at, colon);
            if (!name.equals("Return-Path") && !name.equals("Received")) {
                break;
            }
            int end = octets.indexOf("\r\n", at);
            while (end >= 0 && end + 2 < octets.length() && (octets.charAt(end + 2) == ' ' || octets.charAt(end + 2) == '\t')) {
                end = octets.indexOf("\r\n", end + 2);
            }
            trace.add(octets.substring(at, end + 2));
            at = end + 2;
        }
        assertThat(trace).hasSize(3);
        assertThat(trace.get(0)).isEqualTo("Return-Path: <" + returnPath + ">\r\n");
        assertThat(trace.get(1)).startsWith("Received: from mx.example.test (").contains("by mail.test (Sealmail) with LMTP id ");
        assertThat(trace.get(2)).startsWith("Received: from ").contains("by mx.example.test (Postfix) with ESMTP id ");
        byte[] rest = java.util.Arrays.copyOfRange(stored, at, stored.length);
        assertThat(new String(rest, StandardCharsets.UTF_8)).isEqualTo(new String(sent, StandardCharsets.UTF_8));
        assertThat(rest).isEqualTo(sent);
    }

    /** The INBOX of an account, oldest first; empty before its first delivery. */
    private static List<byte[]> inbox(MaildirStore store, String account) throws IOException {
        return MaildirNew.messages(store.accountDir(account));
    }

    /**
     * An 8-bit message of about {@code size} octets whose body has what a transport could change: non-ASCII text,
     * lines that begin with dots (stuffed on both SMTP and LMTP), trailing white space, a tab, a long line.
     */
    private static String message(String subject, String to, int size) {
        StringBuilder sb = new StringBuilder()
                .append("From: Dave <dave@example.test>\r\n")
                .append("To: ").append(to).append("\r\n")
                .append("Subject: ").append(subject).append("\r\n")
                .append("Date: Fri, 04 Dec 2026 08:00:00 +0000\r\n")
                .append("Message-ID: <").append(UUID.randomUUID()).append("@example.test>\r\n")
                .append("MIME-Version: 1.0\r\n")
                .append("Content-Type: text/plain; charset=utf-8\r\n")
                .append("Content-Transfer-Encoding: 8bit\r\n")
                .append("\r\n")
                .append("Grüße, ½ € — 日本語\r\n")
                .append(".a line that begins with a dot\r\n")
                .append("..\r\n")
                .append(".\t\r\n")
                .append("trailing white space   \r\n")
                .append("\tled by a tab\r\n")
                .append("y".repeat(900)).append("\r\n");
        for (int i = 0; sb.length() < size; i++) {
            sb.append("filler line ").append(i).append(' ').append("z".repeat(60)).append("\r\n");
        }
        return sb.toString();
    }

    /** Submits to Postfix's smtpd as a remote MTA would (8BITMIME), one transaction for all recipients. */
    private static void submit(SmtpTestServer server, String from, List<String> recipients, String message) throws Exception {
        try (Transcript t = Transcript.connect(new InetSocketAddress(POSTFIX_ADDRESS, POSTFIX_PORT), server.pki.clientContext())) {
            t.expect("220 mx.example.test ESMTP");
            t.run("""
                    C: EHLO client.remote.test
                    S: 250
                    S~ 8BITMIME
                    C: MAIL FROM:<%s> BODY=8BITMIME
                    S: 250
                    """.formatted(from));
            for (String r : recipients) {
                t.send("RCPT TO:<" + r + ">\r\n");
                t.expect("250");
            }
            t.run("""
                    C: DATA
                    S: 354
                    """);
            // RFC 5321 §4.5.2: a line that begins with a dot gets one more.
            t.send(message.replaceAll("(?m)^\\.", "..") + ".\r\n");
            t.expect("250 2.0.0 Ok: queued as ");
            t.run("""
                    C: QUIT
                    S: 221
                    """);
        }
    }

    private static Limits withQuota(Limits l) {
        return new Limits(l.maxMessageSize(), l.maxRecipients(), l.maxCommandLine(), l.maxTextLine(), l.maxErrors(),
                l.maxAuthFailuresPerConnection(), l.maxAuthFailuresPerAddress(), l.authFailureWindow(), l.idleTimeout(),
                l.dataTimeout(), l.imapIdleTimeout(), l.maxConnections(), l.maxConnectionsPerAddress(),
                l.maxLiteralSize(), QUOTA);
    }
}
