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
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ESEARCH (RFC 4731), WITHIN (RFC 5032), LIST-STATUS (RFC 5819), STATUS=SIZE (RFC 8438) and QUOTA (RFC 9208) as raw
 * transcripts over the production Maildir store, with a quota of 10,000 octets per account.
 */
class ImapSearchStatusQuotaTest {
    @TempDir
    Path dir;
    private MaildirStore store;
    private MaildirMailboxAccess access;
    private AccessContext context;
    private long inboxOctets;

    @BeforeEach
    void setUp() throws Exception {
        store = new MaildirStore(dir, 10_000);
        access = new MaildirMailboxAccess(store, MessageSummary.CACHE_ENTRIES);
        for (int i = 1; i <= 5; i++) {
            deliver("From: a" + i + "@example.com\nSubject: message " + i + "\n\nbody " + i + "\n");
        }
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
        // What the store keeps (with its trace header), as STATUS SIZE and the quota count it.
        inboxOctets = store.usage("joe@example.com");
    }

    private Transcript login() {
        Transcript t = new Transcript(new EmbeddedChannel(new ImapCommandDecoder(context.limits()), new ImapSession(context, false)));
        assertThat(t.send("a LOGIN joe@example.com secret"))
                .contains(" LIST-STATUS ", " ESEARCH ", " WITHIN ", " STATUS=SIZE ", " QUOTA QUOTA=RES-STORAGE ");
        return t;
    }

    @Test
    void esearchReturnsMinMaxAllCount() {
        Transcript t = login();
        t.send("s SELECT INBOX");
        t.send("d STORE 2,4 +FLAGS.SILENT (\\Deleted)");
        assertThat(t.send("A1 SEARCH RETURN (MIN MAX COUNT ALL) UNDELETED"))
                .isEqualTo("* ESEARCH (TAG \"A1\") MIN 1 MAX 5 ALL 1,3,5 COUNT 3\r\nA1 OK SEARCH completed\r\n");
        assertThat(t.send("A2 UID SEARCH RETURN () 1:3"))
                .as("an empty list means ALL").isEqualTo("* ESEARCH (TAG \"A2\") UID ALL 1:3\r\nA2 OK UID SEARCH completed\r\n");
        assertThat(t.send("A3 SEARCH RETURN (COUNT MIN) SUBJECT nothing-matches"))
                .as("no match: only COUNT").isEqualTo("* ESEARCH (TAG \"A3\") COUNT 0\r\nA3 OK SEARCH completed\r\n");
        assertThat(t.send("A4 SEARCH RETURN (MAX) CHARSET UTF-8 DELETED"))
                .isEqualTo("* ESEARCH (TAG \"A4\") MAX 4\r\nA4 OK SEARCH completed\r\n");
        assertThat(t.send("A5 SEARCH RETURN (ALL) MODSEQ 1")).matches("(?s)\\* ESEARCH \\(TAG \"A5\"\\) ALL 1:5 MODSEQ \\d+\r\nA5 OK.*");
        assertThat(t.send("A6 SEARCH 1:*")).as("without RETURN: the old response")
                .isEqualTo("* SEARCH 1 2 3 4 5\r\nA6 OK SEARCH completed\r\n");
        assertThat(t.send("B1 SEARCH RETURN (UPDATE) ALL")).as("CONTEXT=SEARCH is not offered").startsWith("B1 BAD");
        assertThat(t.send("B2 SEARCH RETURN (MIN")).startsWith("B2 BAD");
        assertThat(t.send("B3 SEARCH RETURN ALL")).as("options must be a list").startsWith("B3 BAD");
        assertThat(t.send("B4 SEARCH RETURN (COUNT)")).as("criteria missing").startsWith("B4 BAD");
    }

    /** RFC 9051 §6.4.4: the Date: field's day "disregarding time and timezone", not its day in UTC. */
    @Test
    void sentDatesCompareTheDayAsWrittenWhateverItsZone() throws Exception {
        deliver("From: x@example.com\nDate: Thu, 05 Jun 2025 00:30:00 +0200\nSubject: east\n\nb\n"); // 22:30 UTC on the 4th
        deliver("From: x@example.com\nDate: Wed, 04 Jun 2025 23:30:00 -0500\nSubject: west\n\nb\n"); // 04:30 UTC on the 5th
        Transcript t = login();
        t.send("s SELECT INBOX");
        assertThat(t.send("d1 SEARCH SENTON 5-Jun-2025")).isEqualTo("* SEARCH 6\r\nd1 OK SEARCH completed\r\n");
        assertThat(t.send("d2 SEARCH SENTON 4-Jun-2025")).isEqualTo("* SEARCH 7\r\nd2 OK SEARCH completed\r\n");
        assertThat(t.send("d3 SEARCH SENTBEFORE 5-Jun-2025")).isEqualTo("* SEARCH 7\r\nd3 OK SEARCH completed\r\n");
        assertThat(t.send("d4 SEARCH SENTSINCE 5-Jun-2025")).isEqualTo("* SEARCH 6\r\nd4 OK SEARCH completed\r\n");
        // SORT (DATE) still orders by the instant (RFC 5256 §2.2): the east message was sent first.
        assertThat(t.send("d5 SORT (DATE) UTF-8 6:7")).isEqualTo("* SORT 6 7\r\nd5 OK SORT completed\r\n");
    }

