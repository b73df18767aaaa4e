package io.sealmail.engine.imap;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** RFC rules as short transcripts over an in-memory store. */
class ImapSessionTest {
    static final String MULTIPART = """
            From: Alice Example <alice@example.com>
            To: joe@example.com, "Bob B" <bob@example.org>
            Subject: Hello there
            Date: Sat, 28 Nov 2026 10:00:00 +0000
            Message-ID: <m1@example.com>
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="XX"

            preamble
            --XX
            Content-Type: text/plain; charset=utf-8

            Body text line
            --XX
            Content-Type: application/octet-stream; name="a.bin"
            Content-Transfer-Encoding: base64
            Content-Disposition: attachment; filename="a.bin"

            AAECAw==
            --XX--
            """;

    private MemoryMailboxAccess store;
    private AccessContext context;

    @BeforeEach
    void setUp() throws Exception {
        store = new MemoryMailboxAccess();
        store.deliver("joe@example.com", MULTIPART);
        store.deliver("joe@example.com", "From: carol@example.com\nSubject: second\n\nplain body\n");
        context = new AccessContext("mail.example.com", new TestAccounts(Map.of("joe@example.com", "secret")),
                store, null, Runnable::run, ImapLimits.DEFAULTS.withMaxLiteralSize(10_000), Duration.ZERO);
    }

    private Transcript session(boolean plaintextPort) {
        Transcript t = new Transcript(new EmbeddedChannel(new ImapCommandDecoder(context.limits()),
                new ImapSession(context, plaintextPort)));
        assertThat(t.output()).startsWith("* OK [CAPABILITY IMAP4rev1");
        return t;
    }

    private Transcript selected() {
        Transcript t = session(false);
        t.expect("a LOGIN joe@example.com secret", "a OK [CAPABILITY");
        assertThat(t.send("b SELECT INBOX")).contains("* 2 EXISTS\r\n", "* OK [UIDVALIDITY 1000]", "* OK [UIDNEXT 3]",
                "* OK [UNSEEN 1]").endsWith("b OK [READ-WRITE] SELECT completed\r\n");
        return t;
    }

    /**
     * The race behind a flaky wire test, made deterministic: a LOGIN pauses input; a synchronizing literal refused
     * by the decoder ({@code b}) is queued behind the LOGIN's answer. Whichever task runs last must resume reading,
     * or the connection's next command is never read and never answered.
     */
    @Test
    void aRefusedLiteralQueuedBehindALoginLeavesInputReading() {
        java.util.List<Runnable> pool = new java.util.ArrayList<>();
        AccessContext deferred = new AccessContext("mail.example.com", new TestAccounts(Map.of("joe@example.com", "secret")),
                store, null, pool::add, ImapLimits.DEFAULTS.withMaxLiteralSize(10_000), Duration.ZERO);
        EmbeddedChannel ch = new EmbeddedChannel(new ImapCommandDecoder(deferred.limits()), new ImapSession(deferred, false));
        Transcript t = new Transcript(ch);
        assertThat(t.output()).startsWith("* OK [CAPABILITY IMAP4rev1");
        assertThat(t.sendRaw("a LOGIN joe@example.com secret\r\nb APPEND INBOX {4294967296}\r\n")).isEmpty();
        while (!pool.isEmpty()) {
            pool.remove(0).run();
        }
        ch.runPendingTasks();
        // Pipelined behind the LOGIN, the APPEND was framed before it succeeded: the limit before authentication.
        assertThat(t.output()).startsWith("a OK")
                .endsWith("b NO [TOOBIG] Literal larger than 8192 octets before authentication\r\n");
        assertThat(ch.config().isAutoRead()).as("input resumed once the queue ran dry").isTrue();
    }

