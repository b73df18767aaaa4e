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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * THREAD REFS (draft-ietf-morg-inthread, as Dovecot 2.3 threads) as raw transcripts over the production Maildir
 * store, on a folder made of the cases where REFS and REFERENCES part ways or where linking is subtle: a duplicate
 * Message-ID, messages without one, a three-message reference ring, a message referring to itself, two lost
 * parents, an In-Reply-To with two IDs, a References field that moves an existing root under another thread,
 * siblings with equal dates, a Date that is none, and two threads whose newest messages tie (a dummy-topped one goes
 * first). The files ({@link #write}) are also what {@link SortThreadDovecotTest} gives Dovecot, whose answers
 * {@link #ANSWERS} are.
 */
class ThreadRefsTest {
    /** Every message's INTERNALDATE is this plus its offset (seconds), in its file name and as the file's time. */
    private static final long BASE = 1_767_225_600L; // 2026-01-01T00:00:00Z

    /** INTERNALDATE offset and header fields of each message, in delivery (sequence and UID) order. */
    private record Message(int offset, String fields) {
    }

    private static final List<Message> MESSAGES = List.of(
            new Message(0, "Message-ID: <r1@t.test>\nSubject: Plan\nDate: Mon, 1 Dec 2025 10:00:00 +0000"),
            // 2: no Message-ID of its own
            new Message(1, "Subject: Re: Plan\nIn-Reply-To: <r1@t.test>\nDate: Mon, 1 Dec 2025 11:00:00 +0000"),
            // 3: 1's Message-ID again: a duplicate counts as none (the first message keeps it)
            new Message(2, "Message-ID: <r1@t.test>\nSubject: Plan\nDate: Mon, 1 Dec 2025 09:00:00 +0000"),
            new Message(3, "Message-ID: <r4@t.test>\nSubject: Re: Plan\nReferences: <r1@t.test>\nDate: Fri, 5 Dec 2025 10:00:00 +0000"),
            // 5, 6, 7: a ring
            new Message(4, "Message-ID: <r5@t.test>\nSubject: ring\nReferences: <r6@t.test>\nDate: Tue, 2 Dec 2025 01:00:00 +0000"),
            new Message(5, "Message-ID: <r6@t.test>\nSubject: ring\nReferences: <r7@t.test>\nDate: Tue, 2 Dec 2025 02:00:00 +0000"),
            new Message(6, "Message-ID: <r7@t.test>\nSubject: ring\nReferences: <r5@t.test>\nDate: Tue, 2 Dec 2025 03:00:00 +0000"),
            // 8: refers to itself
            new Message(7, "Message-ID: <r8@t.test>\nSubject: self\nReferences: <r8@t.test>\nDate: Wed, 3 Dec 2025 00:00:00 +0000"),
            // 9, 10: below a lost parent; 9 has no Date, 10 one that is none (their INTERNALDATE, the same second)
            new Message(8, "Message-ID: <r9@t.test>\nSubject: lost\nReferences: <gone1@t.test> <gone2@t.test>"),
            new Message(8, "Message-ID: <r10@t.test>\nSubject: lost too\nReferences: <gone1@t.test>\nDate: not a date"),
            // 11 alone and 12 alone below a lost parent, with the same Date: a tie between threads
            new Message(9, "Message-ID: <r11@t.test>\nSubject: tie\nDate: Wed, 10 Dec 2025 12:00:00 +0000"),
            new Message(10, "Message-ID: <r12@t.test>\nSubject: tie\nReferences: <lost@t.test>\nDate: Wed, 10 Dec 2025 12:00:00 +0000"),
            // 13: no Message-ID, no references; -1100 puts it on the next day in UTC
            new Message(11, "Subject: alone\nDate: Thu, 4 Dec 2025 23:30:00 -1100"),
            // 14: In-Reply-To with two IDs: the first is the parent
            new Message(12, "Message-ID: <r14@t.test>\nSubject: Re: Plan\nIn-Reply-To: <r4@t.test> <r9@t.test>\nDate: Sat, 6 Dec 2025 10:00:00 +0000"),
            // 15: its References put 1's thread below the ring
            new Message(13, "Message-ID: <r15@t.test>\nSubject: Re: ring\nReferences: <r5@t.test> <r1@t.test> <r4@t.test>\nDate: Sun, 7 Dec 2025 10:00:00 +0000"),
            // 16, 17, 18: replies to 8; 17 and 18 have the same Date (siblings then go by number), 16 is an hour later
            new Message(14, "Message-ID: <r16@t.test>\nSubject: Re: self\nReferences: <r8@t.test>\nDate: Thu, 11 Dec 2025 08:00:00 +0100"),
            new Message(15, "Message-ID: <r17@t.test>\nSubject: Re: self\nReferences: <r8@t.test>\nDate: Thu, 11 Dec 2025 07:00:00 +0000"),
            new Message(16, "Message-ID: <r18@t.test>\nSubject: Re: self\nReferences: <r8@t.test>\nDate: Thu, 11 Dec 2025 07:00:00 +0000"),
            // 19, 20: a two-message loop without dates
            new Message(16, "Message-ID: <r19@t.test>\nSubject: late\nReferences: <r20@t.test>"),
            new Message(16, "Message-ID: <r20@t.test>\nSubject: early\nReferences: <r19@t.test>"));

    /** The commands and Dovecot 2.3.19's answers ({@link SortThreadDovecotTest}). */
    static final Map<String, String> ANSWERS = Map.of(
            "THREAD REFS UTF-8 ALL", "* THREAD (3)(13)(7 6 5 1 (2)(4 (14)(15)))(12)(11)(8 (16)(17)(18))((9)(10))(20 19)",
            "THREAD REFERENCES UTF-8 ALL", "* THREAD (3)(7 6 5 1 (2)(4 (14)(15)))(8 (16)(17)(18))(13)((11)(12))((9)(10))(20 19)",
            "THREAD ORDEREDSUBJECT UTF-8 ALL", "* THREAD (3 (1)(2)(4)(14))(5 (6)(7)(15))(8 (16)(17)(18))(13)(11 12)(9)(10)(19)(20)",
            // Without 1, the duplicate (3) holds <r1@t.test> and takes 1's place.
            "UID THREAD REFS UTF-8 NOT 1", "* THREAD (13)(7 6 5 3 (2)(4 (14)(15)))(12)(11)(8 (16)(17)(18))((9)(10))(20 19)",
            "THREAD REFS UTF-8 NOT 3", "* THREAD (13)(7 6 5 1 (2)(4 (14)(15)))(12)(11)(8 (16)(17)(18))((9)(10))(20 19)",
            // The tie: 12's thread is topped by a dummy, which REFS keeps and puts first.
            "THREAD REFS UTF-8 SUBJECT tie", "* THREAD (12)(11)",
            "UID THREAD REFS UTF-8 UID 16:20", "* THREAD ((16)(17)(18))(20 19)");

    /** Writes the folder into {@code maildir}'s new/, names and file times giving each message its INTERNALDATE. */
    static void write(Path maildir) throws IOException {
        Files.createDirectories(maildir.resolve("new"));
        for (int i = 0; i < MESSAGES.size(); i++) {
            Message m = MESSAGES.get(i);
            long seconds = BASE + m.offset();
            Path file = maildir.resolve("new").resolve(String.format(Locale.ROOT, "%d.M%06dP1.test", seconds, i + 1));
            String text = "From: u" + (i + 1) + "@example.com\nTo: joe@example.com\n" + m.fields() + "\n\nbody " + (i + 1) + "\n";
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
        write(dir.resolve("mail/joe@example.com"));
        for (String sub : new String[] {"cur", "tmp"}) {
            Files.createDirectories(dir.resolve("mail/joe@example.com").resolve(sub));
        }
        imap = new MaildirImapStore(dir);
        t = imap.connect();
        t.output();
        assertThat(t.send("a LOGIN joe@example.com secret")).contains(" THREAD=REFS ").contains("a OK");
        assertThat(t.send("s SELECT INBOX")).contains("* " + MESSAGES.size() + " EXISTS");
    }

    /**
     * A folder of its own: a chain of {@link #CHAIN} replies, each to the message before it, threaded on a thread
     * with a 256 KiB stack (every walk over a thread keeps its own stack, never one frame per level), then a message whose References name 1,500 IDs, oldest first: only the last
     * {@link ThreadTree#MAX_REFERENCES} are used, so the message holding the 501st (x500) is its ancestor and the
     * one holding the 500th (x499), past the bound, is not.
     */
    private static List<String> chain() {
        List<String> messages = new java.util.ArrayList<>();
        for (int i = 0; i < CHAIN; i++) {
            messages.add("Message-ID: <c" + i + "@t.test>\nSubject: chain\nDate: Mon, 1 Dec 2025 10:00:00 +0000"
                    + (i == 0 ? "" : "\nIn-Reply-To: <c" + (i - 1) + "@t.test>"));
        }
        StringBuilder refs = new StringBuilder();
        for (int i = 0; i < 1500; i++) {
            refs.append(i == 0 ? "" : "\n ").append("<x").append(i).append("@t.test>");
        }
        messages.add("Message-ID: <x499@t.test>\nSubject: past the bound\nDate: Tue, 2 Dec 2025 10:00:00 +0000");
        messages.add("Message-ID: <x500@t.test>\nSubject: within the bound\nDate: Tue, 2 Dec 2025 11:00:00 +0000");
        messages.add("Message-ID: <long@t.test>\nSubject: long\nReferences: " + refs + "\nDate: Tue, 2 Dec 2025 12:00:00 +0000");
        return messages;
    }

    private static final int CHAIN = 5_000;

    private static void writeFolder(Path maildir, List<String> fields) throws IOException {
        for (String sub : new String[] {"cur", "new", "tmp"}) {
            Files.createDirectories(maildir.resolve(sub));
        }
        for (int i = 0; i < fields.size(); i++) {
            Path file = maildir.resolve("new").resolve(String.format(Locale.ROOT, "%d.M%06dP1.test", BASE, i + 1));
            String text = "From: u@example.com\n" + fields.get(i) + "\n\nbody\n";
            Files.writeString(file, text.replace("\n", "\r\n"), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aLongChainAndReferencesPastTheBound() throws Exception {
        assertThat(t.send("m CREATE Chain")).contains("m OK");
        writeFolder(dir.resolve("mail/joe@example.com/.Chain"), chain());
        assertThat(t.send("s SELECT Chain")).contains("* " + (CHAIN + 3) + " EXISTS");
        StringBuilder chain = new StringBuilder("(");
        for (int i = 1; i <= CHAIN; i++) {
            chain.append(i == 1 ? "" : " ").append(i);
        }
        chain.append(')');
        int past = CHAIN + 1;
        int within = CHAIN + 2;
        int longRefs = CHAIN + 3;
        assertThat(ThreadTree.MAX_REFERENCES).isEqualTo(1000);
        String[] answer = new String[1];
        Thread small = new Thread(null, () -> answer[0] = t.send("c THREAD REFS UTF-8 ALL"), "small-stack", 256 * 1024);
        small.start();
        small.join();
        assertThat(answer[0]).isEqualTo("* THREAD " + chain + "(" + past + ")(" + within + " " + longRefs + ")\r\n"
                + "c OK THREAD completed\r\n");
        assertThat(t.send("c THREAD REFERENCES UTF-8 NOT SUBJECT chain"))
                .isEqualTo("* THREAD (" + past + ")(" + within + " " + longRefs + ")\r\nc OK THREAD completed\r\n");
    }

    @AfterEach
    void tearDown() {
        imap.close();
    }

    @Test
    void refsAnswersAsDovecot() {
        ANSWERS.forEach((command, answer) -> assertThat(t.send("c " + command))
                .as(command).isEqualTo(answer + "\r\nc OK " + SortThreadTest.name(command) + " completed\r\n"));
    }

    @Test
    void theSameAnswersAgainFromTheSessionsKeysAndAfterAnExpunge() {
        String refs = ANSWERS.get("THREAD REFS UTF-8 ALL");
        assertThat(t.send("c THREAD REFS UTF-8 ALL")).startsWith(refs + "\r\n");
        assertThat(t.send("c THREAD REFS UTF-8 ALL")).as("a second time, from the keys the session kept").startsWith(refs + "\r\n");
        // Expunging 1 leaves 3 as the holder of <r1@t.test>: the answer of "NOT 1", renumbered (3 is now 2, ...).
        assertThat(t.send("e STORE 1 +FLAGS.SILENT (\\Deleted)")).contains("e OK");
        assertThat(t.send("e EXPUNGE")).contains("* 1 EXPUNGE");
        assertThat(t.send("c THREAD REFS UTF-8 ALL"))
                .startsWith("* THREAD (12)(6 5 4 2 (1)(3 (13)(14)))(11)(10)(7 (15)(16)(17))((8)(9))(19 18)\r\n");
        assertThat(t.send("c UID THREAD REFS UTF-8 ALL"))
                .startsWith("* THREAD " + ANSWERS.get("UID THREAD REFS UTF-8 NOT 1").substring("* THREAD ".length()) + "\r\n");
    }
}