    @Test
    void withinComparesTheInternalDateWithNow() {
        Transcript t = login();
        t.send("s SELECT INBOX");
        assertThat(t.send("w SEARCH YOUNGER 3600")).isEqualTo("* SEARCH 1 2 3 4 5\r\nw OK SEARCH completed\r\n");
        assertThat(t.send("w2 SEARCH OLDER 3600")).isEqualTo("* SEARCH\r\nw2 OK SEARCH completed\r\n");
        // An APPEND with an internal date two days ago is OLDER than a day.
        t.send("p APPEND INBOX (\\Seen) \"01-Jan-2020 10:00:00 +0000\" {12+}\r\nSubject: x\r\n");
        assertThat(t.send("w3 UID SEARCH OLDER 86400")).isEqualTo("* SEARCH 6\r\nw3 OK UID SEARCH completed\r\n");
        assertThat(t.send("w4 SEARCH YOUNGER 0")).as("nz-number").startsWith("w4 BAD");
        assertThat(t.send("w5 SEARCH OLDER soon")).startsWith("w5 BAD");
        // Past the range of dates: nothing is that old, everything is that young, no error.
        assertThat(t.send("w6 SEARCH OLDER 999999999999999999")).isEqualTo("* SEARCH\r\nw6 OK SEARCH completed\r\n");
        assertThat(t.send("w7 UID SEARCH YOUNGER 999999999999999999")).isEqualTo("* SEARCH 1 2 3 4 5 6\r\nw7 OK UID SEARCH completed\r\n");
    }

    @Test
    void listStatusAndStatusSize() {
        Transcript t = login();
        t.send("c CREATE Work");
        String list = t.send("l LIST \"\" \"*\" RETURN (STATUS (MESSAGES SIZE UIDNEXT))");
        assertThat(list).contains("* LIST (\\HasNoChildren) \"/\" \"INBOX\"\r\n* STATUS \"INBOX\" (MESSAGES 5 SIZE " + inboxOctets
                + " UIDNEXT 6)\r\n", "* LIST (\\HasNoChildren) \"/\" \"Work\"\r\n* STATUS \"Work\" (MESSAGES 0 SIZE 0 UIDNEXT 1)\r\n")
                .endsWith("l OK LIST completed\r\n");
        assertThat(list.split("\\* STATUS").length - 1).as("one STATUS per LIST line").isEqualTo(list.split("\\* LIST").length - 1);
        assertThat(t.send("l2 LIST \"\" \"*\" RETURN (STATUS (MESSAGES BOGUS))")).as("checked before any answer")
                .startsWith("l2 BAD").doesNotContain("* LIST");
        assertThat(t.send("l3 LIST \"\" \"*\" RETURN (STATUS (FOO))")).startsWith("l3 BAD");
        assertThat(t.send("l4 LIST \"\" \"*\" RETURN (STATUS)")).startsWith("l4 BAD");
        assertThat(t.send("st STATUS INBOX (SIZE DELETED DELETED-STORAGE)"))
                .isEqualTo("* STATUS \"INBOX\" (SIZE " + inboxOctets + " DELETED 0 DELETED-STORAGE 0)\r\nst OK STATUS completed\r\n");
        t.send("s SELECT INBOX");
        t.send("d STORE 1:5 +FLAGS.SILENT (\\Deleted)");
        assertThat(t.send("st2 STATUS INBOX (DELETED DELETED-STORAGE)"))
                .isEqualTo("* STATUS \"INBOX\" (DELETED 5 DELETED-STORAGE " + (inboxOctets + 1023) / 1024 + ")\r\nst2 OK STATUS completed\r\n");
    }

    @Test
    void quotaReportsTheStoresLimitAndUsage() {
        Transcript t = login();
        long usedKib = (inboxOctets + 1023) / 1024;
        assertThat(t.send("q GETQUOTAROOT INBOX"))
                .isEqualTo("* QUOTAROOT \"INBOX\" \"\"\r\n* QUOTA \"\" (STORAGE " + usedKib + " 9)\r\nq OK GETQUOTAROOT completed\r\n");
        assertThat(t.send("q2 GETQUOTA \"\"")).isEqualTo("* QUOTA \"\" (STORAGE " + usedKib + " 9)\r\nq2 OK GETQUOTA completed\r\n");
        assertThat(t.send("q3 GETQUOTA \"other\"")).startsWith("q3 NO [NONEXISTENT]");
        assertThat(t.send("q4 GETQUOTAROOT Nowhere")).startsWith("q4 NO [NONEXISTENT]");
        assertThat(t.send("q5 SETQUOTA \"\" (STORAGE 100000)")).startsWith("q5 NO [NOPERM]");
        // Filling the account moves the figure, and the store's refusal matches what QUOTA said.
        String big = "x".repeat(9700);
        assertThat(t.send("p APPEND INBOX {" + (big.length() + 2) + "+}\r\n" + big + "\r\n")).startsWith("p NO [OVERQUOTA]");
        String small = "y".repeat(3000);
        assertThat(t.send("p2 APPEND INBOX {" + (small.length() + 2) + "+}\r\n" + small + "\r\n")).contains("p2 OK");
        assertThat(t.send("q6 GETQUOTA \"\"")).contains("(STORAGE " + (inboxOctets + 3002 + 1023) / 1024 + " 9)");
    }

