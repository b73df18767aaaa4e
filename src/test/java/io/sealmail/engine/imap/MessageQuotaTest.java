package io.sealmail.engine.imap;

import io.sealmail.config.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static io.sealmail.engine.imap.MailAccessTestServer.ANN;
import static io.sealmail.engine.imap.MailAccessTestServer.JOE;
import static io.sealmail.engine.imap.MailAccessTestServer.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The MESSAGE quota (RFC 9208 §5.2, {@code limits.quotaMessagesPerAccount}) over the wire, with the production Maildir
 * store on 127.0.6.106: submission refuses with 552 5.2.2 (at RCPT when the account is full, after the data when the
 * last place went meanwhile), APPEND, MULTIAPPEND and COPY with {@code NO [OVERQUOTA]}, MOVE stays possible (the count
 * does not change), EXPUNGE gives places back; GETQUOTAROOT/GETQUOTA report it beside STORAGE or alone, STATUS gives
 * MESSAGES and DELETED per folder. Raw transcripts and Python imaplib.
 */
class MessageQuotaTest {
    static final String HOST = "127.0.6.106";

    @TempDir
    Path dir;

    private static String message(String subject) {
        return "From: " + ANN + "\r\nSubject: " + subject + "\r\n\r\nbody of " + subject + "\r\n";
    }

    private static String append(SocketTranscript t, String tag, String folder, String subject) {
        String m = message(subject);
        return t.sendRaw(tag + " APPEND " + folder + " {" + m.length() + "+}\r\n" + m + "\r\n", tag);
    }

    /** A submission session up to an accepted or refused RCPT; returns the client, the RCPT reply in {@code rcpt[0]}. */
    private static WireClient submitUpToRcpt(MailAccessTestServer server, String[] rcpt) throws Exception {
        WireClient c = server.submissionLoggedIn(ANN, PASSWORD);
        c.sendLine("MAIL FROM:<" + ANN + ">");
        c.readUntil("250 ");
        c.sendLine("RCPT TO:<" + JOE + ">");
        rcpt[0] = c.readLine();
        return c;
    }

    private static String data(WireClient c, String subject) throws Exception {
        c.sendLine("DATA");
        c.readUntil("354 ");
        c.send(message(subject));
        c.sendLine(".");
        return c.readLine();
    }

    private static String submit(MailAccessTestServer server, String subject) throws Exception {
        String[] rcpt = new String[1];
        try (WireClient c = submitUpToRcpt(server, rcpt)) {
            return rcpt[0].startsWith("250") ? data(c, subject) : rcpt[0];
        }
    }

