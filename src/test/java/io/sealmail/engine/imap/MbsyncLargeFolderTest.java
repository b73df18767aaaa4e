package io.sealmail.engine.imap;

import io.sealmail.bench.MaildirFill;
import io.sealmail.config.Role;
import io.sealmail.engine.tls.TestPki;
import io.sealmail.testing.ExternalTool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static io.sealmail.engine.imap.MailAccessTestServer.JOE;
import static io.sealmail.engine.imap.MailAccessTestServer.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * mbsync (isync) keeping a large folder in step with Sealmail both ways, over IMAPS on 127.0.6.105 (TLS through
 * openssl s_client as mbsync's tunnel) with the
 * production Maildir store. The server's folder gets 10,000 messages written straight into its Maildir (as
 * {@code sealmail bench fill} does), mbsync's local Maildir 1,000 of its own; one run copies each side's messages to
 * the other. Then both sides change flags (some on the same messages) and delete a few, a second run carries the
 * changes across, and a third finds nothing left to do. After each run the two sides hold the same messages (by
 * Message-ID) with the same flags.
 */
class MbsyncLargeFolderTest {
    static final String HOST = "127.0.6.105";
    static final int FAR = 10_000;
    static final int NEAR = 1_000;
    private static final Pattern FETCH = Pattern.compile(
            "\\* \\d+ FETCH \\(FLAGS \\(([^)]*)\\) BODY\\[HEADER\\.FIELDS \\(MESSAGE-ID\\)\\] \\{\\d+\\}\r\nMessage-ID: <([^>]+)>",
            Pattern.CASE_INSENSITIVE);

    @TempDir
    Path dir;

    @Test
    void tenThousandMessagesAndFlagChangesOnBothSidesEndIdentical() throws Exception {
        String mbsync = ExternalTool.require("mbsync", "Debian package isync");
        TestPki.create(dir.resolve("server/tls"), List.of(HOST)); // the certificate names this test's address
        try (MailAccessTestServer server = new MailAccessTestServer(dir.resolve("server"), l -> l, true, b -> b, HOST)) {
            try (SocketTranscript t = SocketTranscript.login(server, JOE, PASSWORD)) {
                assertThat(t.send("c CREATE Big")).contains("c OK");
            }
            MaildirFill.fill(dir.resolve("server/data/mail/" + JOE + "/.Big"), JOE, FAR, 1500);
            Path near = dir.resolve("local/Big");
            writeNear(near, NEAR);

            Run first = mbsync(mbsync, server);
            assertThat(first.exit()).as(first.output()).isZero();
            Map<String, String> farState = far(server);
            assertThat(farState).hasSize(FAR + NEAR);
            assertThat(near(near)).as("after the first run").isEqualTo(farState);

            // Flags on both sides, partly on the same messages (mbsync merges what each side added), and deletions on
            // both. Message n of the server's folder is fill-(n-1) (delivery order).
            try (SocketTranscript t = SocketTranscript.login(server, JOE, PASSWORD)) {
                t.send("s SELECT Big");
                assertThat(t.send("a STORE 1:3000 +FLAGS.SILENT (\\Seen)")).contains("a OK");
                assertThat(t.send("b STORE 100:199 +FLAGS.SILENT (\\Flagged)")).contains("b OK");
                assertThat(t.send("d STORE 7,8,9 +FLAGS.SILENT (\\Deleted)")).contains("d OK");
                assertThat(t.send("e EXPUNGE")).contains("e OK");
            }
            changeNear(near);

            Run second = mbsync(mbsync, server);
            assertThat(second.exit()).as(second.output()).isZero();
            farState = far(server);
            assertThat(farState).as("three expunged on the server, two deleted locally").hasSize(FAR + NEAR - 5)
                    .isEqualTo(expected());
            assertThat(farState.get("fill-000150@bench.sealmail")).isEqualTo("\\Answered \\Flagged \\Seen");
            assertThat(near(near)).as("after the second run").isEqualTo(farState);

            Run third = mbsync(mbsync, server);
            assertThat(third.exit()).as(third.output()).isZero();
            assertThat(far(server)).isEqualTo(farState);
            assertThat(near(near)).isEqualTo(farState);
        }
    }