    /** RFC 9051 §9: resp-text has no control octets; what the client sent is quoted with them escaped. */
    @Test
    void controlOctetsTheClientSentAreNeverSentBackRaw() {
        Transcript t = session(false);
        assertThat(t.send("a1 NOOP \u0000")).isEqualTo("a1 BAD Unexpected character '\\x00'\r\n");
        assertThat(t.send("a2 NOOP \u0001\u007f")).isEqualTo("a2 BAD Unexpected character '\\x01'\r\n");
        assertThat(ImapSession.respText("a\u0000b\tc\u007fd é")).isEqualTo("a\\x00b\\x09c\\x7fd é");
    }

    @Test
    void beforeTlsLoginIsDisabledAndStartTlsAdvertised() {
        Transcript t = session(true);
        assertThat(t.send("a CAPABILITY")).contains("STARTTLS", "LOGINDISABLED").doesNotContain("AUTH=PLAIN");
        t.expect("b LOGIN joe@example.com secret", "b NO [PRIVACYREQUIRED]");
        t.expect("c AUTHENTICATE PLAIN " + plain("joe@example.com", "secret"), "c NO [PRIVACYREQUIRED]");
        t.expect("d SELECT INBOX", "d BAD SELECT not allowed before login");
    }

    @Test
    void overTlsAuthPlainWithAndWithoutInitialResponse() {
        Transcript t = session(false);
        assertThat(t.send("a CAPABILITY")).contains("AUTH=PLAIN", "SASL-IR").doesNotContain("LOGINDISABLED");
        t.expect("b AUTHENTICATE PLAIN " + plain("joe@example.com", "secret"), "b OK [CAPABILITY");
        Transcript u = session(false);
        assertThat(u.send("a AUTHENTICATE PLAIN")).isEqualTo("+ \r\n");
        u.expect(plain("joe@example.com", "secret"), "a OK");
        Transcript v = session(false);
        v.send("a AUTHENTICATE PLAIN");
        v.expect("*", "a BAD Authentication cancelled");
    }

    @Test
    void tooManyLoginFailuresClose() {
        Transcript t = session(false);
        t.expect("a LOGIN joe@example.com x", "a NO [AUTHENTICATIONFAILED]");
        t.expect("b LOGIN joe@example.com y", "b NO [AUTHENTICATIONFAILED]");
        t.expect("c LOGIN joe@example.com z", "* BYE");
        assertThat(t.channel().isOpen()).isFalse();
    }

    @Test
    void listWithSpecialUseAndChildren() {
        Transcript t = session(false);
        t.send("a LOGIN joe@example.com secret");
        t.expect("b CREATE Work/Projects", "b OK");
        String list = t.send("c LIST \"\" *");
        assertThat(list).contains("* LIST (\\HasNoChildren) \"/\" INBOX\r\n".replace(" INBOX", " \"INBOX\""))
                .contains("* LIST (\\HasNoChildren \\Sent) \"/\" \"Sent\"")
                .contains("* LIST (\\HasChildren) \"/\" \"Work\"")
                .contains("* LIST (\\HasNoChildren) \"/\" \"Work/Projects\"");
        assertThat(t.send("d LIST \"\" %")).doesNotContain("Work/Projects");
        assertThat(t.send("e LIST (SPECIAL-USE) \"\" *")).contains("\\Trash").doesNotContain("INBOX");
        assertThat(t.send("f LIST \"\" \"\"")).startsWith("* LIST (\\Noselect) \"/\" \"\"");
        assertThat(t.send("g LIST \"\" * RETURN (SUBSCRIBED)")).contains("(\\HasNoChildren \\Subscribed) \"/\" \"INBOX\"");
        assertThat(t.send("h LSUB \"\" *")).contains("* LSUB () \"/\" \"INBOX\"").doesNotContain("Work");
        assertThat(t.send("i NAMESPACE")).startsWith("* NAMESPACE ((\"\" \"/\")) NIL NIL");
        t.expect("j CREATE INBOX", "j NO [ALREADYEXISTS]");
        t.expect("k DELETE INBOX", "k NO [CANNOT]");
        t.expect("l DELETE Nope", "l NO [NONEXISTENT]");
        t.expect("m RENAME Work/Projects Archive2", "m OK");
        assertThat(t.send("n STATUS INBOX (MESSAGES UIDNEXT UIDVALIDITY UNSEEN)"))
                .startsWith("* STATUS \"INBOX\" (MESSAGES 2 UIDNEXT 3 UIDVALIDITY 1000 UNSEEN 2)");
    }

