package io.sealmail.engine.imap;

import io.sealmail.config.Role;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static io.sealmail.engine.imap.MailAccessTestServer.JOE;
import static io.sealmail.engine.imap.MailAccessTestServer.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * IMAP4rev2 (RFC 9051) advertised beside IMAP4rev1: answers stay IMAP4rev1's until {@code ENABLE IMAP4rev2}
 * (Appendix A), then ESEARCH for every SEARCH, a LIST response and no RECENT/UNSEEN in SELECT, [CLOSED], UTF-8
 * mailbox names, {@code \NonExistent} for missing parent levels. Raw transcripts over a socket to the real engine
 * (IMAPS on 127.0.6.102, the production Maildir store), and Python imaplib.
 */
class Imap4rev2Test {
    static final String HOST = "127.0.6.102";
    @TempDir
    static Path dir;
    static MailAccessTestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new MailAccessTestServer(dir, l -> l, true, b -> b, HOST);
        try (SocketTranscript t = SocketTranscript.login(server, JOE, PASSWORD)) {
            for (int i = 1; i <= 3; i++) {
                String m = "From: u" + i + "@example.test\r\nSubject: m" + i + "\r\n\r\nbody " + i + "\r\n";
                assertThat(t.sendRaw("p APPEND INBOX " + (i == 1 ? "(\\Seen) " : "") + "{" + m.length() + "+}\r\n" + m + "\r\n", "p"))
                        .contains("p OK");
            }
        }
        // Folders another tool made: "Lists/rust" and "Lists/java" without "Lists" itself (Maildir++ ".Lists.rust").
        Path account = dir.resolve("data/mail/" + JOE);
        for (String folder : new String[] {".Lists.rust", ".Lists.java"}) {
            for (String sub : new String[] {"cur", "new", "tmp"}) {
                Files.createDirectories(account.resolve(folder).resolve(sub));
            }
        }
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void imap4rev1AnswersUntilEnabled() throws Exception {
        try (SocketTranscript t = SocketTranscript.login(server, JOE, PASSWORD)) {
            assertThat(t.send("c CAPABILITY")).startsWith("* CAPABILITY IMAP4rev1 IMAP4rev2 ");
            String select = t.send("s SELECT INBOX");
            assertThat(select).contains("* 3 EXISTS\r\n* 0 RECENT\r\n* OK [UNSEEN 2] First unseen\r\n").doesNotContain("* LIST");
            assertThat(t.send("a SEARCH ALL")).isEqualTo("* SEARCH 1 2 3\r\na OK SEARCH completed\r\n");
            assertThat(t.send("s2 SELECT Sent")).as("no [CLOSED] for an IMAP4rev1 client without QRESYNC")
                    .doesNotContain("CLOSED");
            assertThat(t.send("l LIST \"\" %")).contains("* LIST (\\Noselect \\HasChildren) \"/\" \"Lists\"\r\n");
        }
    }