    @Test
    void messageCountIsEnforcedOnSubmissionAppendMultiappendAndCopy() throws Exception {
        // Four messages, no limit on octets: MESSAGE alone.
        try (MailAccessTestServer server = new MailAccessTestServer(dir, l -> l.withQuotas(0, 4), true, b -> b, HOST);
             SocketTranscript t = SocketTranscript.login(server, JOE, PASSWORD)) {
            assertThat(t.send("c CAPABILITY")).contains(" QUOTA QUOTA=RES-STORAGE QUOTA=RES-MESSAGE ");
            assertThat(t.send("q0 GETQUOTAROOT INBOX")).isEqualTo("* QUOTAROOT \"INBOX\" \"\"\r\n* QUOTA \"\" (MESSAGE 0 4)\r\n"
                    + "q0 OK GETQUOTAROOT completed\r\n");
            assertThat(submit(server, "one")).startsWith("250 ");
            assertThat(submit(server, "two")).startsWith("250 ");
            assertThat(append(t, "a1", "INBOX", "three")).startsWith("a1 OK [APPENDUID");
            assertThat(t.send("q1 GETQUOTA \"\"")).isEqualTo("* QUOTA \"\" (MESSAGE 3 4)\r\nq1 OK GETQUOTA completed\r\n");

            // MULTIAPPEND of two with one place left: all or nothing (RFC 3502), nothing stored.
            String m1 = message("four");
            String m2 = message("five");
            assertThat(t.sendRaw("a2 APPEND Drafts {" + m1.length() + "+}\r\n" + m1 + " {" + m2.length() + "+}\r\n" + m2 + "\r\n", "a2"))
                    .isEqualTo("a2 NO [OVERQUOTA] Quota exceeded: 3 of 4 messages used, 2 more needed\r\n");
            assertThat(t.send("s0 STATUS Drafts (MESSAGES)")).startsWith("* STATUS \"Drafts\" (MESSAGES 0)\r\n");

            // One place: one SMTP session takes RCPT while it is free, IMAP takes it before the data ends.
            String[] rcpt = new String[1];
            try (WireClient smtp = submitUpToRcpt(server, rcpt)) {
                assertThat(rcpt[0]).startsWith("250 ");
                assertThat(append(t, "a3", "Drafts", "four")).startsWith("a3 OK [APPENDUID");
                assertThat(data(smtp, "late")).as("refused after the data, permanently").startsWith("552 5.2.2");
            }
            // Full: RCPT is refused at once.
            assertThat(submit(server, "six")).startsWith("552 5.2.2").contains("Mailbox full");
            assertThat(append(t, "a4", "INBOX", "six")).isEqualTo("a4 NO [OVERQUOTA] Quota exceeded: 4 of 4 messages used, 1 more needed\r\n");
            assertThat(t.send("q2 GETQUOTAROOT Drafts")).isEqualTo("* QUOTAROOT \"Drafts\" \"\"\r\n* QUOTA \"\" (MESSAGE 4 4)\r\n"
                    + "q2 OK GETQUOTAROOT completed\r\n");

            t.send("s SELECT INBOX");
            assertThat(t.send("k COPY 1 Archive")).isEqualTo("k NO [OVERQUOTA] Quota exceeded: 4 of 4 messages used, 1 more needed\r\n");
            assertThat(t.send("k2 UID COPY 1:* Archive")).startsWith("k2 NO [OVERQUOTA] Quota exceeded: 4 of 4 messages used, 3 more needed");
            assertThat(t.send("s1 STATUS Archive (MESSAGES)")).startsWith("* STATUS \"Archive\" (MESSAGES 0)\r\n");
            // MOVE stays in the quota root: the count does not change, so it is allowed when full (as Dovecot does).
            assertThat(t.send("m MOVE 1 Archive")).contains("m OK");
            assertThat(t.send("q3 GETQUOTA \"\"")).startsWith("* QUOTA \"\" (MESSAGE 4 4)\r\n");

            // STATUS: the count per folder, and DELETED (RFC 9208 §5.2 asks for it with MESSAGE) for what EXPUNGE frees.
            t.send("f STORE 1 +FLAGS.SILENT (\\Deleted)");
            assertThat(t.send("s2 STATUS INBOX (MESSAGES DELETED)")).startsWith("* STATUS \"INBOX\" (MESSAGES 2 DELETED 1)\r\n");
            assertThat(t.send("s3 STATUS Archive (MESSAGES DELETED)")).startsWith("* STATUS \"Archive\" (MESSAGES 1 DELETED 0)\r\n");
            assertThat(t.send("e EXPUNGE")).contains("e OK");
            assertThat(t.send("q4 GETQUOTA \"\"")).startsWith("* QUOTA \"\" (MESSAGE 3 4)\r\n");
            assertThat(t.send("k3 COPY 1 Archive")).contains("k3 OK [COPYUID");
            assertThat(t.send("k4 COPY 1 Archive")).startsWith("k4 NO [OVERQUOTA]");

            // Deleting a folder gives its messages back (the account is counted again from its files).
            assertThat(t.send("d DELETE Archive")).contains("d OK");
            assertThat(t.send("q5 GETQUOTA \"\"")).startsWith("* QUOTA \"\" (MESSAGE 2 4)\r\n");
            assertThat(t.send("x SETQUOTA \"\" (MESSAGE 10)")).startsWith("x NO [NOPERM]");
        }
        // A restart counts the files again: the same figure.
        try (MailAccessTestServer server = new MailAccessTestServer(dir, l -> l.withQuotas(0, 4), true, b -> b, HOST);
             SocketTranscript t = SocketTranscript.login(server, JOE, PASSWORD)) {
            assertThat(t.send("q GETQUOTA \"\"")).startsWith("* QUOTA \"\" (MESSAGE 2 4)\r\n");
            assertThat(submit(server, "seven")).startsWith("250 ");
            assertThat(submit(server, "eight")).startsWith("250 ");
            assertThat(submit(server, "nine")).startsWith("552 5.2.2");
        }
    }

