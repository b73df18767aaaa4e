package io.sealmail.engine.imap;

import io.netty.channel.embedded.EmbeddedChannel;
import io.sealmail.store.MaildirStore;
import io.sealmail.store.Spool;
import io.sealmail.store.maildir.MaildirMailboxAccess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * CONDSTORE and QRESYNC (RFC 7162) as raw transcripts over the production Maildir store, and FETCH/SEARCH answers
 * from the message cache that are the same octets as from the message file.
 */
class CondStoreTest {
    @TempDir
    Path dir;
    private MaildirStore store;
    private MaildirMailboxAccess access;
    private AccessContext context;

    @BeforeEach
    void setUp() throws Exception {
        store = new MaildirStore(dir);
        access = new MaildirMailboxAccess(store, MessageSummary.CACHE_ENTRIES);
        deliver("From: Ann Example <ann@example.com>\nTo: joe@example.com\nSubject: first\nDate: Mon, 1 Dec 2025 10:00:00 +0000\n"
                + "Message-ID: <1@example.com>\nContent-Type: multipart/mixed; boundary=XX\n\n--XX\nContent-Type: text/plain\n\nhello\n"
                + "--XX\nContent-Type: application/octet-stream; name=\"a.bin\"\nContent-Transfer-Encoding: base64\n\nAAECAw==\n--XX--\n");
        deliver("From: carol@example.com\nSubject: =?UTF-8?Q?caf=C3=A9?= second\nReferences: <1@example.com>\n\nplain body\n");
        deliver("From: dave@example.com\nSubject: third\n\nthird body\n");
        context = new AccessContext("mail.example.com", new TestAccounts(Map.of("joe@example.com", "secret")),
                access, null, Runnable::run, ImapLimits.DEFAULTS, Duration.ZERO);
    }

    @AfterEach
    void tearDown() {
        access.close();
        store.close();
    }

    private void deliver(String text) throws Exception {
        try (Spool spool = store.createSpool()) {
            spool.write(ByteBuffer.wrap(text.replace("\n", "\r\n").getBytes()));
            store.deliver(spool, "sender@example.com", List.of("joe@example.com")).get(10, TimeUnit.SECONDS);
        }
    }

    private Transcript login() {
        Transcript t = new Transcript(new EmbeddedChannel(new ImapCommandDecoder(context.limits()), new ImapSession(context, false)));
        assertThat(t.output()).startsWith("* OK [CAPABILITY IMAP4rev1");
        assertThat(t.send("a LOGIN joe@example.com secret")).contains(" CONDSTORE QRESYNC").contains("a OK");
        return t;
    }

    private static long number(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as("%s in %s", regex, text).isTrue();
        return Long.parseLong(m.group(1));
    }

    /**
     * RFC 7162 §3.1.2.1: NOMODSEQ and STATUS HIGHESTMODSEQ 0 say a folder keeps no MODSEQs, and a client may stop
     * using CONDSTORE there; a new, empty folder says 1, and its first change is above that.
     */
    @Test
    void aNewEmptyFolderHasHighestModseqOneAndItsFirstChangeIsAboveIt() {
        Transcript a = login();
        a.send("c CREATE Fresh");
        assertThat(a.send("t STATUS Fresh (HIGHESTMODSEQ MESSAGES)"))
                .startsWith("* STATUS \"Fresh\" (HIGHESTMODSEQ 1 MESSAGES 0)\r\n");
        assertThat(a.send("s SELECT Fresh (CONDSTORE)")).contains("* OK [HIGHESTMODSEQ 1] ").doesNotContain("NOMODSEQ");
        assertThat(a.send("p APPEND Fresh {12+}\r\nSubject: x\r\n")).contains("p OK [APPENDUID ");
        String fetch = a.send("f FETCH 1 (MODSEQ)");
        assertThat(number(fetch, "MODSEQ \\((\\d+)\\)")).isGreaterThan(1);
        assertThat(a.send("g FETCH 1:* (UID) (CHANGEDSINCE 1)")).contains("* 1 FETCH (UID 1 MODSEQ (");
        // The same after a restart of the store: the folder's index says it was never changed before the APPEND.
        a.send("c2 CREATE Later");
        access.close();
        access = new MaildirMailboxAccess(store, MessageSummary.CACHE_ENTRIES);
        context = new AccessContext("mail.example.com", new TestAccounts(Map.of("joe@example.com", "secret")),
                access, null, Runnable::run, ImapLimits.DEFAULTS, Duration.ZERO);
        Transcript b = login();
        assertThat(b.send("t STATUS Later (HIGHESTMODSEQ)")).startsWith("* STATUS \"Later\" (HIGHESTMODSEQ 1)\r\n");
    }