    @Test
    void enabledSessionAnswersAsRfc9051() throws Exception {
        try (SocketTranscript t = SocketTranscript.login(server, JOE, PASSWORD)) {
            assertThat(t.send("e0 ENABLE")).as("RFC 5161: at least one capability").startsWith("e0 BAD");
            assertThat(t.send("e ENABLE imap4rev2")).isEqualTo("* ENABLED IMAP4rev2\r\ne OK ENABLE completed\r\n");
            assertThat(t.send("e2 ENABLE IMAP4rev2")).as("already on: named once only").isEqualTo("* ENABLED\r\ne2 OK ENABLE completed\r\n");

            String select = t.send("s SELECT INBOX");
            assertThat(select).contains("* FLAGS (", "* OK [PERMANENTFLAGS (", "* 3 EXISTS\r\n",
                            "* LIST (\\HasNoChildren) \"/\" \"INBOX\"\r\n", "* OK [UIDVALIDITY ", "* OK [UIDNEXT 4]")
                    .doesNotContain("RECENT", "UNSEEN", "CLOSED").endsWith("s OK [READ-WRITE] SELECT completed\r\n");
            assertThat(t.send("a SEARCH ALL")).isEqualTo("* ESEARCH (TAG \"a\") ALL 1:3\r\na OK SEARCH completed\r\n");
            assertThat(t.send("a2 UID SEARCH 2:*")).isEqualTo("* ESEARCH (TAG \"a2\") UID ALL 2:3\r\na2 OK UID SEARCH completed\r\n");
            assertThat(t.send("a3 SEARCH SUBJECT nothing-matches")).as("still an ESEARCH response, without ALL")
                    .isEqualTo("* ESEARCH (TAG \"a3\")\r\na3 OK SEARCH completed\r\n");
            assertThat(t.send("a4 SEARCH UNSEEN MODSEQ 1")).matches("\\* ESEARCH \\(TAG \"a4\"\\) ALL 2:3 MODSEQ \\d+\r\na4 OK SEARCH completed\r\n");
            assertThat(t.send("a5 SEARCH RETURN (COUNT) ALL")).isEqualTo("* ESEARCH (TAG \"a5\") COUNT 3\r\na5 OK SEARCH completed\r\n");
            assertThat(t.send("a6 SEARCH RETURN (SAVE) 2")).as("SAVE alone: still nothing").isEqualTo("a6 OK SEARCH completed, result saved\r\n");
            assertThat(t.send("a7 FETCH $ (UID FLAGS)")).isEqualTo("* 2 FETCH (UID 2 FLAGS ())\r\na7 OK FETCH completed\r\n");
            assertThat(t.send("st STATUS Sent (MESSAGES SIZE DELETED)")).isEqualTo("* STATUS \"Sent\" (MESSAGES 0 SIZE 0 DELETED 0)\r\nst OK STATUS completed\r\n");

            // SELECT while selected: [CLOSED] first (§6.3.2), also when the new SELECT fails.
            String sent = t.send("s2 EXAMINE Sent");
            assertThat(sent).startsWith("* OK [CLOSED] Previous mailbox is now closed\r\n")
                    .contains("* LIST (\\HasNoChildren \\Sent) \"/\" \"Sent\"\r\n").endsWith("s2 OK [READ-ONLY] EXAMINE completed\r\n");
            assertThat(t.send("s3 SELECT Nowhere")).startsWith("* OK [CLOSED]").contains("s3 NO ");
            assertThat(t.send("f FETCH 1 UID")).as("nothing selected after the failed SELECT").startsWith("f BAD");

            // Parent levels that exist only through their children (§6.3.9.6, example 10).
            assertThat(t.send("l LIST \"\" %")).contains("* LIST (\\NonExistent \\HasChildren) \"/\" \"Lists\"\r\n")
                    .doesNotContain("Lists/");
            assertThat(t.send("l2 LIST \"\" *")).contains("\"Lists/java\"", "\"Lists/rust\"").doesNotContain("\"Lists\"");
            assertThat(t.send("l3 LIST \"\" Lists/%")).contains("\"Lists/java\"", "\"Lists/rust\"").doesNotContain("\"Lists\"\r\n");
            assertThat(t.send("l4 SELECT Lists")).as("a missing level cannot be selected").contains("l4 NO ");

            // UTF-8 mailbox names both ways, no modified UTF-7 (RFC 9051 §5.1).
            assertThat(t.send("c CREATE \"Caf\u00e9\"")).endsWith("c OK CREATE completed\r\n");
            assertThat(t.send("l5 LIST \"\" Caf*")).isEqualTo("* LIST (\\HasNoChildren) \"/\" \"Caf\u00e9\"\r\nl5 OK LIST completed\r\n");
            try (SocketTranscript rev1 = SocketTranscript.login(server, JOE, PASSWORD)) {
                assertThat(rev1.send("l LIST \"\" Caf*")).as("an IMAP4rev1 session still sees modified UTF-7")
                        .isEqualTo("* LIST (\\HasNoChildren) \"/\" \"Caf&AOk-\"\r\nl OK LIST completed\r\n");
                rev1.send("s SELECT INBOX");
                rev1.send("st STORE 3 +FLAGS (\\Flagged)");
            }
            assertThat(t.send("d DELETE \"Caf\u00e9\"")).endsWith("d OK DELETE completed\r\n");
        }
    }

