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
 * SEARCHRES (RFC 5182: {@code RETURN (SAVE)} and {@code $}) and ESORT (RFC 5267 §3: SORT with RETURN options) as raw
 * transcripts over a socket to the real engine (IMAPS on 127.0.6.101, the production Maildir store), every error case included, and Python
 * imaplib using both. Each test selects its own folder, filled with the same six messages:
 *
 * <pre>
 *   1 delta   2 beta   3 alpha   4 echo   5 Re: beta   6 charlie     (bodies shrink from 1 to 6)
 * </pre>
 */
class SearchResEsortTest {
    static final String HOST = "127.0.6.101";
    static final String[] SUBJECTS = {"delta", "beta", "alpha", "echo", "Re: beta", "charlie"};
    @TempDir
    static Path dir;
    static MailAccessTestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new MailAccessTestServer(dir, l -> l, true, b -> b, HOST); // the production Maildir store
        try (SocketTranscript t = SocketTranscript.login(server, JOE, PASSWORD)) {
            for (String folder : new String[] {"Res", "Sort", "Py", "Page"}) {
                t.send("c CREATE " + folder);
                for (int i = 0; i < SUBJECTS.length; i++) {
                    String m = "From: u" + i + "@example.test\r\nSubject: " + SUBJECTS[i] + "\r\n\r\n"
                            + "x".repeat(100 * (SUBJECTS.length - i)) + "\r\n";
                    assertThat(t.sendRaw("p APPEND " + folder + " {" + m.length() + "+}\r\n" + m + "\r\n", "p")).contains("p OK");
                }
            }
        }
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void savedResultServesFetchStoreCopySearchAndUidExpunge() throws Exception {
        try (SocketTranscript t = SocketTranscript.login(server, JOE, PASSWORD)) {
            assertThat(t.send("c CAPABILITY")).contains(" ESEARCH ESORT SEARCHRES ").doesNotContain("CONTEXT=");
            assertThat(t.send("n FETCH $ (UID)")).as("no mailbox selected").startsWith("n BAD");
            t.send("s SELECT Res");
            assertThat(t.send("f0 FETCH $ (UID)")).as("empty after SELECT (§2.1), a valid set all the same")
                    .isEqualTo("f0 OK FETCH completed\r\n");
            assertThat(t.send("a SEARCH RETURN (SAVE) SUBJECT beta")).as("SAVE alone: no ESEARCH (§1)")
                    .isEqualTo("a OK SEARCH completed, result saved\r\n");
            assertThat(t.send("f1 FETCH $ (UID)")).isEqualTo("* 2 FETCH (UID 2)\r\n* 5 FETCH (UID 5)\r\nf1 OK FETCH completed\r\n");
            assertThat(t.send("f2 UID FETCH $ (UID)")).as("the same messages as UIDs")
                    .isEqualTo("* 2 FETCH (UID 2)\r\n* 5 FETCH (UID 5)\r\nf2 OK UID FETCH completed\r\n");
            assertThat(t.send("s1 SEARCH $")).isEqualTo("* SEARCH 2 5\r\ns1 OK SEARCH completed\r\n");
            assertThat(t.send("s2 UID SEARCH UID $ SMALLER 500")).as("example 3: UID $ and $ are one set")
                    .isEqualTo("* SEARCH 5\r\ns2 OK UID SEARCH completed\r\n");
            assertThat(t.send("s3 SEARCH CHARSET UTF-8 (OR $ 1)")).as("example 4: combined with OR")
                    .isEqualTo("* SEARCH 1 2 5\r\ns3 OK SEARCH completed\r\n");
            assertThat(t.send("st STORE $ +FLAGS (\\Flagged)"))
                    .isEqualTo("* 2 FETCH (FLAGS (\\Flagged))\r\n* 5 FETCH (FLAGS (\\Flagged))\r\nst OK STORE completed\r\n");
            assertThat(t.send("cp COPY $ Archive")).matches("cp OK \\[COPYUID \\d+ 2,5 1,2\\] COPY completed\r\n");

            // Example 7: pipelined behind the SEARCH that saves; run in order.
            String pipelined = t.sendRaw("p1 SEARCH RETURN (SAVE) KEYWORD $Junk\r\np2 FETCH $ (UID)\r\n"
                    + "p3 SEARCH RETURN (SAVE) FLAGGED\r\np4 UID FETCH $ (UID)\r\n", "p4");
            assertThat(pipelined).isEqualTo("p1 OK SEARCH completed, result saved\r\np2 OK FETCH completed\r\n"
                    + "p3 OK SEARCH completed, result saved\r\n* 2 FETCH (UID 2)\r\n* 5 FETCH (UID 5)\r\np4 OK UID FETCH completed\r\n");

            // An expunged message drops out of $ (§2.1), and the rest is renumbered with the folder.
            t.send("d STORE 2 +FLAGS.SILENT (\\Deleted)");
            t.send("d2 STORE 1 +FLAGS.SILENT (\\Deleted)");
            assertThat(t.send("x UID EXPUNGE $")).as("only the \\Deleted messages of $")
                    .isEqualTo("* 2 EXPUNGE\r\nx OK UID EXPUNGE completed\r\n");
            assertThat(t.send("f3 FETCH $ (UID)")).isEqualTo("* 4 FETCH (UID 5)\r\nf3 OK FETCH completed\r\n");
            t.send("u STORE 1 -FLAGS.SILENT (\\Deleted)");

            // ESEARCH options beside SAVE (§2.4).
            assertThat(t.send("m1 SEARCH RETURN (SAVE MIN) ALL")).isEqualTo("* ESEARCH (TAG \"m1\") MIN 1\r\nm1 OK SEARCH completed, result saved\r\n");
            assertThat(t.send("f4 FETCH $ (UID)")).as("SAVE MIN keeps MIN only").isEqualTo("* 1 FETCH (UID 1)\r\nf4 OK FETCH completed\r\n");
            assertThat(t.send("m2 UID SEARCH RETURN (MAX SAVE MIN) ALL"))
                    .isEqualTo("* ESEARCH (TAG \"m2\") UID MIN 1 MAX 6\r\nm2 OK UID SEARCH completed, result saved\r\n");
            assertThat(t.send("f5 FETCH $ (UID)")).isEqualTo("* 1 FETCH (UID 1)\r\n* 5 FETCH (UID 6)\r\nf5 OK FETCH completed\r\n");
            assertThat(t.send("m3 SEARCH RETURN (SAVE COUNT MIN) 2:3")).isEqualTo("* ESEARCH (TAG \"m3\") MIN 2 COUNT 2\r\nm3 OK SEARCH completed, result saved\r\n");
            assertThat(t.send("f6 FETCH $ (UID)")).as("with COUNT: all found").isEqualTo("* 2 FETCH (UID 3)\r\n* 3 FETCH (UID 4)\r\nf6 OK FETCH completed\r\n");
            assertThat(t.send("m4 SEARCH RETURN (SAVE MIN MAX) SUBJECT nothing-matches"))
                    .as("no MIN or MAX when nothing matches (RFC 4731 §3.1)")
                    .isEqualTo("* ESEARCH (TAG \"m4\")\r\nm4 OK SEARCH completed, result saved\r\n");
            assertThat(t.send("f7 FETCH $ (UID)")).as("nothing found: empty").isEqualTo("f7 OK FETCH completed\r\n");
        }
    }

