package io.sealmail.engine.imap;

import io.netty.channel.embedded.EmbeddedChannel;
import io.sealmail.bench.MaildirFill;
import io.sealmail.store.MaildirStore;
import io.sealmail.store.maildir.MaildirMailboxAccess;
import io.sealmail.testing.ExternalTool;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Instant;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The answers {@link SortThreadTest}, {@link ThreadRefsTest} and {@link I18nLevelTest} expect are Dovecot's: Dovecot 2.3's imap process (run alone, pre-authenticated
 * on a pipe, with a configuration of its own: no daemon, no port) is given the same messages in a Maildir and every
 * command of {@link SortThreadTest#ANSWERS}, and must answer each exactly so.
 */
class SortThreadDovecotTest {
    private static final String IMAP = "/usr/lib/dovecot/imap";

    @Test
    void dovecotGivesTheSameAnswers() throws Exception {
        List<String> commands = new ArrayList<>();
        commands.addAll(SortThreadTest.ANSWERS.keySet());
        List<String> answers = dovecot(maildir -> {
            int i = 0;
            for (String m : SortThreadTest.MESSAGES) {
                i++;
                Path file = maildir.resolve("new").resolve(String.format(Locale.ROOT, "%010d.M%dP1.test", i, i));
                Files.writeString(file, m.replace("\n", "\r\n"), StandardCharsets.UTF_8);
                Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2026-01-01T00:00:00Z"))); // INTERNALDATE
            }
        }, commands);
        for (int c = 0; c < commands.size(); c++) {
            assertThat(answers.get(c)).as(commands.get(c)).isEqualTo(SortThreadTest.ANSWERS.get(commands.get(c)));
        }
    }

    /** THREAD REFS's cases ({@link ThreadRefsTest}): Dovecot answers each command as that test expects Sealmail to. */
    @Test
    void dovecotThreadsRefsAsThreadRefsTestExpects() throws Exception {
        List<String> commands = new ArrayList<>(ThreadRefsTest.ANSWERS.keySet());
        List<String> answers = dovecot(ThreadRefsTest::write, commands);
        for (int c = 0; c < commands.size(); c++) {
            assertThat(answers.get(c)).as(commands.get(c)).isEqualTo(ThreadRefsTest.ANSWERS.get(commands.get(c)));
        }
    }

    /** I18NLEVEL=1's cases ({@link I18nLevelTest}): Dovecot answers each command as that test expects Sealmail to. */
    @Test
    void dovecotSearchesAndSortsAsI18nLevelTestExpects() throws Exception {
        List<String> commands = new ArrayList<>(I18nLevelTest.ANSWERS.keySet());
        List<String> answers = dovecot(I18nLevelTest::write, commands);
        for (int c = 0; c < commands.size(); c++) {
            assertThat(answers.get(c)).as(commands.get(c)).isEqualTo(I18nLevelTest.ANSWERS.get(commands.get(c)));
        }
    }

    /**
     * A generated folder with threads ({@code sealmail bench fill --threads}: 3,000 messages, replies to earlier
     * ones, dates out of order and in several zones, some missing, lost parents) in the same files for both
     * servers: Sealmail over its Maildir store answers every command exactly as Dovecot does.
     */
    @Test
    void aGeneratedFolderWithThreadsSortsAndThreadsAsDovecot() throws Exception {
        ExternalTool.require(IMAP, "Debian package dovecot-imapd");
        int count = 3000;
        List<String> commands = List.of("SORT (REVERSE DATE) UTF-8 ALL", "SORT (SUBJECT DATE) UTF-8 ALL",
                "SORT (REVERSE ARRIVAL) UTF-8 ALL", "UID SORT (FROM REVERSE SIZE) UTF-8 UNDELETED",
                "THREAD REFERENCES UTF-8 ALL", "THREAD ORDEREDSUBJECT UTF-8 ALL", "UID THREAD REFERENCES UTF-8 NOT SUBJECT 0007",
                "THREAD REFS UTF-8 ALL", "UID THREAD REFS UTF-8 NOT SUBJECT 0007",
                // ESORT and RFC 5267 §4.4 PARTIAL, as a client pages a large folder:
                "SORT RETURN (PARTIAL 1:50) (REVERSE DATE) UTF-8 ALL", "SORT RETURN (PARTIAL 2951:3100 COUNT MIN MAX) (SUBJECT) UTF-8 ALL",
                "UID SORT RETURN (PARTIAL 100:1) (REVERSE ARRIVAL) UTF-8 ALL",
                "SEARCH RETURN (PARTIAL 101:150 COUNT) ALL", "UID SEARCH RETURN (MIN MAX PARTIAL 2990:3100) NOT SUBJECT 0007",
                "SEARCH RETURN (PARTIAL 5000:6000) ALL", "SEARCH RETURN (CONTEXT COUNT) UNDELETED", "SORT RETURN (ALL) (DATE) UTF-8 ALL");
        List<String> expected = dovecot(maildir -> MaildirFill.fill(maildir, "joe@example.com", count, 300, true), commands);
        Path data = Files.createTempDirectory("sealmail-sort-engine");
        try {
            MaildirFill.fill(data.resolve("mail/joe@example.com"), "joe@example.com", count, 300, true);
            try (MaildirStore store = new MaildirStore(data); MaildirMailboxAccess access = new MaildirMailboxAccess(store, MessageSummary.CACHE_ENTRIES)) {
                AccessContext context = new AccessContext("mail.example.com", new TestAccounts(Map.of("joe@example.com", "secret")),
                        access, null, Runnable::run, ImapLimits.DEFAULTS, Duration.ZERO);
                Transcript t = new Transcript(new EmbeddedChannel(new ImapCommandDecoder(context.limits()), new ImapSession(context, false)));
                t.output();
                assertThat(t.send("a LOGIN joe@example.com secret")).contains("a OK");
                assertThat(t.send("s SELECT INBOX")).contains("* " + count + " EXISTS");
                for (int c = 0; c < commands.size(); c++) {
                    String answer = t.send("c " + commands.get(c));
                    if (!commands.get(c).contains("RETURN")) {
                        assertThat(expected.get(c)).as("Dovecot's answer lists the folder").hasSizeGreaterThan(count * 2);
                    }
                    assertThat(answer).as(commands.get(c))
                            .isEqualTo(expected.get(c) + "\r\nc OK " + SortThreadTest.name(commands.get(c)) + " completed\r\n");
                }
            }
        } finally {
            delete(data);
        }
    }

    private interface Filler {
        void fill(Path maildir) throws IOException;
    }

    /**
     * Dovecot's untagged SORT, THREAD or ESEARCH answer to each command (its tag written as {@code c}), over a Maildir {@code filler} writes. Dovecot
     * refuses to serve mail as root: as root, the Maildir and the process belong to nobody.
     */
    private static List<String> dovecot(Filler filler, List<String> commands) throws Exception {
        ExternalTool.require(IMAP, "Debian package dovecot-imapd");
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root) {
            ExternalTool.require("setpriv", "Debian package util-linux");
        }
        Path dir = Files.createTempDirectory("sealmail-sort-dovecot");
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path maildir = dir.resolve("Maildir");
            for (String sub : new String[] {"cur", "new", "tmp"}) {
                Files.createDirectories(maildir.resolve(sub));
            }
            filler.fill(maildir);
            String uid = root ? "65534" : String.valueOf(Files.getAttribute(dir, "unix:uid"));
            String gid = root ? "65534" : String.valueOf(Files.getAttribute(dir, "unix:gid"));
            Files.writeString(dir.resolve("dovecot.conf"), String.join("\n",
                    "base_dir = " + dir.resolve("run"),
                    "log_path = /dev/stderr",
                    "ssl = no",
                    "protocols = imap",
                    "mail_location = maildir:" + maildir,
                    "mail_uid = " + uid,
                    "mail_gid = " + gid,
                    "first_valid_uid = 1",
                    "first_valid_gid = 1",
                    "stats_writer_socket_path =",
                    ""));
            if (root) {
                UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
                try (Stream<Path> all = Files.walk(dir)) {
                    for (Path p : all.toList()) {
                        Files.setOwner(p, users.lookupPrincipalByName("nobody"));
                    }
                }
            }
            List<String> argv = new ArrayList<>();
            if (root) {
                argv.addAll(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
            }
            argv.addAll(List.of(IMAP, "-c", dir.resolve("dovecot.conf").toString()));
            ProcessBuilder pb = new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.DISCARD);
            pb.environment().put("USER", root ? "nobody" : System.getProperty("user.name"));
            pb.environment().put("HOME", dir.toString());
            Process p = pb.start();
            // A Dovecot that stops answering is killed, which ends the reads below: the test fails, never hangs.
            CompletableFuture.delayedExecutor(120, TimeUnit.SECONDS).execute(() -> p.toHandle().destroyForcibly());
            List<String> answers = new ArrayList<>();
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                 Writer out = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8)) {
                // One command at a time: Dovecot runs pipelined SORTs side by side and interleaves their answers.
                assertThat(in.readLine()).startsWith("* PREAUTH");
                assertThat(command(in, out, "s", "SELECT INBOX")).contains("s OK [READ-WRITE]");
                for (int c = 0; c < commands.size(); c++) {
                    String tag = "c" + c;
                    String answer = command(in, out, tag, commands.get(c));
                    assertThat(answer).as(commands.get(c)).containsPattern("(?m)^" + tag + " OK ");
                    // An ESEARCH names the command's tag: Sealmail's transcripts tag every command "c".
                    answers.add(answer.lines().filter(l -> l.startsWith("* SORT") || l.startsWith("* THREAD") || l.startsWith("* ESEARCH")
                            || l.equals("* SEARCH") || l.startsWith("* SEARCH "))
                            .map(l -> l.replace("(TAG \"" + tag + "\")", "(TAG \"c\")")).findFirst().orElse("(none)"));
                }
                command(in, out, "z", "LOGOUT");
                assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("dovecot's imap exits after LOGOUT").isTrue();
            } finally {
                p.toHandle().destroyForcibly();
            }
            return answers;
        } finally {
            delete(dir);
        }
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path f : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }

    /** Sends one command; returns the lines up to and including its tagged answer, CRLF-joined. */
    private static String command(BufferedReader in, Writer out, String tag, String command) throws IOException {
        out.write(tag + " " + command + "\r\n");
        out.flush();
        StringBuilder answer = new StringBuilder();
        String line;
        while ((line = in.readLine()) != null) {
            answer.append(line).append("\r\n");
            if (line.startsWith(tag + " ")) {
                break;
            }
        }
        return answer.toString();
    }
}