    @Test
    void modifiedUtf7Names() {
        Transcript t = session(false);
        t.send("a LOGIN joe@example.com secret");
        t.expect("b CREATE &ZeVnLIqe-", "b OK");
        assertThat(t.send("c LIST \"\" *")).contains("\"&ZeVnLIqe-\"");
        assertThat(MailboxName.decode("&ZeVnLIqe-", false)).isEqualTo("日本語");
        assertThat(MailboxName.encode("a&b", false)).isEqualTo("a&-b");
        t.expect("d ENABLE UTF8=ACCEPT", "* ENABLED UTF8=ACCEPT");
        assertThat(t.send("e LIST \"\" *")).contains("日本語");
    }

    @Test
    void fetchFlagsSizeUidAndEnvelope() {
        Transcript t = selected();
        String out = t.send("c FETCH 1:* (UID FLAGS RFC822.SIZE INTERNALDATE)");
        assertThat(out).contains("* 1 FETCH (UID 1 FLAGS () RFC822.SIZE ")
                .contains("INTERNALDATE \"28-Nov-2026 10:00:00 +0000\")").contains("* 2 FETCH (UID 2 FLAGS ()");
        String env = t.send("d FETCH 1 ENVELOPE");
        assertThat(env).startsWith("* 1 FETCH (ENVELOPE (\"Sat, 28 Nov 2026 10:00:00 +0000\" \"Hello there\" "
                + "((\"Alice Example\" NIL \"alice\" \"example.com\")) ((\"Alice Example\" NIL \"alice\" \"example.com\")) "
                + "((\"Alice Example\" NIL \"alice\" \"example.com\")) ((NIL NIL \"joe\" \"example.com\")(\"Bob B\" NIL \"bob\" \"example.org\")) "
                + "NIL NIL NIL \"<m1@example.com>\"))\r\n");
    }

    @Test
    void bodyStructureOfMultipart() {
        Transcript t = selected();
        String out = t.send("c FETCH 1 BODYSTRUCTURE");
        assertThat(out).startsWith("* 1 FETCH (BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"7BIT\" 14 1 NIL NIL NIL NIL)"
                + "(\"APPLICATION\" \"OCTET-STREAM\" (\"NAME\" \"a.bin\") NIL NIL \"BASE64\" 8 NIL (\"ATTACHMENT\" (\"FILENAME\" \"a.bin\")) NIL NIL)"
                + " \"MIXED\" (\"BOUNDARY\" \"XX\") NIL NIL NIL))");
        assertThat(t.send("d FETCH 2 BODY")).startsWith("* 2 FETCH (BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 12 1))");
    }

