package io.sealmail.engine.imap;

import io.sealmail.config.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.sealmail.engine.imap.MailAccessTestServer.JOE;
import static io.sealmail.engine.imap.MailAccessTestServer.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * SAVEDATE (RFC 8514) as raw transcripts over a socket to the real engine on the production Maildir store (IMAPS on
 * 127.0.6.103), where the save time is kept in the folder's index, and on a store that keeps none (127.0.6.104).
 */
class SaveDateTest {
    static final String HOST = "127.0.6.103";
    static final String OLD = "01-Jan-2020 10:00:00 +0000";
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("d-MMM-yyyy", Locale.ENGLISH);
    private static final Pattern SAVEDATE = Pattern.compile("SAVEDATE \"([^\"]+)\"");

    @TempDir
    Path dir;

    private static String today() {
        return DAY.format(LocalDate.now(ZoneOffset.UTC));
    }

    private static String savedate(String fetch) {
        Matcher m = SAVEDATE.matcher(fetch);
        assertThat(m.find()).as(fetch).isTrue();
        return m.group(1);
    }

    private static void append(SocketTranscript t, String folder, String date, String subject) {
        String m = "Subject: " + subject + "\r\n\r\nbody\r\n";
        assertThat(t.sendRaw("p APPEND " + folder + " \"" + date + "\" {" + m.length() + "+}\r\n" + m + "\r\n", "p")).contains("p OK");
    }

    @Test
    void saveDateIsWhenTheMessageCameIntoTheFolderAndSurvivesRestarts() throws Exception {
        String kept;
        try (MailAccessTestServer server = new MailAccessTestServer(dir, l -> l, true, b -> b, HOST);
             SocketTranscript t = SocketTranscript.login(server, JOE, PASSWORD)) {
            assertThat(t.send("c CAPABILITY")).contains(" SAVEDATE ");
            append(t, "INBOX", OLD, "appended with an old internal date");
            t.send("s SELECT INBOX");
            String fetch = t.send("f FETCH 1 (INTERNALDATE SAVEDATE)");
            assertThat(fetch).startsWith("* 1 FETCH (INTERNALDATE \"" + OLD + "\" SAVEDATE \"");
            kept = savedate(fetch);
            assertThat(kept).as("APPEND cannot set it (§3)").startsWith(DateTimeFormatter.ofPattern("dd-MMM-yyyy", Locale.ENGLISH)
                    .format(LocalDate.now(ZoneOffset.UTC)));
            assertThat(t.send("a SEARCH SAVEDON " + today())).isEqualTo("* SEARCH 1\r\na OK SEARCH completed\r\n");
            assertThat(t.send("b SEARCH SAVEDBEFORE " + today())).isEqualTo("* SEARCH\r\nb OK SEARCH completed\r\n");
            assertThat(t.send("c SEARCH SAVEDSINCE 1-Jan-2021 SAVEDATESUPPORTED")).isEqualTo("* SEARCH 1\r\nc OK SEARCH completed\r\n");
            assertThat(t.send("d SEARCH BEFORE 1-Jan-2021")).as("the internal date is another thing")
                    .isEqualTo("* SEARCH 1\r\nd OK SEARCH completed\r\n");
            t.send("st STORE 1 +FLAGS (\\Seen \\Flagged)");
            assertThat(savedate(t.send("f2 FETCH 1 SAVEDATE"))).as("flags do not move it").isEqualTo(kept);

            assertThat(t.send("e1 SEARCH SAVEDON 32-Jan-2020")).startsWith("e1 BAD");
            assertThat(t.send("e2 SEARCH SAVEDSINCE")).startsWith("e2 BAD");
            assertThat(t.send("e3 SEARCH SAVEDBEFORE yesterday")).startsWith("e3 BAD");
            assertThat(t.send("e4 FETCH 1 (SAVEDATE[])")).startsWith("e4 BAD");
            assertThat(t.send("e5 FETCH 1 SAVEDATES")).startsWith("e5 BAD");
        }
        try (MailAccessTestServer server = new MailAccessTestServer(dir, l -> l, true, b -> b, HOST);
             SocketTranscript t = SocketTranscript.login(server, JOE, PASSWORD)) {
            t.send("s SELECT INBOX");
            assertThat(savedate(t.send("f FETCH 1 SAVEDATE"))).as("kept in the folder's index across a restart").isEqualTo(kept);
        }
    }