    /** RFC 7162 §7 (and Dovecot): known sets without "*", seq-match-data a parenthesised pair of equal sizes, once. */
    @Test
    void qresyncParametersOutsideTheGrammarAreBad() {
        Transcript a = login();
        a.send("e ENABLE QRESYNC");
        long v = number(a.send("s EXAMINE INBOX"), "\\[UIDVALIDITY (\\d+)\\]");
        for (String bad : List.of("(" + v + " 5 *)", "(" + v + " 5 1:*)", "(" + v + " 5 1:3 (1:* 1:3))",
                "(" + v + " 5 1:3 (1:2 1,2,3))", "(" + v + " 5 1:3 1:3)", "(" + v + " 5 1:3 ())",
                "(" + v + " 5 1:3 (1:3))")) {
            assertThat(a.send("b SELECT INBOX (QRESYNC " + bad + ")")).as(bad).startsWith("b BAD ");
        }
        assertThat(a.send("d SELECT INBOX (QRESYNC (" + v + " 2) QRESYNC (" + v + " 3))")).startsWith("d BAD ");
        assertThat(a.send("d2 SELECT INBOX (CONDSTORE CONDSTORE)")).startsWith("d2 BAD ");
        assertThat(a.send("g SELECT INBOX (QRESYNC (" + v + " 1 1:3 (1:3 1,2,3)))"))
                .as("three numbers, three UIDs").contains("g OK [READ-WRITE]");
        assertThat(a.send("g2 SELECT INBOX (QRESYNC (" + v + " 1 1:3 (3:1 1:2,3)))")).contains("g2 OK [READ-WRITE]");
    }

    /** RFC 9051 §7.3.5: FLAGS names the keywords in use, and is sent again when a session defines a new one. */
    @Test
    void flagsListsTheKeywordsInUseAndEverySessionHearsOfANewOne() {
        String system = "\\Answered \\Flagged \\Deleted \\Seen \\Draft";
        Transcript a = login();
        assertThat(a.send("s SELECT INBOX")).contains("* FLAGS (" + system + ")\r\n");
        assertThat(a.send("t STORE 1 +FLAGS ($Label1)")).isEqualTo("* FLAGS (" + system + " $Label1)\r\n"
                + "* OK [PERMANENTFLAGS (" + system + " $Label1 \\*)] Flags permitted\r\n"
                + "* 1 FETCH (FLAGS ($Label1))\r\nt OK STORE completed\r\n");
        assertThat(a.send("t2 STORE 3 +FLAGS.SILENT ($Label1)")).as("already announced").isEqualTo("t2 OK STORE completed\r\n");
        Transcript b = login();
        assertThat(b.send("s SELECT INBOX")).contains("* FLAGS (" + system + " $Label1)\r\n",
                "* OK [PERMANENTFLAGS (" + system + " $Label1 \\*)]");
        assertThat(b.send("e EXAMINE INBOX")).contains("* FLAGS (" + system + " $Label1)\r\n",
                "* OK [PERMANENTFLAGS ()]");
        b.send("s2 SELECT INBOX");
        a.send("u STORE 2 +FLAGS.SILENT (NewKw)");
        assertThat(b.send("n NOOP")).isEqualTo("* FLAGS (" + system + " $Label1 NewKw)\r\n"
                + "* OK [PERMANENTFLAGS (" + system + " $Label1 NewKw \\*)] Flags permitted\r\n"
                + "* 2 FETCH (UID 2 FLAGS (NewKw))\r\nn OK NOOP completed\r\n");
    }