    @Test
    void aSubscriptionOutlivesItsFolderAsNonExistent() throws Exception {
        try (SocketTranscript t = SocketTranscript.login(server, JOE, PASSWORD)) {
            t.send("c CREATE Gone");
            t.send("s SUBSCRIBE Gone");
            assertThat(t.send("d DELETE Gone")).endsWith("d OK DELETE completed\r\n");
            assertThat(t.send("l LIST (SUBSCRIBED) \"\" G*")).as("RFC 5258 §3.1, as Dovecot, in IMAP4rev1 too")
                    .isEqualTo("* LIST (\\Subscribed \\NonExistent) \"/\" \"Gone\"\r\nl OK LIST completed\r\n");
            assertThat(t.send("l2 LSUB \"\" G*")).isEqualTo("* LSUB (\\Noselect) \"/\" \"Gone\"\r\nl2 OK LSUB completed\r\n");
            assertThat(t.send("l3 LIST \"\" G* RETURN (SUBSCRIBED)")).as("not selected by SUBSCRIBED: existing folders only")
                    .isEqualTo("l3 OK LIST completed\r\n");
            t.send("e ENABLE IMAP4rev2");
            assertThat(t.send("l4 LIST (SUBSCRIBED) \"\" *")).contains("* LIST (\\Subscribed \\NonExistent) \"/\" \"Gone\"\r\n",
                    "* LIST (\\HasNoChildren \\Subscribed) \"/\" \"INBOX\"\r\n");
            assertThat(t.send("n SUBSCRIBE Nowhere")).as("a name that never existed is still refused").startsWith("n NO ");
            t.send("c2 CREATE Gone");
            assertThat(t.send("l5 LIST (SUBSCRIBED) \"\" G*")).as("made again: subscribed, as before")
                    .isEqualTo("* LIST (\\HasNoChildren \\Subscribed) \"/\" \"Gone\"\r\nl5 OK LIST completed\r\n");
            t.send("d2 DELETE Gone");
            assertThat(t.send("u UNSUBSCRIBE Gone")).endsWith("u OK UNSUBSCRIBE completed\r\n");
            assertThat(t.send("l6 LIST (SUBSCRIBED) \"\" G*")).isEqualTo("l6 OK LIST completed\r\n");
        }
    }

    @Test
    void unsolicitedFetchCarriesTheUid() throws Exception {
        try (SocketTranscript t = SocketTranscript.login(server, JOE, PASSWORD);
             SocketTranscript other = SocketTranscript.login(server, JOE, PASSWORD)) {
            t.send("e ENABLE IMAP4rev2");
            t.send("s SELECT INBOX");
            other.send("s SELECT INBOX");
            other.send("st STORE 2 +FLAGS (\\Answered)");
            assertThat(t.send("n NOOP")).as("RFC 9051 Appendix E item 21").contains("* 2 FETCH (UID 2 FLAGS (\\Answered))\r\n");
            other.send("st2 STORE 2 -FLAGS (\\Answered)");
        }
    }

    @Test
    void pythonImaplibEnablesImap4rev2() throws Exception {
        Path script = dir.resolve("python_imap4rev2.py");
        try (InputStream in = getClass().getResourceAsStream("/imap/python_imap4rev2.py")) {
            Files.write(script, in.readAllBytes());
        }
        ExternalClientsTest.Result r = ExternalClientsTest.run(Map.of("CA", server.pki().caCrt().toString(),
                "HOST", HOST, "USER_NAME", JOE, "PASSWORD", PASSWORD, "IMAPS", "" + server.port(Role.IMAPS)),
                "python3", script.toString());
        assertThat(r.out()).contains("ALL OK");
        assertThat(r.exit()).isZero();
    }
}
