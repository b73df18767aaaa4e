package io.sealmail.engine.pop3;

import io.netty.channel.embedded.EmbeddedChannel;
import io.sealmail.engine.imap.AccessContext;
import io.sealmail.engine.imap.ImapLimits;
import io.sealmail.engine.imap.MemoryMailboxAccess;
import io.sealmail.engine.imap.TestAccounts;
import io.sealmail.engine.imap.Transcript;
import io.sealmail.store.mailbox.MailFolder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class Pop3SessionTest {
    private MemoryMailboxAccess store;
    private AccessContext context;

    @BeforeEach
    void setUp() throws Exception {
        store = new MemoryMailboxAccess();
        store.deliver("joe@example.com", "Subject: one\n\nHello\n.dot line\nbye\n");
        store.deliver("joe@example.com", "Subject: two\nX: y\n\nl1\nl2\nl3\n");
        context = new AccessContext("mail.example.com", new TestAccounts(Map.of("joe@example.com", "secret pw")),
                store, null, Runnable::run, ImapLimits.DEFAULTS, Duration.ZERO);
    }

    private Transcript session(boolean plaintextPort) {
        EmbeddedChannel ch = new EmbeddedChannel(new Pop3LineDecoder(Pop3LineDecoder.MAX_LINE),
                new Pop3Session(context, plaintextPort));
        Transcript t = new Transcript(ch);
        assertThat(t.output()).startsWith("+OK mail.example.com Sealmail POP3 ready");
        return t;
    }

    private Transcript loggedIn() {
        Transcript t = session(false);
        t.expect("USER joe@example.com", "+OK");
        t.expect("PASS secret pw", "+OK Logged in; 2 messages");
        return t;
    }

    @Test
    void aTooLongLineIsAnsweredInTurnWithThePipelinedCommandsBeforeIt() throws Exception {
        // Commands run on a pool; here the test runs the pool's tasks itself, after all input has been read.
        List<Runnable> pool = new ArrayList<>();
        AccessContext deferred = new AccessContext("mail.example.com", new TestAccounts(Map.of("joe@example.com", "secret pw")),
                store, null, pool::add, ImapLimits.DEFAULTS, Duration.ZERO);
        EmbeddedChannel ch = new EmbeddedChannel(new Pop3LineDecoder(Pop3LineDecoder.MAX_LINE), new Pop3Session(deferred, false));
        Transcript t = new Transcript(ch);
        assertThat(t.output()).startsWith("+OK mail.example.com Sealmail POP3 ready");
        String early = t.sendRaw("USER joe@example.com\r\nPASS secret pw\r\nSTAT\r\nNOOP " + "x".repeat(3000) + "\r\nNOOP\r\n");
        assertThat(early).as("nothing answered before the commands ahead of it ran").isEmpty();
        while (!pool.isEmpty()) {
            pool.remove(0).run();
        }
        ch.runPendingTasks();
        assertThat(t.output()).isEqualTo("+OK Send PASS\r\n+OK Logged in; 2 messages\r\n+OK 2 " + totalSize() + "\r\n"
                + "-ERR Line longer than " + Pop3LineDecoder.MAX_LINE + " octets\r\n+OK\r\n");
    }

    @Test
    void anOverlongLineQueuedBehindALoginLeavesInputReading() {
        // The login pauses input; the -ERR for the over-long line runs last and must resume it, or the next
        // command is never read (the IMAP twin of this race made a wire test flaky).
        List<Runnable> pool = new ArrayList<>();
        AccessContext deferred = new AccessContext("mail.example.com", new TestAccounts(Map.of("joe@example.com", "secret pw")),
                store, null, pool::add, ImapLimits.DEFAULTS, Duration.ZERO);
        EmbeddedChannel ch = new EmbeddedChannel(new Pop3LineDecoder(Pop3LineDecoder.MAX_LINE), new Pop3Session(deferred, false));
        Transcript t = new Transcript(ch);
        assertThat(t.output()).startsWith("+OK mail.example.com Sealmail POP3 ready");
        t.sendRaw("USER joe@example.com\r\nPASS secret pw\r\nNOOP " + "x".repeat(3000) + "\r\n");
        while (!pool.isEmpty()) {
            pool.remove(0).run();
        }
        ch.runPendingTasks();
        assertThat(t.output()).endsWith("+OK Logged in; 2 messages\r\n-ERR Line longer than " + Pop3LineDecoder.MAX_LINE
                + " octets\r\n");
        assertThat(ch.config().isAutoRead()).as("input resumed once the queue ran dry").isTrue();
    }

    private long totalSize() throws java.io.IOException {
        try (MailFolder inbox = store.forAccount("joe@example.com").open("INBOX")) {
            return inbox.messages().stream().mapToLong(MailFolder.MessageInfo::size).sum();
        }
    }

    @Test
    void credentialsAreRefusedBeforeTlsOnThePlaintextPort() {
        Transcript t = session(true);
        assertThat(t.send("CAPA")).contains("STLS\r\n").doesNotContain("USER\r\n").doesNotContain("SASL");
        t.expect("USER joe@example.com", "-ERR [AUTH] TLS required");
        t.expect("PASS secret pw", "-ERR [AUTH] TLS required");
        t.expect("AUTH PLAIN " + plain("joe@example.com", "secret pw"), "-ERR [AUTH] TLS required");
        t.expect("STAT", "-ERR Not logged in");
    }

    @Test
    void capabilitiesOverTls() {
        Transcript t = session(false);
        assertThat(t.send("CAPA")).isEqualTo("+OK Capability list follows\r\nTOP\r\nUIDL\r\nRESP-CODES\r\n"
                + "AUTH-RESP-CODE\r\nPIPELINING\r\nUSER\r\nSASL SCRAM-SHA-256 PLAIN LOGIN\r\nIMPLEMENTATION Sealmail\r\n.\r\n");
        t.expect("STLS", "-ERR");
    }

    @Test
    void statListUidlRetrWithDotStuffing() {
        Transcript t = loggedIn();
        assertThat(t.send("STAT")).isEqualTo("+OK 2 " + (39 + 34) + "\r\n");
        assertThat(t.send("LIST")).isEqualTo("+OK\r\n1 39\r\n2 34\r\n.\r\n");
        assertThat(t.send("LIST 2")).isEqualTo("+OK 2 34\r\n");
        assertThat(t.send("UIDL")).matches("\\+OK\r\n1 00000001[0-9a-f]{8}\r\n2 00000002[0-9a-f]{8}\r\n\\.\r\n");
        assertThat(t.send("RETR 1")).isEqualTo("+OK 39 octets\r\nSubject: one\r\n\r\nHello\r\n..dot line\r\nbye\r\n.\r\n");
        assertThat(t.send("TOP 2 1")).isEqualTo("+OK\r\nSubject: two\r\nX: y\r\n\r\nl1\r\n.\r\n");
        assertThat(t.send("TOP 2 0")).isEqualTo("+OK\r\nSubject: two\r\nX: y\r\n\r\n.\r\n");
        t.expect("RETR 3", "-ERR No such message");
        t.expect("RETR x", "-ERR No such message");
        t.expect("RETR", "-ERR Wrong number");
    }

    @Test
    void deletionsHappenOnlyAtQuit() throws Exception {
        Transcript t = loggedIn();
        t.expect("DELE 1", "+OK Message 1 deleted");
        t.expect("RETR 1", "-ERR Message 1 already deleted");
        assertThat(t.send("STAT")).isEqualTo("+OK 1 34\r\n");
        assertThat(store.forAccount("joe@example.com").open("INBOX").messages()).hasSize(2);
        t.expect("RSET", "+OK");
        assertThat(t.send("STAT")).isEqualTo("+OK 2 73\r\n");
        t.expect("DELE 2", "+OK");
        assertThat(t.send("QUIT")).isEqualTo("+OK Bye; 1 message deleted\r\n");
        assertThat(t.channel().isOpen()).isFalse();
        try (MailFolder inbox = store.forAccount("joe@example.com").open("INBOX")) {
            assertThat(inbox.messages()).extracting(MailFolder.MessageInfo::uid).containsExactly(1L);
        }
    }

    @Test
    void droppedConnectionDeletesNothing() throws Exception {
        Transcript t = loggedIn();
        t.expect("DELE 1", "+OK");
        t.channel().close();
        assertThat(store.forAccount("joe@example.com").open("INBOX").messages()).hasSize(2);
    }

    @Test
    void uidlIsStableAcrossSessions() {
        Transcript a = loggedIn();
        String first = a.send("UIDL");
        a.send("QUIT");
        Transcript b = loggedIn();
        assertThat(b.send("UIDL")).isEqualTo(first);
    }

    @Test
    void authPlainInitialResponseAndContinuation() {
        Transcript t = session(false);
        t.expect("AUTH PLAIN " + plain("joe@example.com", "secret pw"), "+OK Logged in");
        Transcript u = session(false);
        assertThat(u.send("AUTH PLAIN")).isEqualTo("+ \r\n");
        u.expect(plain("joe@example.com", "secret pw"), "+OK Logged in");
        Transcript v = session(false);
        v.send("AUTH PLAIN");
        v.expect("*", "-ERR Authentication cancelled");
        v.expect("AUTH PLAIN !!!", "-ERR [AUTH] invalid base64");
        v.expect("AUTH CRAM-MD5", "-ERR Unsupported mechanism");
    }

    @Test
    void authFailuresAreCountedAndTheConnectionClosed() {
        Transcript t = session(false);
        t.expect("USER joe@example.com", "+OK");
        t.expect("PASS wrong", "-ERR [AUTH] Invalid credentials");
        t.expect("AUTH PLAIN " + plain("joe@example.com", "nope"), "-ERR [AUTH] Invalid credentials");
        t.expect("AUTH PLAIN " + plain("nobody@example.com", "nope"), "-ERR [AUTH] Too many authentication failures");
        assertThat(t.channel().isOpen()).isFalse();
    }

    @Test
    void overlongLineIsRefusedAndTheSessionContinues() {
        Transcript t = session(false);
        t.expect("NOOP " + "x".repeat(Pop3LineDecoder.MAX_LINE + 10), "-ERR Line longer than 2048");
        t.expect("NOOP", "+OK");
    }

    @Test
    void authorizationIdentityOfSomeoneElseIsRefused() {
        Transcript t = session(false);
        String b64 = Base64.getEncoder().encodeToString("admin@example.com\0joe@example.com\0secret pw".getBytes());
        t.expect("AUTH PLAIN " + b64, "-ERR [AUTH] Authorization identity");
    }

    static String plain(String user, String pw) {
        return Base64.getEncoder().encodeToString(("\0" + user + "\0" + pw).getBytes());
    }
}