    /** What both sides must hold after the changes: each side's additions merged, each side's deletions gone. */
    private static Map<String, String> expected() {
        Map<String, String> out = new TreeMap<>();
        for (int n = 0; n < FAR; n++) {
            if (n == 6 || n == 7 || n == 8 || n == 20) {
                continue;
            }
            List<String> flags = new ArrayList<>();
            if (n == 150) {
                flags.add("\\Answered");
            }
            if (n >= 99 && n <= 299) {
                flags.add("\\Flagged");
            }
            if (n < 3000) {
                flags.add("\\Seen");
            }
            out.put(String.format("fill-%06d@bench.sealmail", n), String.join(" ", flags));
        }
        for (int n = 0; n < NEAR - 1; n++) {
            List<String> flags = new ArrayList<>();
            if (n == 50) {
                flags.add("\\Answered");
            }
            if (n < 100) {
                flags.add("\\Flagged");
            }
            if (n < 50) {
                flags.add("\\Seen");
            }
            out.put(String.format("near-%05d@mbsync.test", n), String.join(" ", flags));
        }
        return out;
    }

    /** Local messages, written into {@code new/} as a delivery agent would. */
    private static void writeNear(Path maildir, int count) throws IOException {
        for (String sub : new String[] {"cur", "new", "tmp"}) {
            Files.createDirectories(maildir.resolve(sub));
        }
        for (int i = 0; i < count; i++) {
            String m = "From: near@mbsync.test\r\nTo: " + JOE + "\r\nSubject: local " + i + "\r\n"
                    + String.format("Message-ID: <near-%05d@mbsync.test>\r\n", i)
                    + "Date: Fri, 04 Dec 2026 08:00:00 +0000\r\n\r\nwritten on the near side " + i + "\r\n";
            Files.writeString(maildir.resolve("new").resolve(String.format("1764835200.near%05d.client", i)), m,
                    StandardCharsets.US_ASCII);
        }
    }

    /**
     * The near side's changes: \Flagged on fill 100..299 (the server flags 100..199 too) and on near 0..99, \Answered
     * on fill 150 and near 50, \Seen on near 0..49; fill 20 and near 999 deleted.
     */
    private static void changeNear(Path maildir) throws IOException {
        for (Path f : files(maildir)) {
            String id = messageId(f);
            int n = Integer.parseInt(id.substring(5, id.indexOf('@')));
            boolean fill = id.startsWith("fill-");
            String add = "";
            if (fill && n >= 100 && n < 300 || !fill && n < 100) {
                add += "F";
            }
            if (fill && n == 150 || !fill && n == 50) {
                add += "R";
            }
            if (!fill && n < 50) {
                add += "S";
            }
            if (fill && n == 20 || !fill && n == 999) {
                Files.delete(f);
            } else if (!add.isEmpty()) {
                String name = f.getFileName().toString();
                int info = name.indexOf(":2,");
                String flags = info < 0 ? "" : name.substring(info + 3);
                TreeSet<Character> all = new TreeSet<>();
                for (char c : (flags + add).toCharArray()) {
                    all.add(c);
                }
                StringBuilder sorted = new StringBuilder();
                all.forEach(sorted::append);
                String base = info < 0 ? name : name.substring(0, info);
                Files.move(f, maildir.resolve("cur").resolve(base + ":2," + sorted));
            }
        }
    }

    /** Message-ID to flags, from the server over IMAP. */
    private static Map<String, String> far(MailAccessTestServer server) throws IOException {
        try (SocketTranscript t = SocketTranscript.login(server, JOE, PASSWORD)) {
            t.send("s EXAMINE Big");
            String answer = t.send("f FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])");
            assertThat(answer).endsWith("f OK FETCH completed\r\n");
            Map<String, String> out = new TreeMap<>();
            Matcher m = FETCH.matcher(answer);
            while (m.find()) {
                List<String> flags = new ArrayList<>(List.of(m.group(1).isEmpty() ? new String[0] : m.group(1).split(" ")));
                flags.sort(null);
                assertThat(out.put(m.group(2), String.join(" ", flags))).as("one message per Message-ID").isNull();
            }
            return out;
        }
    }

