package io.sealmail.engine.imap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * I18NLEVEL=1 (RFC 5255 §4.3, §4.4): SEARCH on header fields and SORT's string keys compare with i;unicode-casemap
 * (RFC 5051), as raw transcripts over the production Maildir store, on non-ASCII subjects and names in encoded words
 * and in 8-bit UTF-8: "Ärger" and "ärger", the "ﬁ" ligature and "file", "Straße" and "Strasse", "é" precomposed
 * and as e + combining acute, full-width letters, names sorted by their folded display names. The files
 * ({@link #write}) are also what {@link SortThreadDovecotTest} gives Dovecot, whose answers {@link #ANSWERS} are.
 */
class I18nLevelTest {
    private static final long BASE = 1_767_225_600L; // 2026-01-01T00:00:00Z

    /** From and Subject of each message, in delivery order. */
    private static final List<String> MESSAGES = List.of(
            "From: Anna <anna@example.com>\nSubject: =?UTF-8?Q?=C3=84rger?= im =?UTF-8?Q?B=C3=BCro?=",
            "From: bert@example.com\nSubject: ärger",
            "From: Carl <carl@example.com>\nSubject: =?UTF-8?Q?=EF=AC=81le?= report", // U+FB01, the "ﬁ" ligature
            "From: dora@example.com\nSubject: file report",
            "From: Eve <eve@example.com>\nSubject: =?UTF-8?Q?Stra=C3=9Fe?=",
            "From: fritz@example.com\nSubject: Strasse",
            "From: =?UTF-8?Q?Gis=C3=A8le?= <g@example.com>\nSubject: =?UTF-8?Q?Cafe=CC=81?= au lait", // e + U+0301
            "From: Hugo <hugo@example.com>\nSubject: =?UTF-8?Q?Caf=C3=A9?= noir", // U+00E9
            "From: =?UTF-8?Q?=C3=89mile?= <emile@example.com>\nSubject: ÉCOLE",
            "From: =?ISO-8859-1?Q?Zo=EB?= <zoe@example.com>\nSubject: =?UTF-8?B?77yh77yi77yj?= fullwidth", // ＡＢＣ
            "From: emil <e@example.com>\nSubject: Re: =?UTF-8?Q?=C3=A4rger?= im b=?UTF-8?Q?=C3=BC?=ro",
            "From: \"Ölaf\" <olaf@example.com>\nSubject: école",
            "From: =?UTF-8?Q?=C3=B6mer?= <Oemer@example.com>\nSubject: straße",
            "From: Zed <zed@example.com>\nSubject: abc");

    /** A synchronizing-free literal (RFC 7888) of {@code text}'s UTF-8 octets, as non-ASCII search text is sent. */
    static String literal(String text) {
        return "{" + text.getBytes(StandardCharsets.UTF_8).length + "+}\r\n" + text;
    }

    /** The commands and Dovecot 2.3.19's answers ({@link SortThreadDovecotTest}). */
    static final Map<String, String> ANSWERS = answers();

    private static Map<String, String> answers() {
        Map<String, String> a = new LinkedHashMap<>();
        // Folded subjects: ABC < ABC FULLWIDTH < A+U+0308 RGER < ... < FILE < STRASSE < STRAßE < "fiLE REPORT" (the
        // ligature titlecases to itself and decomposes to a lower-case fi, after every upper-case letter).
        a.put("SORT (SUBJECT) UTF-8 ALL", "* SORT 14 10 2 1 11 7 8 9 12 4 6 5 13 3");
        a.put("SORT (REVERSE SUBJECT) UTF-8 ALL", "* SORT 3 5 13 6 4 9 12 8 7 1 11 2 10 14");
        a.put("SORT (DISPLAYFROM) UTF-8 ALL", "* SORT 1 2 3 4 11 5 9 6 7 8 12 13 14 10");
        a.put("SORT (FROM) UTF-8 ALL", "* SORT 1 2 3 4 11 9 5 6 7 8 13 12 14 10");
        a.put("SORT (DISPLAYTO SUBJECT) UTF-8 ALL", "* SORT 14 10 2 1 11 7 8 9 12 4 6 5 13 3");
        a.put("THREAD ORDEREDSUBJECT UTF-8 ALL", "* THREAD (1 11)(2)(3)(4)(5 13)(6)(7)(8)(9 12)(10)(14)");
        a.put("THREAD REFERENCES UTF-8 ALL", "* THREAD (1 11)(2)(3)(4)((5)(13))(6)(7)(8)((9)(12))(10)(14)");
        a.put("SORT (SUBJECT) UTF-8 SUBJECT " + literal("ärger"), "* SORT 2 1 11");
        a.put("SEARCH CHARSET UTF-8 SUBJECT " + literal("ärger"), "* SEARCH 1 2 11");
        a.put("SEARCH CHARSET UTF-8 SUBJECT " + literal("ÄRGER"), "* SEARCH 1 2 11");
        a.put("SEARCH SUBJECT file", "* SEARCH 4");
        a.put("SEARCH CHARSET UTF-8 SUBJECT " + literal("ﬁle"), "* SEARCH 3");
        a.put("UID SEARCH CHARSET UTF-8 SUBJECT " + literal("ﬀ"), "* SEARCH");
        a.put("SEARCH CHARSET UTF-8 SUBJECT " + literal("straße"), "* SEARCH 5 13");
        a.put("SEARCH SUBJECT strasse", "* SEARCH 6");
        a.put("SEARCH CHARSET UTF-8 SUBJECT STRASSE", "* SEARCH 6");
        a.put("SEARCH CHARSET UTF-8 SUBJECT " + literal("caf\u00e9"), "* SEARCH 7 8");
        a.put("SEARCH CHARSET UTF-8 SUBJECT " + literal("cafe\u0301"), "* SEARCH 7 8");
        a.put("SEARCH SUBJECT cafe", "* SEARCH 7 8");
        a.put("SEARCH CHARSET UTF-8 SUBJECT " + literal("é"), "* SEARCH 7 8 9 12");
        a.put("SEARCH CHARSET UTF-8 SUBJECT e", "* SEARCH 1 2 3 4 5 6 7 8 9 11 12 13");
        a.put("SEARCH CHARSET UTF-8 SUBJECT " + literal("école"), "* SEARCH 9 12");
        a.put("SEARCH SUBJECT abc", "* SEARCH 10 14");
        a.put("SEARCH CHARSET UTF-8 SUBJECT " + literal("Ａ"), "* SEARCH 1 2 5 6 7 8 10 11 13 14");
        a.put("SEARCH CHARSET UTF-8 FROM " + literal("émile"), "* SEARCH 9");
        a.put("SEARCH CHARSET UTF-8 FROM " + literal("zoë"), "* SEARCH 10");
        a.put("SEARCH FROM emil", "* SEARCH 9 11");
        a.put("SEARCH CHARSET UTF-8 FROM " + literal("ölaf"), "* SEARCH 12");
        a.put("SEARCH CHARSET UTF-8 FROM " + literal("ö"), "* SEARCH 12 13");
        a.put("SEARCH FROM \"anna <\"", "* SEARCH 1");
        // Encoded words are decoded before the comparison: their own octets are not searched.
        a.put("SEARCH SUBJECT utf-8", "* SEARCH");
        a.put("SEARCH SUBJECT =?", "* SEARCH");
        a.put("SEARCH CHARSET UTF-8 HEADER SUBJECT " + literal("büro"), "* SEARCH 1 11");
        a.put("SEARCH CHARSET UTF-8 OR SUBJECT " + literal("ärger") + " FROM " + literal("zoë"), "* SEARCH 1 2 10 11");
        return a;
    }

    /** Writes the folder into {@code maildir}'s new/, each message a second after the one before. */
    static void write(Path maildir) throws IOException {
        Files.createDirectories(maildir.resolve("new"));
        for (int i = 1; i <= MESSAGES.size(); i++) {
            long seconds = BASE + i;
            Path file = maildir.resolve("new").resolve(String.format(Locale.ROOT, "%d.M%06dP1.test", seconds, i));
            String text = MESSAGES.get(i - 1) + "\nTo: joe@example.com\nDate: Mon, 1 Dec 2025 10:"
                    + String.format(Locale.ROOT, "%02d", i) + ":00 +0000\nMessage-ID: <i" + i + "@t.test>\n\nbody " + i + "\n";
            Files.writeString(file, text.replace("\n", "\r\n"), StandardCharsets.UTF_8);
            Files.setLastModifiedTime(file, FileTime.from(seconds, TimeUnit.SECONDS));
        }
    }

    @TempDir
    Path dir;
    private MaildirImapStore imap;
    private Transcript t;

    @BeforeEach
    void setUp() throws Exception {
        Path maildir = dir.resolve("mail/joe@example.com");
        write(maildir);
        for (String sub : new String[] {"cur", "tmp"}) {
            Files.createDirectories(maildir.resolve(sub));
        }
        imap = new MaildirImapStore(dir);
        t = imap.connect();
        t.output();
        assertThat(t.send("a LOGIN joe@example.com secret")).contains(" I18NLEVEL=1 ").contains("a OK");
        assertThat(t.send("s SELECT INBOX")).contains("* " + MESSAGES.size() + " EXISTS");
    }

    @AfterEach
    void tearDown() {
        imap.close();
    }

    @Test
    void searchAndSortCompareAsDovecot() {
        ANSWERS.forEach((command, answer) -> assertThat(t.send("c " + command))
                .as(command).isEqualTo(answer + "\r\nc OK " + name(command) + " completed\r\n"));
    }

    /** The command's name as the tagged OK gives it. */
    static String name(String command) {
        return command.startsWith("SEARCH") ? "SEARCH" : command.startsWith("UID SEARCH") ? "UID SEARCH" : SortThreadTest.name(command);
    }

    @Test
    void headerSearchesAndSortsReadTheCacheNotTheMessageFiles() throws Exception {
        Map<String, String> before = new LinkedHashMap<>();
        ANSWERS.keySet().forEach(c -> before.put(c, t.send("c " + c)));
        // Every message has its cache entry now. Overwrite the files (their names stay, so cur/ does not change and
        // is not listed again): the same answers, from a new session too.
        try (Stream<Path> s = Files.list(dir.resolve("mail/joe@example.com/cur"))) {
            for (Path p : s.toList()) {
                Files.writeString(p, "X-Garbage: yes\r\n\r\nnothing here\r\n");
            }
        }
        before.forEach((command, answer) -> assertThat(t.send("c " + command)).as(command).isEqualTo(answer));
        assertThat(t.send("u UNSELECT")).contains("u OK");
        assertThat(t.send("s SELECT INBOX")).contains("s OK");
        before.forEach((command, answer) -> assertThat(t.send("c " + command)).as(command).isEqualTo(answer));
    }

    @Test
    void errorsAreTheSameAsBefore() {
        assertThat(t.send("c SEARCH CHARSET KOI8-R SUBJECT x")).isEqualTo("c NO [BADCHARSET (US-ASCII UTF-8)] Unsupported charset\r\n");
        assertThat(t.send("c SORT (SUBJECT) ISO-8859-1 ALL")).isEqualTo("c NO [BADCHARSET (US-ASCII UTF-8)] Unsupported charset\r\n");
        assertThat(t.send("c SEARCH CHARSET UTF-8 SUBJECT")).isEqualTo("c BAD Missing text\r\n");
        assertThat(t.send("z NOOP")).isEqualTo("z OK NOOP completed\r\n");
    }
}