    @Test
    void bothResourcesAreReportedTogetherAndEitherRefuses() throws Exception {
        try (MailAccessTestServer server = new MailAccessTestServer(dir, l -> l.withQuotas(10 * 1024, 2), true, b -> b, HOST);
             SocketTranscript t = SocketTranscript.login(server, JOE, PASSWORD)) {
            assertThat(t.send("q0 GETQUOTA \"\"")).isEqualTo("* QUOTA \"\" (STORAGE 0 10 MESSAGE 0 2)\r\nq0 OK GETQUOTA completed\r\n");
            String big = "Subject: big\r\n\r\n" + ("y".repeat(78) + "\r\n").repeat(200);
            assertThat(t.sendRaw("a1 APPEND INBOX {" + big.length() + "+}\r\n" + big + "\r\n", "a1"))
                    .as("STORAGE refuses first").startsWith("a1 NO [OVERQUOTA] Quota exceeded: 0 of 10240 octets used, " + big.length());
            assertThat(append(t, "a2", "INBOX", "one")).startsWith("a2 OK");
            assertThat(append(t, "a3", "INBOX", "two")).startsWith("a3 OK");
            assertThat(append(t, "a4", "INBOX", "three")).as("then MESSAGE")
                    .isEqualTo("a4 NO [OVERQUOTA] Quota exceeded: 2 of 2 messages used, 1 more needed\r\n");
            assertThat(t.send("q1 GETQUOTAROOT INBOX")).matches("(?s)\\* QUOTAROOT \"INBOX\" \"\"\r\n\\* QUOTA \"\" \\(STORAGE 1 10 MESSAGE 2 2\\)\r\n.*");
        }
    }

    @Test
    void withoutALimitThereIsNoQuotaRoot() throws Exception {
        try (MailAccessTestServer server = new MailAccessTestServer(dir, l -> l, true, b -> b, HOST);
             SocketTranscript t = SocketTranscript.login(server, JOE, PASSWORD)) {
            assertThat(t.send("q GETQUOTAROOT INBOX")).isEqualTo("* QUOTAROOT \"INBOX\"\r\nq OK GETQUOTAROOT completed\r\n");
            assertThat(t.send("g GETQUOTA \"\"")).startsWith("g NO [NONEXISTENT]");
        }
    }

    /** Python imaplib: getquotaroot/getquota read MESSAGE, APPEND past it fails with OVERQUOTA. */
    @Test
    void pythonImaplibSeesTheMessageQuota() throws Exception {
        try (MailAccessTestServer server = new MailAccessTestServer(dir, l -> l.withQuotas(0, 2), true, b -> b, HOST)) {
            assertThat(submit(server, "one")).startsWith("250 ");
            Path script = Files.writeString(dir.resolve("message_quota.py"), """
                    import imaplib, os, ssl, sys
                    ctx = ssl.create_default_context(cafile=os.environ["CA"])
                    class Client(imaplib.IMAP4_SSL):
                        # HOST is a 127.0.6.x address; the certificate names localhost.
                        def _create_socket(self, timeout):
                            sock = imaplib.IMAP4._create_socket(self, timeout)
                            return self.ssl_context.wrap_socket(sock, server_hostname="localhost")
                    m = Client(os.environ["HOST"], int(os.environ["IMAPS"]), ssl_context=ctx)
                    m.login(os.environ["USER_NAME"], os.environ["PASSWORD"])
                    def check(cond, what, got):
                        if not cond:
                            print("FAIL", what, repr(got)); sys.exit(1)
                        print("ok", what)
                    caps = m.capability()[1][0].decode().split()
                    check("QUOTA=RES-MESSAGE" in caps, "capability", caps)
                    typ, data = m.getquotaroot("INBOX")
                    check(typ == "OK" and data[0][0] == b'"INBOX" ""' and data[1][0] == b'"" (MESSAGE 1 2)', "getquotaroot", data)
                    typ, data = m.append("Sent", None, None, b"Subject: py\\r\\n\\r\\nhello\\r\\n")
                    check(typ == "OK", "append within the limit", data)
                    typ, data = m.getquota('""')
                    check(typ == "OK" and data[0] == b'"" (MESSAGE 2 2)', "getquota", data)
                    typ, data = m.append("Sent", None, None, b"Subject: py2\\r\\n\\r\\nhello\\r\\n")
                    check(typ == "NO" and data[0].startswith(b"[OVERQUOTA]"), "append past the limit", data)
                    typ, data = m.status("Sent", "(MESSAGES DELETED)")
                    check(typ == "OK" and data[0] == b'"Sent" (MESSAGES 1 DELETED 0)', "status", data)
                    m.logout()
                    print("ALL OK")
                    """);
            ExternalClientsTest.Result r = ExternalClientsTest.run(Map.of("CA", server.pki().caCrt().toString(), "HOST", HOST,
                    "USER_NAME", JOE, "PASSWORD", PASSWORD, "IMAPS", "" + server.port(Role.IMAPS)), "python3", script.toString());
            assertThat(r.out()).contains("ALL OK");
            assertThat(r.exit()).isZero();
        }
    }
}