    /** Message-ID to flags, from mbsync's Maildir (file name info {@code :2,FRS...}). */
    private static Map<String, String> near(Path maildir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        for (Path f : files(maildir)) {
            String name = f.getFileName().toString();
            int info = name.indexOf(":2,");
            List<String> flags = new ArrayList<>();
            for (char c : (info < 0 ? "" : name.substring(info + 3)).toCharArray()) {
                switch (c) {
                    case 'D' -> flags.add("\\Draft");
                    case 'F' -> flags.add("\\Flagged");
                    case 'R' -> flags.add("\\Answered");
                    case 'S' -> flags.add("\\Seen");
                    case 'T' -> flags.add("\\Deleted");
                    default -> { }
                }
            }
            flags.sort(null);
            assertThat(out.put(messageId(f), String.join(" ", flags))).as("one file per Message-ID").isNull();
        }
        return out;
    }

    private static List<Path> files(Path maildir) throws IOException {
        try (Stream<Path> s = Stream.concat(Files.list(maildir.resolve("cur")), Files.list(maildir.resolve("new")))) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    private static String messageId(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            String head = new String(in.readNBytes(4096), StandardCharsets.US_ASCII);
            Matcher m = Pattern.compile("(?im)^Message-ID:\\s*<([^>]+)>").matcher(head);
            assertThat(m.find()).as("Message-ID in %s", file).isTrue();
            return m.group(1);
        }
    }

    record Run(int exit, String output) {
    }

    /**
     * One mbsync run. mbsync checks a certificate against DNS names only, and the server listens on an address of
     * this test's own, so TLS runs in openssl s_client as mbsync's tunnel, verifying the certificate against that
     * address and our CA alone.
     */
    private Run mbsync(String mbsync, MailAccessTestServer server) throws IOException, InterruptedException {
        String openssl = ExternalTool.require("openssl", "Debian package openssl");
        Path config = dir.resolve("mbsyncrc");
        // FSync no: mbsync's own 10,000 local files need not each reach the disk for this check.
        Files.writeString(config, """
                FSync no

                IMAPAccount sealmail
                Tunnel "%s s_client -quiet -connect %s:%d -CAfile %s -verify_ip %s -verify_return_error"
                User %s
                Pass "%s"
                AuthMechs LOGIN
                PipelineDepth 50

                IMAPStore far
                Account sealmail

                MaildirStore near
                Path %s/
                Inbox %s/INBOX

                Channel big
                Far :far:
                Near :near:
                Patterns Big
                Create Both
                Expunge Both
                Sync All
                CopyArrivalDate yes
                SyncState *
                """.formatted(openssl, HOST, server.port(Role.IMAPS), server.pki().caCrt(), HOST, JOE, PASSWORD,
                dir.resolve("local"), dir.resolve("local")), StandardCharsets.UTF_8);
        Process p = new ProcessBuilder(mbsync, "-c", config.toString(), "big").redirectErrorStream(true).start();
        // An mbsync that stops making progress is killed, which ends the read below: the test fails, never hangs.
        java.util.concurrent.CompletableFuture.delayedExecutor(600, TimeUnit.SECONDS).execute(() -> p.descendants()
                .forEach(ProcessHandle::destroyForcibly));
        java.util.concurrent.CompletableFuture.delayedExecutor(600, TimeUnit.SECONDS).execute(p::destroyForcibly);
        long started = System.nanoTime();
        try {
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            System.out.printf("mbsync run: %d ms%n", (System.nanoTime() - started) / 1_000_000);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("mbsync exits once its output ends").isTrue();
            return new Run(p.exitValue(), output);
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }
}