    @Test
    void bodySectionsPartialAndPeek() {
        Transcript t = selected();
        assertThat(t.send("c FETCH 1 (BODY.PEEK[1])")).isEqualTo("* 1 FETCH (BODY[1] {14}\r\nBody text line)\r\nc OK FETCH completed\r\n");
        assertThat(t.send("d FETCH 1 (BODY.PEEK[1.MIME])")).contains("BODY[1.MIME] {43}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n)");
        assertThat(t.send("e FETCH 1 (BODY.PEEK[HEADER.FIELDS (Subject To)])"))
                .contains("BODY[HEADER.FIELDS (Subject To)] {72}\r\nTo: joe@example.com, \"Bob B\" <bob@example.org>\r\nSubject: Hello there\r\n\r\n)");
        assertThat(t.send("f FETCH 1 (BODY.PEEK[HEADER.FIELDS.NOT (Subject To From Date Message-ID MIME-Version)])"))
                .contains("{48}\r\nContent-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n)");
        assertThat(t.send("g FETCH 2 (BODY.PEEK[TEXT]<2.3>)")).contains("BODY[TEXT]<2> {3}\r\nain)");
        assertThat(t.send("h FETCH 2 (BODY.PEEK[TEXT]<100.3>)")).contains("BODY[TEXT]<100> {0}\r\n)");
        assertThat(t.send("i FETCH 1 FLAGS")).contains("FLAGS ()");
        // BODY[] without PEEK sets \Seen and reports it
        assertThat(t.send("j FETCH 2 BODY[TEXT]")).contains("BODY[TEXT] {12}\r\nplain body\r\n FLAGS (\\Seen))");
        assertThat(t.send("k FETCH 2 (RFC822.HEADER)")).contains("RFC822.HEADER {44}\r\nFrom: carol@example.com\r\nSubject: second\r\n\r\n)");
        assertThat(t.send("l FETCH 1 (BINARY.PEEK[2] BINARY.SIZE[2])")).contains("BINARY[2] ~{4}\r\n\0\1\2\3 BINARY.SIZE[2] 4)");
    }

    @Test
    void storeSearchExpunge() {
        Transcript t = selected();
        assertThat(t.send("c STORE 1 +FLAGS (\\Deleted \\Seen)")).isEqualTo("* 1 FETCH (FLAGS (\\Deleted \\Seen))\r\nc OK STORE completed\r\n");
        assertThat(t.send("d STORE 2 +FLAGS.SILENT (\\Flagged)")).isEqualTo("d OK STORE completed\r\n");
        assertThat(t.send("e SEARCH DELETED")).startsWith("* SEARCH 1\r\n");
        assertThat(t.send("f SEARCH UNSEEN FLAGGED")).startsWith("* SEARCH 2\r\n");
        assertThat(t.send("g UID SEARCH OR FROM alice SUBJECT second")).startsWith("* SEARCH 1 2\r\n");
        assertThat(t.send("h SEARCH BODY \"plain body\"")).startsWith("* SEARCH 2\r\n");
        assertThat(t.send("i SEARCH NOT (SEEN) SINCE 1-Jan-2026")).startsWith("* SEARCH 2\r\n");
        assertThat(t.send("j SEARCH CHARSET KOI8-R ALL")).startsWith("j NO [BADCHARSET");
        assertThat(t.send("k EXPUNGE")).isEqualTo("* 1 EXPUNGE\r\nk OK EXPUNGE completed\r\n");
        assertThat(t.send("l FETCH 1 UID")).startsWith("* 1 FETCH (UID 2)");
        t.expect("m FETCH 5 UID", "m BAD Invalid message sequence number");
        t.expect("n UID FETCH 5 UID", "n OK");
    }

