package io.sealmail.engine.imap;

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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The answers {@link SortThreadTest} expects are Dovecot's: Dovecot 2.3's imap process (run alone, pre-authenticated
 * on a pipe, with a configuration of its own: no daemon, no port) is given the same messages in a Maildir and every
 * command of {@link SortThreadTest#ANSWERS}, and must answer each exactly so.
 */
class SortThreadDovecotTest {
    private static final String IMAP = "/usr/lib/dovecot/imap";

    @Test
    void dovecotGivesTheSameAnswers() throws Exception {
        ExternalTool.require(IMAP, "Debian package dovecot-imapd");
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root) {
            ExternalTool.require("setpriv", "Debian package util-linux");
        }
        // Dovecot refuses to serve mail as root: as root, the Maildir and the process belong to nobody.
        Path dir = Files.createTempDirectory("sealmail-sort-dovecot");
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path maildir = dir.resolve("Maildir");
            for (String sub : new String[] {"cur", "new", "tmp"}) {
                Files.createDirectories(maildir.resolve(sub));
            }
            int i = 0;
            for (String m : SortThreadTest.MESSAGES) {
                i++;
                Path file = maildir.resolve("new").resolve(String.format(Locale.ROOT, "%010d.M%dP1.test", i, i));
                Files.writeString(file, m.replace("\n", "\r\n"), StandardCharsets.UTF_8);
                Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2026-01-01T00:00:00Z"))); // INTERNALDATE
            }
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
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                 Writer out = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8)) {
                // One command at a time: Dovecot runs pipelined SORTs side by side and interleaves their answers.
                assertThat(in.readLine()).startsWith("* PREAUTH");
                assertThat(command(in, out, "s", "SELECT INBOX")).contains("s OK [READ-WRITE]");
                int c = 0;
                for (var e : SortThreadTest.ANSWERS.entrySet()) {
                    if (SortThreadTest.NOT_AS_DOVECOT.contains(e.getKey())) {
                        continue;
                    }
                    String tag = "c" + c++;
                    assertThat(command(in, out, tag, e.getKey())).as(e.getKey())
                            .startsWith(e.getValue() + "\r\n" + tag + " OK ");
                }
                command(in, out, "z", "LOGOUT");
                assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("dovecot's imap exits after LOGOUT").isTrue();
            } finally {
                p.toHandle().destroyForcibly();
            }
        } finally {
            try (Stream<Path> all = Files.walk(dir)) {
                for (Path f : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(f);
                }
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