    @Test
    void errorsLeaveOrEmptyTheSavedResultAsTheRfcSays() throws Exception {
        try (SocketTranscript t = SocketTranscript.login(server, JOE, PASSWORD)) {
            t.send("s SELECT Res");
            t.send("a SEARCH RETURN (SAVE) 3:4");
            assertThat(t.send("b1 SEARCH RETURN (SAVE) BOGUS")).startsWith("b1 BAD");
            assertThat(t.send("b2 SEARCH RETURN (SAVE")).startsWith("b2 BAD");
            assertThat(t.send("b3 SEARCH RETURN (SAVE UPDATE) ALL")).as("CONTEXT=SEARCH is not offered").startsWith("b3 BAD");
            assertThat(t.send("b4 SEARCH CHARSET KOI8-R ALL")).as("NO without SAVE").startsWith("b4 NO [BADCHARSET");
            assertThat(t.send("f1 FETCH $ (UID)")).as("BAD, or NO without SAVE, leave $ alone (§2.1)")
                    .isEqualTo("* 3 FETCH (UID 3)\r\n* 4 FETCH (UID 4)\r\nf1 OK FETCH completed\r\n");
            assertThat(t.send("n SEARCH RETURN (SAVE) CHARSET KOI8-R ALL")).startsWith("n NO [BADCHARSET (US-ASCII UTF-8)]");
            assertThat(t.send("f2 FETCH $ (UID)")).as("a SAVE answered NO empties $").isEqualTo("f2 OK FETCH completed\r\n");

            t.send("a2 SEARCH RETURN (SAVE) 1");
            assertThat(t.send("c1 FETCH 1,$ (UID)")).as("$ stands alone (§3)").startsWith("c1 BAD");
            assertThat(t.send("c2 FETCH $:2 (UID)")).startsWith("c2 BAD");
            assertThat(t.send("c3 SEARCH UID $,1")).startsWith("c3 BAD");
            assertThat(t.send("c4 STORE $$ +FLAGS (\\Seen)")).startsWith("c4 BAD");
            t.send("e ENABLE QRESYNC");
            assertThat(t.send("q SELECT Res (QRESYNC (1 1 $))")).as("not a place for $").startsWith("q BAD");

            t.send("s2 SELECT Res");
            t.send("a3 SEARCH RETURN (SAVE) 2");
            t.send("u UNSELECT");
            t.send("s3 EXAMINE Res");
            assertThat(t.send("f3 FETCH $ (UID)")).as("reset by EXAMINE").isEqualTo("f3 OK FETCH completed\r\n");
            assertThat(t.send("f4 COPY $ Archive")).as("example 6: nothing to copy, still OK").startsWith("f4 OK");
        }
    }

