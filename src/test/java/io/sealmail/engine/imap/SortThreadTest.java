package io.sealmail.engine.imap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SORT, UID SORT, THREAD and UID THREAD (RFC 5256, RFC 5957) as raw transcripts over the production Maildir store:
 * every sort key, both thread algorithms over a folder with replies, forwards, list tags, a missing parent, a
 * reference loop, messages without Date or Subject; the error cases; and the keys read from the message cache
 * (the message files deleted behind the folder's back). {@link #MESSAGES} is also what {@link SortThreadDovecotTest}
 * gives Dovecot, whose answers these are.
 */
class SortThreadTest {
    /** The folder, in delivery (sequence) order; UIDs equal sequence numbers. */
    static final List<String> MESSAGES = List.of(
            // 1
            "From: Carol <carol@example.com>\nTo: \"Bob B\" <bob@example.org>\nSubject: Lunch\n"
                    + "Date: Tue, 2 Dec 2025 10:00:00 +0000\nMessage-ID: <a@x.test>\n\nshall we?\n",
            // 2: 09:00 -0200 is 11:00 UTC
            "From: alice@example.com\nTo: dave@example.org\nCc: Eve <eve@example.org>\nSubject: Re: [fwd: Lunch]\n"
                    + "Date: Tue, 2 Dec 2025 09:00:00 -0200\nMessage-ID: <b@x.test>\nIn-Reply-To: <a@x.test>\n\nyes\n",
            // 3: no Date (INTERNALDATE, today, is its sent date) and no Subject
            "From: \"Zoe\" <zz@example.com>\nTo: amy@example.org\nMessage-ID: <c@x.test>\n"
                    + "References: <a@x.test> <b@x.test>\n\nme too\n",
            // 4: 23:00 -0500 is 04:00 UTC on the 2nd; its parent is nowhere in the folder
            "From: =?UTF-8?Q?=C3=89mile?= <emile@example.com>\nTo: zed@example.org\nSubject: Fwd: Budget (fwd)\n"
                    + "Date: Mon, 1 Dec 2025 23:00:00 -0500\nMessage-ID: <d@x.test>\nReferences: <missing@x.test>\n\nfyi\n",
            // 5: obsolete two-digit year, no seconds, named zone; same missing parent
            "From: bob@example.com\nTo: Carl <carl@example.org>\nSubject: [list] Budget\nDate: 1 Dec 25 12:00 GMT\n"
                    + "Message-ID: <e@x.test>\nReferences: <missing@x.test>\n\nnumbers\n",
            // 6
            "From: Amy <amy@example.com>\nTo: bob@example.org\nSubject: Budget\nDate: Mon, 01 Dec 2025 08:00:00 +0000\n"
                    + "Message-ID: <f@x.test>\n\nthe budget\n",
            // 7 and 8 reference each other: a loop
            "From: dave@example.com\nSubject: loop\nDate: Wed, 3 Dec 2025 08:00:00 +0000\nMessage-ID: <g@x.test>\n"
                    + "References: <h@x.test>\n\none\n",
            "From: dave@example.com\nSubject: Re: loop\nDate: Wed, 3 Dec 2025 09:00:00 +0000\nMessage-ID: <h@x.test>\n"
                    + "References: <g@x.test>\n\ntwo\n",
            // 9: a Date that is not one (INTERNALDATE again), same base subject as 1
            "From: carol@example.com\nSubject: RE: Lunch\nDate: sometime soon\nMessage-ID: <i@x.test>\n\nlate\n");

    @TempDir
    Path dir;
    private MaildirImapStore imap;

    @BeforeEach
    void setUp() throws Exception {
        imap = new MaildirImapStore(dir);
        Transcript t = login();
        for (String m : MESSAGES) {
            append(t, "INBOX", m);
        }
    }

    /** {@code message} (LF lines) appended to {@code folder} with {@link #INTERNALDATE}. */
    static void append(Transcript t, String folder, String message) {
        byte[] octets = message.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
        assertThat(t.sendRaw("p APPEND " + folder + " \"" + INTERNALDATE + "\" {" + octets.length + "+}\r\n"
                + new String(octets, StandardCharsets.UTF_8) + "\r\n")).contains("p OK [APPENDUID ");
    }

    /** Every message's INTERNALDATE (RFC 9051 date-time), and the files' time for Dovecot. */
    static final String INTERNALDATE = "01-Jan-2026 00:00:00 +0000";

    @AfterEach
    void tearDown() {
        imap.close();
    }

    private Transcript login() {
        Transcript t = imap.connect();
        assertThat(t.output()).startsWith("* OK [CAPABILITY IMAP4rev1");
        assertThat(t.send("a LOGIN joe@example.com secret"))
                .contains(" SORT SORT=DISPLAY THREAD=ORDEREDSUBJECT THREAD=REFERENCES THREAD=REFS I18NLEVEL=1").contains("a OK");
        return t;
    }

    private Transcript selected() {
        Transcript t = login();
        assertThat(t.send("s SELECT INBOX")).contains("s OK");
        return t;
    }

    /**
     * The commands and their answers: Dovecot 2.3's ({@link SortThreadDovecotTest}); DISPLAYFROM sorts "Émile" as
     * "E" + combining acute + "MILE" (i;unicode-casemap, I18NLEVEL=1), after "DAVE@EXAMPLE.COM" and before "ZOE". All messages have the same INTERNALDATE, so ARRIVAL and the sent date of 3 and 9
     * tie, and ties go by sequence number, REVERSE or not (RFC 5256 §3).
     */
    static final Map<String, String> ANSWERS = Map.ofEntries(
            Map.entry("SORT (DATE) UTF-8 ALL", "* SORT 6 5 4 1 2 7 8 3 9"),
            Map.entry("SORT (REVERSE DATE) UTF-8 ALL", "* SORT 3 9 8 7 2 1 4 5 6"),
            Map.entry("SORT (ARRIVAL) US-ASCII ALL", "* SORT 1 2 3 4 5 6 7 8 9"),
            Map.entry("SORT (REVERSE ARRIVAL) UTF-8 ALL", "* SORT 1 2 3 4 5 6 7 8 9"),
            Map.entry("SORT (SUBJECT) UTF-8 ALL", "* SORT 3 4 5 6 7 8 1 2 9"),
            Map.entry("SORT (SUBJECT REVERSE DATE) UTF-8 ALL", "* SORT 3 4 5 6 8 7 9 2 1"),
            Map.entry("SORT (FROM) UTF-8 ALL", "* SORT 2 6 5 1 9 7 8 4 3"),
            Map.entry("SORT (TO) UTF-8 ALL", "* SORT 7 8 9 3 1 6 5 2 4"),
            Map.entry("SORT (CC) UTF-8 ALL", "* SORT 1 3 4 5 6 7 8 9 2"),
            Map.entry("SORT (REVERSE CC DATE) UTF-8 ALL", "* SORT 2 6 5 4 1 7 8 3 9"),
            Map.entry("SORT (SIZE) UTF-8 ALL", "* SORT 9 3 7 8 6 1 5 2 4"),
            Map.entry("SORT (DISPLAYFROM) UTF-8 ALL", "* SORT 2 6 5 1 9 7 8 4 3"),
            Map.entry("SORT (DISPLAYTO) UTF-8 ALL", "* SORT 7 8 9 3 1 6 5 2 4"),
            Map.entry("SORT (DATE) UTF-8 SUBJECT budget", "* SORT 6 5 4"),
            Map.entry("UID SORT (REVERSE SUBJECT) UTF-8 NOT FROM dave", "* SORT 1 2 9 4 5 6 3"),
            Map.entry("THREAD ORDEREDSUBJECT UTF-8 ALL", "* THREAD (6 (5)(4))(1 (2)(9))(7 8)(3)"),
            Map.entry("THREAD REFERENCES UTF-8 ALL", "* THREAD ((6)(5)(4))(1 (2 3)(9))(8 7)"),
            Map.entry("UID THREAD REFERENCES UTF-8 NOT 2", "* THREAD ((6)(5)(4))(1 (3)(9))(8 7)"),
            Map.entry("THREAD REFERENCES UTF-8 SUBJECT lunch", "* THREAD (1 (2)(9))"),
            // REFS: no merging by subject (9 stays apart from 1), threads ordered by their newest message (1's
            // thread by 3's INTERNALDATE, which ties with 9's and goes first by its top message's number).
            Map.entry("THREAD REFS UTF-8 ALL", "* THREAD (6)((5)(4))(8 7)(1 2 3)(9)"),
            Map.entry("UID THREAD REFS UTF-8 NOT 2", "* THREAD (6)((5)(4))(8 7)(1 3)(9)"),
            Map.entry("THREAD REFS US-ASCII SUBJECT lunch", "* THREAD (1 2)(9)"));

    @Test
    void everySortKeyAndBothThreadAlgorithms() {
        Transcript t = selected();
        ANSWERS.forEach((command, answer) -> assertThat(t.send("c " + command))
                .as(command).isEqualTo(answer + "\r\nc OK " + name(command) + " completed\r\n"));
    }

    /** The command's name as the tagged OK gives it: SORT, UID SORT, THREAD or UID THREAD. */
    static String name(String command) {
        String[] words = command.split(" ");
        return words[0].equals("UID") ? "UID " + words[1] : words[0];
    }

    @Test
    void errorsAreTaggedAndTheSessionGoesOn() {
        Transcript t = selected();
        assertThat(t.send("c SORT (DATE) KOI8-R ALL")).isEqualTo("c NO [BADCHARSET (US-ASCII UTF-8)] Unsupported charset\r\n");
        assertThat(t.send("c SORT (DATE) ALL")).as("the charset is required").isEqualTo("c BAD Missing search criteria\r\n");
        assertThat(t.send("c SORT (DATE)")).isEqualTo("c BAD Missing charset\r\n");
        assertThat(t.send("c SORT DATE UTF-8 ALL")).isEqualTo("c BAD Expected a list for sort criteria\r\n");
        assertThat(t.send("c SORT () UTF-8 ALL")).isEqualTo("c BAD Empty sort criteria\r\n");
        assertThat(t.send("c SORT (COLOUR) UTF-8 ALL")).isEqualTo("c BAD Unknown sort key COLOUR\r\n");
        assertThat(t.send("c SORT (DATE REVERSE) UTF-8 ALL")).isEqualTo("c BAD REVERSE must be followed by a sort key\r\n");
        assertThat(t.send("c SORT (REVERSE REVERSE DATE) UTF-8 ALL")).isEqualTo("c BAD REVERSE REVERSE\r\n");
        assertThat(t.send("c SORT (DATE) UTF-8 FOO")).isEqualTo("c BAD Unknown search key FOO\r\n");
        assertThat(t.send("c SORT (DATE) UTF-8 SUBJECT")).isEqualTo("c BAD Missing text\r\n");
        assertThat(t.send("c THREAD BOGUS UTF-8 ALL"))
                .isEqualTo("c BAD Unknown thread algorithm BOGUS (ORDEREDSUBJECT, REFERENCES, REFS)\r\n");
        assertThat(t.send("c THREAD REF UTF-8 ALL"))
                .isEqualTo("c BAD Unknown thread algorithm REF (ORDEREDSUBJECT, REFERENCES, REFS)\r\n");
        assertThat(t.send("c THREAD refs KOI8-R ALL")).as("the algorithm's case does not matter; the charset does")
                .isEqualTo("c NO [BADCHARSET (US-ASCII UTF-8)] Unsupported charset\r\n");
        assertThat(t.send("c THREAD REFS UTF-8")).isEqualTo("c BAD Missing search criteria\r\n");
        assertThat(t.send("c THREAD REFS")).isEqualTo("c BAD Missing charset\r\n");
        assertThat(t.send("c UID THREAD REFS UTF-8 FOO")).isEqualTo("c BAD Unknown search key FOO\r\n");
        assertThat(t.send("c THREAD REFERENCES ALL")).isEqualTo("c BAD Missing search criteria\r\n");
        assertThat(t.send("c THREAD REFERENCES ISO-8859-1 ALL"))
                .isEqualTo("c NO [BADCHARSET (US-ASCII UTF-8)] Unsupported charset\r\n");
        assertThat(t.send("c THREAD (REFERENCES) UTF-8 ALL")).isEqualTo("c BAD Expected an atom for thread algorithm\r\n");
        assertThat(t.send("z NOOP")).isEqualTo("z OK NOOP completed\r\n");
    }

    @Test
    void notInAuthenticatedStateAndEmptyResults() {
        Transcript t = login();
        assertThat(t.send("b SORT (DATE) UTF-8 ALL")).startsWith("b BAD");
        assertThat(t.send("b THREAD REFERENCES UTF-8 ALL")).startsWith("b BAD");
        assertThat(t.send("b THREAD REFS UTF-8 ALL")).startsWith("b BAD");
        assertThat(t.send("c CREATE Empty")).startsWith("c OK");
        assertThat(t.send("d SELECT Empty")).contains("d OK");
        assertThat(t.send("e SORT (DATE) UTF-8 ALL")).isEqualTo("* SORT\r\ne OK SORT completed\r\n");
        assertThat(t.send("f UID THREAD REFERENCES UTF-8 ALL")).isEqualTo("* THREAD\r\nf OK UID THREAD completed\r\n");
        assertThat(t.send("g THREAD ORDEREDSUBJECT UTF-8 ALL")).isEqualTo("* THREAD\r\ng OK THREAD completed\r\n");
        assertThat(t.send("h THREAD REFS UTF-8 ALL")).isEqualTo("* THREAD\r\nh OK THREAD completed\r\n");
    }

    @Test
    void keysComeFromTheCacheNotTheMessageFiles() throws Exception {
        Transcript t = selected();
        String sorted = t.send("a SORT (SUBJECT FROM) UTF-8 ALL");
        String threaded = t.send("b THREAD REFERENCES UTF-8 ALL");
        String refs = t.send("d THREAD REFS UTF-8 ALL");
        // Every message has its cache entry now (made on delivery or first use). Overwrite the files (their names
        // stay, so cur/ does not change and is not listed again): the same answers.
        try (Stream<Path> s = Files.list(dir.resolve("mail/joe@example.com/cur"))) {
            for (Path p : s.toList()) {
                Files.writeString(p, "X-Garbage: yes\r\n\r\nnothing here\r\n");
            }
        }
        assertThat(t.send("a SORT (SUBJECT FROM) UTF-8 ALL")).isEqualTo(sorted);
        assertThat(t.send("b THREAD REFERENCES UTF-8 ALL")).isEqualTo(threaded);
        assertThat(t.send("d THREAD REFS UTF-8 ALL")).isEqualTo(refs);
        assertThat(t.send("c SORT (DISPLAYTO REVERSE DATE CC) UTF-8 ALL")).startsWith("* SORT ");
    }
}