    @Test
    void copyAndMoveGiveANewSaveDateAndOlderMessagesFallBackToTheirInternalDate() throws Exception {
        try (MailAccessTestServer server = new MailAccessTestServer(dir, l -> l, true, b -> b, HOST);
             SocketTranscript t = SocketTranscript.login(server, JOE, PASSWORD)) {
            append(t, "INBOX", OLD, "one");
            append(t, "INBOX", OLD, "two");
        }
        // An index from before save dates were kept (here: lost, and rebuilt from the Maildir): the messages keep
        // their UIDs and get no save time, so SAVEDATE falls back to the INTERNALDATE, which never changes.
        Files.delete(dir.resolve("data/mail/" + JOE + "/sealmail-index"));
        try (MailAccessTestServer server = new MailAccessTestServer(dir, l -> l, true, b -> b, HOST);
             SocketTranscript t = SocketTranscript.login(server, JOE, PASSWORD)) {
            t.send("s SELECT INBOX");
            assertThat(t.send("f FETCH 1:2 (UID SAVEDATE)")).isEqualTo("* 1 FETCH (UID 1 SAVEDATE \"" + OLD + "\")\r\n"
                    + "* 2 FETCH (UID 2 SAVEDATE \"" + OLD + "\")\r\nf OK FETCH completed\r\n");
            assertThat(t.send("b SEARCH SAVEDBEFORE 1-Jan-2021")).isEqualTo("* SEARCH 1 2\r\nb OK SEARCH completed\r\n");
            assertThat(t.send("c COPY 1 Archive")).contains("c OK [COPYUID");
            assertThat(t.send("m MOVE 2 Trash")).contains("m OK");
            assertThat(savedate(t.send("f2 FETCH 1 SAVEDATE"))).as("the source keeps its own").isEqualTo(OLD);
            for (String folder : new String[] {"Archive", "Trash"}) {
                t.send("s2 EXAMINE " + folder);
                String fetch = t.send("f3 FETCH 1 (INTERNALDATE SAVEDATE)");
                assertThat(fetch).as("%s: the internal date is copied, the save date is new (§3)", folder)
                        .startsWith("* 1 FETCH (INTERNALDATE \"" + OLD + "\" SAVEDATE \"")
                        .doesNotContain("SAVEDATE \"" + OLD);
                assertThat(t.send("a SEARCH SAVEDON " + today())).isEqualTo("* SEARCH 1\r\na OK SEARCH completed\r\n");
            }
        }
    }

    @Test
    void aStoreWithoutSaveDatesAnswersNilAndSearchesTheInternalDate() throws Exception {
        try (MailAccessTestServer server = new MailAccessTestServer(dir, l -> l, false, b -> b, "127.0.6.104");
             SocketTranscript t = SocketTranscript.login(server, JOE, PASSWORD)) {
            append(t, "INBOX", OLD, "in memory");
            t.send("s SELECT INBOX");
            assertThat(t.send("f FETCH 1 (SAVEDATE)")).isEqualTo("* 1 FETCH (SAVEDATE NIL)\r\nf OK FETCH completed\r\n");
            assertThat(t.send("a SEARCH SAVEDATESUPPORTED")).isEqualTo("* SEARCH\r\na OK SEARCH completed\r\n");
            assertThat(t.send("b SEARCH SAVEDON 1-Jan-2020")).as("§4.3: the internal date instead")
                    .isEqualTo("* SEARCH 1\r\nb OK SEARCH completed\r\n");
        }
    }

    @Test
    void pythonImaplibFetchesAndSearchesSaveDates() throws Exception {
        try (MailAccessTestServer server = new MailAccessTestServer(dir, l -> l, true, b -> b, HOST)) {
            try (SocketTranscript t = SocketTranscript.login(server, JOE, PASSWORD)) {
                append(t, "INBOX", OLD, "for python");
            }
            Path script = dir.resolve("python_savedate.py");
            try (InputStream in = getClass().getResourceAsStream("/imap/python_savedate.py")) {
                Files.write(script, in.readAllBytes());
            }
            ExternalClientsTest.Result r = ExternalClientsTest.run(Map.of("CA", server.pki().caCrt().toString(),
                    "HOST", HOST, "USER_NAME", JOE, "PASSWORD", PASSWORD, "IMAPS", "" + server.port(Role.IMAPS),
                    "TODAY", today()), "python3", script.toString());
            assertThat(r.out()).contains("ALL OK");
            assertThat(r.exit()).isZero();
        }
    }
}