    @Test
    void sequenceSetsResolveRangeByRangeAcrossUidGaps() throws Exception {
        for (int i = 3; i <= 8; i++) {
            store.deliver("joe@example.com", "Subject: m" + i + "\n\nbody\n");
        }
        Transcript t = session(false);
        t.expect("a LOGIN joe@example.com secret", "a OK");
        assertThat(t.send("b SELECT INBOX")).contains("* 8 EXISTS\r\n");
        t.expect("c STORE 3,5,8 +FLAGS.SILENT (\\Deleted)", "c OK");
        t.expect("d EXPUNGE", "* 8 EXPUNGE\r\n* 5 EXPUNGE\r\n* 3 EXPUNGE\r\nd OK"); // UIDs left: 1 2 4 6 7 as sequence numbers 1..5
        assertThat(t.send("e FETCH 4:2 UID")).isEqualTo("* 2 FETCH (UID 2)\r\n* 3 FETCH (UID 4)\r\n* 4 FETCH (UID 6)\r\ne OK FETCH completed\r\n");
        assertThat(t.send("f FETCH 5,1:2,2 UID")).isEqualTo("* 1 FETCH (UID 1)\r\n* 2 FETCH (UID 2)\r\n* 5 FETCH (UID 7)\r\nf OK FETCH completed\r\n");
        assertThat(t.send("g FETCH *:4 UID")).isEqualTo("* 4 FETCH (UID 6)\r\n* 5 FETCH (UID 7)\r\ng OK FETCH completed\r\n");
        assertThat(t.send("h UID FETCH 3:5 UID")).isEqualTo("* 3 FETCH (UID 4)\r\nh OK UID FETCH completed\r\n");
        // RFC 9051 §6.4.9: "*" is the highest UID in use, so 8:* is 7:8 and names the last message.
        assertThat(t.send("i UID FETCH 8:* UID")).isEqualTo("* 5 FETCH (UID 7)\r\ni OK UID FETCH completed\r\n");
        assertThat(t.send("j UID FETCH 3,5,8,100 UID")).isEqualTo("j OK UID FETCH completed\r\n");
        assertThat(t.send("k UID FETCH 1:* UID")).startsWith("* 1 FETCH (UID 1)\r\n* 2 FETCH (UID 2)\r\n* 3 FETCH (UID 4)\r\n")
                .contains("* 5 FETCH (UID 7)\r\nk OK");
    }

    @Test
    void searchKeysNestedByNotAndOrAreBounded() {
        Transcript t = selected();
        // 5,000 NOTs in a short line used to overflow the stack and leave the session without an answer.
        assertThat(t.send("c SEARCH " + "NOT ".repeat(5000) + "ALL")).startsWith("c BAD [LIMIT] Search keys nested deeper than 100");
        assertThat(t.send("d SEARCH " + "OR ".repeat(3000) + "ALL ".repeat(3001).strip())).startsWith("d BAD [LIMIT]");
        assertThat(t.send("e SEARCH " + "NOT (".repeat(10) + "NOT ".repeat(90) + "ALL" + ")".repeat(10))).startsWith("e BAD [LIMIT]");
        assertThat(t.send("f SEARCH " + "NOT ".repeat(98) + "ALL")).isEqualTo("* SEARCH 1 2\r\nf OK SEARCH completed\r\n");
        assertThat(t.send("g SEARCH " + "OR ".repeat(50) + "SUBJECT second ".repeat(51).strip())).isEqualTo("* SEARCH 2\r\ng OK SEARCH completed\r\n");
        t.expect("h NOOP", "h OK");
    }

    @Test
    void copyAndMoveWithUidPlus() {
        Transcript t = selected();
        assertThat(t.send("c COPY 1:2 Archive")).isEqualTo("c OK [COPYUID 1005 1,2 1,2] COPY completed\r\n");
        assertThat(t.send("d UID MOVE 2 Trash")).isEqualTo("* OK [COPYUID 1003 2 1] Moved\r\n* 2 EXPUNGE\r\nd OK UID MOVE completed\r\n");
        t.expect("e COPY 1 Nope", "e NO [TRYCREATE]");
        assertThat(t.send("f APPEND Drafts (\\Draft) {12}")).isEqualTo("+ Ready for literal data\r\n");
        assertThat(t.sendRaw("Subject: x\r\n\r\n")).isEqualTo("f OK [APPENDUID 1002 1] APPEND completed\r\n");
        assertThat(t.send("g APPEND INBOX {3+}\r\nabc")).isEqualTo("* 2 EXISTS\r\ng OK [APPENDUID 1000 3] APPEND completed\r\n");
    }