    @Test
    void esortAnswersInSortOrder() throws Exception {
        try (SocketTranscript t = SocketTranscript.login(server, JOE, PASSWORD)) {
            t.send("s SELECT Sort");
            // Subject order: alpha 3, beta 2, (Re:) beta 5, charlie 6, delta 1, echo 4.
            assertThat(t.send("a SORT (SUBJECT) UTF-8 ALL")).isEqualTo("* SORT 3 2 5 6 1 4\r\na OK SORT completed\r\n");
            assertThat(t.send("b SORT RETURN (MIN MAX ALL COUNT) (SUBJECT) UTF-8 ALL"))
                    .as("MIN and MAX are the ends of the sort order; ranges only for ascending runs (§3.2)")
                    .isEqualTo("* ESEARCH (TAG \"b\") MIN 3 MAX 4 ALL 3,2,5:6,1,4 COUNT 6\r\nb OK SORT completed\r\n");
            assertThat(t.send("c UID SORT RETURN () (REVERSE SIZE) US-ASCII ALL")).as("() is ALL (§3.3)")
                    .isEqualTo("* ESEARCH (TAG \"c\") UID ALL 1:6\r\nc OK UID SORT completed\r\n");
            assertThat(t.send("d SORT RETURN (ALL) (SIZE) UTF-8 ALL"))
                    .isEqualTo("* ESEARCH (TAG \"d\") ALL 6,5,4,3,2,1\r\nd OK SORT completed\r\n");
            assertThat(t.send("e SORT RETURN (COUNT MIN) (SUBJECT) UTF-8 SUBJECT nothing-matches"))
                    .isEqualTo("* ESEARCH (TAG \"e\") COUNT 0\r\ne OK SORT completed\r\n");
            assertThat(t.send("f SORT RETURN (MAX) (SUBJECT) UTF-8 MODSEQ 1"))
                    .matches("\\* ESEARCH \\(TAG \"f\"\\) MAX 4 MODSEQ \\d+\r\nf OK SORT completed\r\n");

            assertThat(t.send("g SORT RETURN (SAVE MIN) (SIZE) UTF-8 ALL"))
                    .isEqualTo("* ESEARCH (TAG \"g\") MIN 6\r\ng OK SORT completed, result saved\r\n");
            assertThat(t.send("g2 FETCH $ (UID)")).isEqualTo("* 6 FETCH (UID 6)\r\ng2 OK FETCH completed\r\n");
            assertThat(t.send("h SORT RETURN (SAVE) (SUBJECT) UTF-8 SUBJECT beta")).isEqualTo("h OK SORT completed, result saved\r\n");
            assertThat(t.send("h2 SORT (REVERSE SUBJECT) UTF-8 $")).isEqualTo("* SORT 2 5\r\nh2 OK SORT completed\r\n");
            assertThat(t.send("h3 THREAD ORDEREDSUBJECT UTF-8 $")).isEqualTo("* THREAD (2 5)\r\nh3 OK THREAD completed\r\n");

            assertThat(t.send("x1 SORT RETURN (FOO) (SUBJECT) UTF-8 ALL")).startsWith("x1 BAD");
            assertThat(t.send("x2 SORT RETURN SUBJECT UTF-8 ALL")).startsWith("x2 BAD");
            assertThat(t.send("x3 SORT RETURN (UPDATE) (SUBJECT) UTF-8 ALL")).as("CONTEXT=SORT's live updates are not offered").startsWith("x3 BAD");
            assertThat(t.send("x4 SORT RETURN (ALL) UTF-8 ALL")).as("sort criteria missing").startsWith("x4 BAD");
            assertThat(t.send("x5 SORT RETURN (SAVE) (SUBJECT) KOI8-R ALL")).startsWith("x5 NO [BADCHARSET");
            assertThat(t.send("x6 FETCH $ (UID)")).as("the SAVE answered NO emptied $").isEqualTo("x6 OK FETCH completed\r\n");
        }
    }