    @Test
    void modseqChangedSinceUnchangedSinceAndVanished() {
        Transcript a = login();
        assertThat(a.send("e ENABLE QRESYNC")).isEqualTo("* ENABLED QRESYNC\r\ne OK ENABLE completed\r\n");
        String select = a.send("s SELECT INBOX");
        long h = number(select, "\\* OK \\[HIGHESTMODSEQ (\\d+)\\]");
        long validity = number(select, "\\[UIDVALIDITY (\\d+)\\]");
        assertThat(a.send("f FETCH 1:* (UID MODSEQ)")).contains("* 1 FETCH (UID 1 MODSEQ (")
                .contains("* 3 FETCH (UID 3 MODSEQ (" + h + "))");

        assertThat(a.send("t STORE 1 +FLAGS (\\Seen)")).isEqualTo("* 1 FETCH (FLAGS (\\Seen) MODSEQ (" + (h + 1) + "))\r\n"
                + "t OK STORE completed\r\n");
        assertThat(a.send("c FETCH 1:* (FLAGS) (CHANGEDSINCE " + h + ")"))
                .isEqualTo("* 1 FETCH (FLAGS (\\Seen) MODSEQ (" + (h + 1) + "))\r\nc OK FETCH completed\r\n");
        // Message 1 changed after h: left alone and named in MODIFIED; message 2 changed, silently but with its MODSEQ.
        assertThat(a.send("u STORE 1:2 (UNCHANGEDSINCE " + h + ") +FLAGS.SILENT (\\Flagged)"))
                .isEqualTo("* 2 FETCH (MODSEQ (" + (h + 2) + "))\r\nu OK [MODIFIED 1] Conditional STORE failed for some messages\r\n");
        assertThat(a.send("g FETCH 1:2 (FLAGS)")).contains("* 1 FETCH (FLAGS (\\Seen))", "* 2 FETCH (FLAGS (\\Flagged))");

        // Another session expunges message 3: with QRESYNC on, this one hears VANISHED, not EXPUNGE.
        Transcript b = login();
        b.send("s SELECT INBOX");
        assertThat(b.send("x UID STORE 3 +FLAGS.SILENT (\\Deleted)")).endsWith("x OK UID STORE completed\r\n");
        assertThat(b.send("y EXPUNGE")).isEqualTo("* 3 EXPUNGE\r\ny OK EXPUNGE completed\r\n");
        assertThat(a.send("n NOOP")).isEqualTo("* VANISHED 3\r\nn OK NOOP completed\r\n");
        assertThat(a.send("v UID FETCH 1:* (FLAGS) (CHANGEDSINCE " + (h + 1) + " VANISHED)"))
                .isEqualTo("* VANISHED (EARLIER) 3\r\n* 2 FETCH (UID 2 FLAGS (\\Flagged) MODSEQ (" + (h + 2) + "))\r\n"
                        + "v OK UID FETCH completed\r\n");
        long now = number(a.send("st STATUS INBOX (HIGHESTMODSEQ MESSAGES)"), "HIGHESTMODSEQ (\\d+)");
        assertThat(now).as("\\Deleted, then the expunge").isEqualTo(h + 4);

        // A client that knew the mailbox at h resynchronises in one round trip (RFC 7162 §3.2.5).
        Transcript c = login();
        assertThat(c.send("q SELECT INBOX (QRESYNC (" + validity + " " + h + "))")).as("not enabled").startsWith("q BAD");
        c.send("e ENABLE QRESYNC");
        String resync = c.send("q SELECT INBOX (QRESYNC (" + validity + " " + h + " 1:3))");
        assertThat(resync).contains("* OK [HIGHESTMODSEQ " + (h + 4) + "]",
                "* VANISHED (EARLIER) 3\r\n",
                "* 1 FETCH (UID 1 FLAGS (\\Seen) MODSEQ (" + (h + 1) + "))\r\n",
                "* 2 FETCH (UID 2 FLAGS (\\Flagged) MODSEQ (" + (h + 2) + "))\r\n").endsWith("q OK [READ-WRITE] SELECT completed\r\n");
        assertThat(resync.indexOf("VANISHED")).isLessThan(resync.indexOf("* 1 FETCH"));
        // A stale UIDVALIDITY: no VANISHED and no FETCH, the client starts over.
        assertThat(c.send("r SELECT INBOX (QRESYNC (" + (validity + 1) + " " + h + "))")).doesNotContain("VANISHED", "FETCH");
        // Malformed modifiers are BAD, not errors.
        assertThat(c.send("m FETCH 1 (FLAGS) (CHANGEDSINCE x)")).startsWith("m BAD");
        assertThat(c.send("m2 FETCH 1 (FLAGS) (CHANGEDSINCE 1 VANISHED)")).as("VANISHED needs UID FETCH").startsWith("m2 BAD");
        assertThat(c.send("m3 STORE 1 (UNCHANGEDSINCE) +FLAGS (\\Seen)")).startsWith("m3 BAD");
        assertThat(c.send("m4 SELECT INBOX (QRESYNC (1 0))")).as("MODSEQ 0 is not a mod-sequence-value").startsWith("m4 BAD");
    }