    @Test
    void appendLiteralOverTheLimitIsRefusedBeforeReading() {
        Transcript t = selected();
        assertThat(t.send("c APPEND INBOX {4294967296}")).isEqualTo("c NO [TOOBIG] Literal larger than 10000 octets\r\n");
        t.expect("d NOOP", "d OK");
        assertThat(t.send("e APPEND INBOX {20000+}")).isEqualTo("e NO [TOOBIG] Literal larger than 10000 octets\r\n");
        assertThat(t.channel().isOpen()).isFalse();
    }

    @Test
    void concurrentSessionsSeeEachOthersChanges() {
        Transcript a = selected();
        Transcript b = selected();
        a.send("c STORE 1 +FLAGS.SILENT (\\Flagged)");
        assertThat(b.send("x NOOP")).isEqualTo("* 1 FETCH (UID 1 FLAGS (\\Flagged))\r\nx OK NOOP completed\r\n");
        a.send("d STORE 2 +FLAGS.SILENT (\\Deleted)");
        a.send("e EXPUNGE");
        // no EXPUNGE during FETCH (RFC 9051 §7.5.1); then NOOP delivers it
        assertThat(b.send("y FETCH 1 FLAGS")).doesNotContain("EXPUNGE");
        // b still numbers the expunged message 2: its body is gone, and the tagged reply says so (RFC 5530).
        assertThat(b.send("y2 FETCH 2 BODY.PEEK[]")).isEqualTo("y2 NO [EXPUNGEISSUED] Some of the requested messages no longer exist\r\n");
        assertThat(b.send("y3 FETCH 1:2 (UID BODY.PEEK[HEADER.FIELDS (SUBJECT)])")).startsWith("* 1 FETCH (UID 1 BODY[HEADER.FIELDS (SUBJECT)]")
                .endsWith("y3 NO [EXPUNGEISSUED] Some of the requested messages no longer exist\r\n");
        assertThat(b.send("z NOOP")).contains("* 2 EXPUNGE\r\n");
    }

    @Test
    void idleReportsNewMailAtOnce() throws Exception {
        Transcript t = selected();
        assertThat(t.send("c IDLE")).isEqualTo("+ idling\r\n");
        store.deliver("joe@example.com", "Subject: new\n\nhi\n");
        t.channel().runPendingTasks();
        assertThat(t.output()).isEqualTo("* 3 EXISTS\r\n");
        assertThat(t.send("DONE")).isEqualTo("c OK IDLE terminated\r\n");
    }

    @Test
    void stateAndSyntaxErrors() {
        Transcript t = session(false);
        t.expect("a FETCH 1 FLAGS", "a BAD FETCH not allowed before login");
        t.expect("b FOO", "b BAD Unknown command");
        t.expect("c LOGIN \"unterminated", "c BAD");
        t.send("d LOGIN joe@example.com secret");
        t.expect("e FETCH 1 FLAGS", "e BAD FETCH not allowed without a selected mailbox");
        t.expect("f SELECT Nope", "f NO [NONEXISTENT]");
        t.expect("g SEARCH ((((((((((((((((((ALL))))))))))))))))))", "g BAD");
        t.expect("h LOGOUT", "* BYE");
        assertThat(t.channel().isOpen()).isFalse();
    }

    @Test
    void examineIsReadOnly() {
        Transcript t = session(false);
        t.send("a LOGIN joe@example.com secret");
        assertThat(t.send("b EXAMINE INBOX")).endsWith("b OK [READ-ONLY] EXAMINE completed\r\n");
        t.expect("c STORE 1 +FLAGS (\\Seen)", "c NO [READ-ONLY]");
        assertThat(t.send("d FETCH 2 BODY[TEXT]")).doesNotContain("\\Seen");
        t.expect("e CLOSE", "e OK");
        t.expect("f FETCH 1 FLAGS", "f BAD");
    }

    static String plain(String user, String pw) {
        return Base64.getEncoder().encodeToString(("\0" + user + "\0" + pw).getBytes());
    }
}