    @Test
    void withoutALimitThereIsNoQuotaRoot() throws Exception {
        access.close();
        store.close();
        store = new MaildirStore(dir.resolve("unlimited"));
        access = new MaildirMailboxAccess(store, MessageSummary.CACHE_ENTRIES);
        context = new AccessContext("mail.example.com", new TestAccounts(Map.of("joe@example.com", "secret")),
                access, null, Runnable::run, ImapLimits.DEFAULTS, Duration.ZERO);
        Transcript t = login();
        assertThat(t.send("q GETQUOTAROOT INBOX")).isEqualTo("* QUOTAROOT \"INBOX\"\r\nq OK GETQUOTAROOT completed\r\n");
        assertThat(t.send("q2 GETQUOTA \"\"")).startsWith("q2 NO [NONEXISTENT]");
    }

    @Test
    void previewFromTheFirstTextPart() {
        Transcript t = login();
        assertThat(t.send("c CAPABILITY")).contains(" PREVIEW");
        t.send("s SELECT INBOX");
        assertThat(t.send("p FETCH 1:2 (PREVIEW)"))
                .isEqualTo("* 1 FETCH (PREVIEW \"body 1\")\r\n* 2 FETCH (PREVIEW \"body 2\")\r\np OK FETCH completed\r\n");
        assertThat(t.send("p2 UID FETCH 3 (PREVIEW (LAZY) FLAGS)"))
                .isEqualTo("* 3 FETCH (UID 3 PREVIEW \"body 3\" FLAGS ())\r\np2 OK UID FETCH completed\r\n");
        assertThat(t.send("p3 FETCH 1 (PREVIEW (EAGER))")).startsWith("p3 BAD");
        assertThat(t.send("p4 FETCH 1 (PREVIEW (LAZY")).startsWith("p4 BAD");
    }

    @Test
    void multiappendStoresAllOrNothing() {
        Transcript t = login();
        assertThat(t.send("c CAPABILITY")).contains(" MULTIAPPEND");
        String one = "Subject: one\r\n\r\nfirst\r\n";
        String two = "Subject: two\r\n\r\nsecond\r\n";
        assertThat(t.send("m APPEND INBOX (\\Seen) {" + one.length() + "+}\r\n" + one
                + " \"01-Jan-2021 10:00:00 +0000\" {" + two.length() + "+}\r\n" + two))
                .matches("m OK \\[APPENDUID \\d+ 6:7\\] APPEND completed\r\n");
        t.send("s SELECT INBOX");
        assertThat(t.send("f FETCH 6:7 (FLAGS INTERNALDATE BODY.PEEK[HEADER.FIELDS (Subject)])"))
                .contains("* 6 FETCH (FLAGS (\\Seen) INTERNALDATE", "Subject: one", "* 7 FETCH (FLAGS () INTERNALDATE \"01-Jan-2021 10:00:00 +0000\"", "Subject: two");
        // Together past the quota (each alone would fit): refused whole, nothing added, the quota as before.
        String quotaBefore = t.send("q GETQUOTA \"\"");
        String big = "x".repeat(4000);
        assertThat(t.send("m2 APPEND INBOX {" + big.length() + "+}\r\n" + big + " {" + big.length() + "+}\r\n" + big + " {"
                + big.length() + "+}\r\n" + big)).startsWith("m2 NO [OVERQUOTA]");
        assertThat(t.send("n NOOP")).as("no EXISTS: nothing was added").isEqualTo("n OK NOOP completed\r\n");
        assertThat(t.send("q GETQUOTA \"\"")).isEqualTo(quotaBefore);
        // A bad second message (no literal) makes the whole command BAD before anything is stored.
        assertThat(t.send("m3 APPEND INBOX {" + one.length() + "+}\r\n" + one + " (\\Seen)")).startsWith("m3 BAD");
        assertThat(t.send("m4 APPEND Nowhere {" + one.length() + "+}\r\n" + one + " {" + two.length() + "+}\r\n" + two))
                .startsWith("m4 NO [TRYCREATE]");
        assertThat(t.send("n2 NOOP")).isEqualTo("n2 OK NOOP completed\r\n");
    }
}