    @Test
    void aCondstoreEnablingCommandTurnsOnModseqInUnsolicitedFetch() {
        Transcript a = login();
        assertThat(a.send("s SELECT INBOX (CONDSTORE)")).contains("* OK [HIGHESTMODSEQ ");
        Transcript b = login();
        b.send("s SELECT INBOX");
        b.send("t STORE 2 +FLAGS.SILENT (\\Answered)");
        assertThat(a.send("n NOOP")).matches("(?s)\\* 2 FETCH \\(UID 2 FLAGS \\(\\\\Answered\\) MODSEQ \\(\\d+\\)\\)\r\nn OK.*");
        assertThat(b.send("n NOOP")).as("b never enabled CONDSTORE").isEqualTo("n OK NOOP completed\r\n");
    }

    @Test
    void cachedFetchItemsAreTheSameOctetsAsFromTheMessageFile() {
        Transcript t = login();
        t.send("s SELECT INBOX");
        for (String items : List.of("ENVELOPE", "BODYSTRUCTURE", "BODY", "BODY.PEEK[HEADER.FIELDS (From Subject References)]",
                "BODY.PEEK[HEADER.FIELDS (Subject)]<2.5>", "PREVIEW")) {
            // With BODY.PEEK[TEXT] beside it the message file is read and parsed; alone, it comes from the cache.
            String fromFile = t.send("f FETCH 1:3 (" + items + " BODY.PEEK[TEXT])");
            String fromCache = t.send("c FETCH 1:3 (" + items + ")");
            for (int seq = 1; seq <= 3; seq++) {
                String expected = item(fromFile, seq, " BODY[TEXT]");
                assertThat(fromCache).as(items).contains("* " + seq + " FETCH (" + expected + ")\r\n");
            }
        }
    }

    /** The first item of message {@code seq}'s FETCH response, up to {@code next}. */
    private static String item(String response, int seq, String next) {
        int start = response.indexOf("* " + seq + " FETCH (") + ("* " + seq + " FETCH (").length();
        return response.substring(start, response.indexOf(next, start));
    }