    /**
     * RFC 5267 §4.4 PARTIAL on SEARCH and SORT, with the answers and refusals of Dovecot 2.3 (which
     * {@code SortThreadDovecotTest} compares on 3,000 messages); CONTEXT=SEARCH/SORT stay unadvertised since UPDATE is not
     * offered.
     */
    @Test
    void partialPagesSearchAndSortResults() throws Exception {
        try (SocketTranscript t = SocketTranscript.login(server, JOE, PASSWORD)) {
            assertThat(t.send("c CAPABILITY")).doesNotContain("CONTEXT=");
            t.send("s SELECT Page");
            assertThat(t.send("a SEARCH RETURN (PARTIAL 2:4) ALL")).isEqualTo("* ESEARCH (TAG \"a\") PARTIAL (2:4 2:4)\r\na OK SEARCH completed\r\n");
            assertThat(t.send("b UID SEARCH RETURN (PARTIAL 5:2 COUNT MIN MAX) NOT SUBJECT echo")).as("range either way round; Dovecot's order")
                    .isEqualTo("* ESEARCH (TAG \"b\") UID MIN 1 MAX 6 PARTIAL (2:5 2:3,5:6) COUNT 5\r\nb OK UID SEARCH completed\r\n");
            assertThat(t.send("c2 SEARCH RETURN (PARTIAL 5:100) ALL")).as("past the end: what there is")
                    .isEqualTo("* ESEARCH (TAG \"c2\") PARTIAL (5:100 5:6)\r\nc2 OK SEARCH completed\r\n");
            assertThat(t.send("d SEARCH RETURN (PARTIAL 7:4294967295) ALL")).as("nothing there: NIL")
                    .isEqualTo("* ESEARCH (TAG \"d\") PARTIAL (7:4294967295 NIL)\r\nd OK SEARCH completed\r\n");
            assertThat(t.send("e SEARCH RETURN (CONTEXT) SUBJECT beta")).as("CONTEXT is a hint: ALL")
                    .isEqualTo("* ESEARCH (TAG \"e\") ALL 2,5\r\ne OK SEARCH completed\r\n");
            // Subject order: alpha 3, beta 2, (Re:) beta 5, charlie 6, delta 1, echo 4.
            assertThat(t.send("f SORT RETURN (PARTIAL 2:5) (SUBJECT) UTF-8 ALL")).as("positions in sort order")
                    .isEqualTo("* ESEARCH (TAG \"f\") PARTIAL (2:5 2,5:6,1)\r\nf OK SORT completed\r\n");
            assertThat(t.send("g SORT RETURN (PARTIAL 1:2 SAVE) (SUBJECT) UTF-8 ALL"))
                    .isEqualTo("* ESEARCH (TAG \"g\") PARTIAL (1:2 3,2)\r\ng OK SORT completed, result saved\r\n");
            assertThat(t.send("g2 FETCH $ (UID)")).as("$ keeps the window")
                    .isEqualTo("* 2 FETCH (UID 2)\r\n* 3 FETCH (UID 3)\r\ng2 OK FETCH completed\r\n");
            assertThat(t.send("h SEARCH RETURN (SAVE MIN PARTIAL 4:5) ALL")).isEqualTo("* ESEARCH (TAG \"h\") MIN 1 PARTIAL (4:5 4:5)\r\nh OK SEARCH completed, result saved\r\n");
            assertThat(t.send("h2 FETCH $ (UID)")).as("MIN and the window, as Dovecot keeps")
                    .isEqualTo("* 1 FETCH (UID 1)\r\n* 4 FETCH (UID 4)\r\n* 5 FETCH (UID 5)\r\nh2 OK FETCH completed\r\n");
            assertThat(t.send("i SEARCH RETURN (SAVE PARTIAL 1:2 COUNT) ALL")).contains("PARTIAL (1:2 1:2) COUNT 6");
            assertThat(t.send("i2 SEARCH $")).as("with COUNT everything found").isEqualTo("* SEARCH 1 2 3 4 5 6\r\ni2 OK SEARCH completed\r\n");

            // Refusals, worded as Dovecot's; none of them touches $.
            assertThat(t.send("x1 SEARCH RETURN (PARTIAL 1:5 ALL) ALL")).isEqualTo("x1 BAD PARTIAL conflicts with ALL\r\n");
            assertThat(t.send("x2 SEARCH RETURN (PARTIAL 1:2 PARTIAL 3:4) ALL")).isEqualTo("x2 BAD PARTIAL can be used only once\r\n");
            assertThat(t.send("x3 SEARCH RETURN (PARTIAL) ALL")).isEqualTo("x3 BAD PARTIAL range missing\r\n");
            assertThat(t.send("x4 SEARCH RETURN (PARTIAL \"1:2\") ALL")).isEqualTo("x4 BAD PARTIAL range missing\r\n");
            for (String broken : new String[] {"0:5", "5", "-1:-3", "1:2,4:5", "1:4294967296", "1:*", "x:2", "1:99999999999"}) {
                assertThat(t.send("x5 SEARCH RETURN (PARTIAL " + broken + ") ALL")).as(broken).isEqualTo("x5 BAD PARTIAL range broken\r\n");
            }
            assertThat(t.send("x6 SORT RETURN (PARTIAL 0:1) (SUBJECT) UTF-8 ALL")).isEqualTo("x6 BAD PARTIAL range broken\r\n");
            assertThat(t.send("x7 SEARCH RETURN (UPDATE) ALL")).startsWith("x7 BAD RETURN UPDATE is not offered");
            assertThat(t.send("x8 CANCELUPDATE \"a\"")).startsWith("x8 BAD");
            assertThat(t.send("i3 SEARCH $")).isEqualTo("* SEARCH 1 2 3 4 5 6\r\ni3 OK SEARCH completed\r\n");
        }
    }

    @Test
    void pythonImaplibSavesAndUsesTheResult() throws Exception {
        Path script = dir.resolve("python_searchres.py");
        try (InputStream in = getClass().getResourceAsStream("/imap/python_searchres.py")) {
            Files.write(script, in.readAllBytes());
        }
        ExternalClientsTest.Result r = ExternalClientsTest.run(Map.of("CA", server.pki().caCrt().toString(),
                "HOST", HOST, "USER_NAME", JOE, "PASSWORD", PASSWORD, "IMAPS", "" + server.port(Role.IMAPS)),
                "python3", script.toString());
        assertThat(r.out()).contains("ALL OK");
        assertThat(r.exit()).isZero();
    }
}