    @Test
    void headerSearchesAreAnsweredFromTheCacheWithoutOpeningMessages() throws Exception {
        Transcript t = login();
        t.send("s SELECT INBOX");
        assertThat(t.send("a SEARCH FROM carol")).startsWith("* SEARCH 2\r\n");
        // Every message has its cache entry now. Overwrite the files behind the folder's back (their names stay, so
        // cur/ does not change and is not listed again): header searches still answer as before (the files are not
        // opened); a body search reads the garbage.
        try (Stream<Path> s = Files.list(dir.resolve("mail/joe@example.com/cur"))) {
            for (Path p : s.toList()) {
                Files.writeString(p, "X-Garbage: yes\r\n\r\nnothing here\r\n");
            }
        }
        assertThat(t.send("b SEARCH SUBJECT third")).startsWith("* SEARCH 3\r\n");
        assertThat(t.send("c UID SEARCH OR FROM ann SUBJECT second")).startsWith("* SEARCH 1 2\r\n");
        assertThat(t.send("d SEARCH SENTSINCE 1-Dec-2025 HEADER Message-ID <1@")).startsWith("* SEARCH 1\r\n");
        assertThat(t.send("e SEARCH BODY hello")).startsWith("* SEARCH\r\n");
    }

    @Test
    void searchModseqFindsWhatChangedAndReportsTheHighestModseqFound() {
        Transcript t = login();
        long h = number(t.send("s SELECT INBOX"), "\\* OK \\[HIGHESTMODSEQ (\\d+)\\]");
        assertThat(t.send("a STORE 2 +FLAGS.SILENT (\\Flagged)")).contains("a OK");
        assertThat(t.send("b STORE 3 +FLAGS.SILENT (\\Seen)")).contains("b OK");
        // SEARCH MODSEQ enables CONDSTORE (RFC 7162 §3.1) and is answered with the highest MODSEQ found (§3.1.5).
        String changed = t.send("c SEARCH MODSEQ " + (h + 1));
        long third = number(changed, "^\\* SEARCH 2 3 \\(MODSEQ (\\d+)\\)\r\n");
        assertThat(third).isGreaterThan(h + 1);
        String second = t.send("d UID FETCH 2 (MODSEQ)");
        long modseq2 = number(second, "MODSEQ \\((\\d+)\\)");
        assertThat(t.send("e UID SEARCH MODSEQ " + third)).startsWith("* SEARCH 3 (MODSEQ " + third + ")\r\n");
        assertThat(t.send("f SEARCH MODSEQ \"/flags/\\\\flagged\" all " + modseq2 + " FLAGGED"))
                .startsWith("* SEARCH 2 (MODSEQ " + modseq2 + ")\r\n");
        assertThat(t.send("g SEARCH NOT MODSEQ " + (h + 1))).startsWith("* SEARCH 1 (MODSEQ " + h + ")\r\n").doesNotContain("(MODSEQ " + third);
        // No message found: no MODSEQ in the response.
        assertThat(t.send("h SEARCH MODSEQ " + (third + 1))).startsWith("* SEARCH\r\nh OK");
        assertThat(t.send("i SEARCH MODSEQ 0 SUBJECT first")).startsWith("* SEARCH 1 (MODSEQ ");
        // Malformed: a clear BAD, never an exception.
        assertThat(t.send("j SEARCH MODSEQ")).startsWith("j BAD");
        assertThat(t.send("k SEARCH MODSEQ -1")).startsWith("k BAD");
        assertThat(t.send("l SEARCH MODSEQ 99999999999999999999")).startsWith("l BAD");
        assertThat(t.send("m SEARCH MODSEQ \"/other/x\" all 5")).startsWith("m BAD");
        assertThat(t.send("n SEARCH MODSEQ \"/flags/\\\\seen\" mine 5")).startsWith("n BAD");
        assertThat(t.send("o SEARCH MODSEQ \"/flags/\\\\seen\" priv")).startsWith("o BAD");
        // Without MODSEQ among the keys, no MODSEQ in the response.
        assertThat(t.send("p SEARCH FLAGGED")).isEqualTo("* SEARCH 2\r\np OK SEARCH completed\r\n");
    }
}
