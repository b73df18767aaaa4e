package io.sealmail.engine.imap;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Mailbox names from a hostile client are checked before anything touches the store: each bound is tried at its
 * limit (accepted) and one past it (refused with a tagged NO [LIMIT] naming the limit); invalid UTF-8, control
 * characters and 8-bit names without UTF8=ACCEPT get a tagged BAD.
 */
class MailboxNameBoundsTest {
    private MemoryMailboxAccess store;
    private Transcript t;

    @BeforeEach
    void setUp() {
        t = loggedIn(ImapLimits.DEFAULTS.maxFolders());
    }

    private Transcript loggedIn(int maxFolders) {
        store = new MemoryMailboxAccess();
        AccessContext context = new AccessContext("mail.example.com", new TestAccounts(Map.of("joe@example.com", "secret")),
                store, null, Runnable::run, ImapLimits.DEFAULTS.withMaxFolders(maxFolders), Duration.ZERO);
        Transcript session = new Transcript(new EmbeddedChannel(new ImapCommandDecoder(context.limits()),
                new ImapSession(context, false)));
        session.output();
        session.expect("a LOGIN joe@example.com secret", "a OK");
        return session;
    }

    private static String level(char c, int octets) {
        return String.valueOf(c).repeat(octets);
    }

    @Test
    void levelLength() {
        t.expect("b CREATE " + level('a', MailboxNameRules.MAX_LEVEL), "b OK");
        t.expect("c CREATE " + level('b', MailboxNameRules.MAX_LEVEL + 1), "c NO [LIMIT] Mailbox name level longer than 100 octets");
    }

    @Test
    void wholeLength() {
        // Two levels of 100 octets and the separator: 201 octets.
        t.expect("b CREATE " + level('a', 99) + "/" + level('b', 100), "b OK");
        t.expect("c CREATE " + level('c', 100) + "/" + level('d', 100), "c NO [LIMIT] Mailbox name longer than 200 octets");
    }

    @Test
    void depth() {
        String ten = String.join("/", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j");
        t.expect("b CREATE " + ten, "b OK");
        t.expect("c CREATE " + ten + "/k", "c NO [LIMIT] Mailbox name deeper than 10 levels");
        assertThat(t.send("d LIST \"\" *")).doesNotContain("/k");
    }

    @Test
    void foldersPerAccountCountsTheParentsACreateWouldMake() {
        // INBOX and the five special-use folders are there from the start: with one and two, eight.
        t = loggedIn(9);
        t.expect("b CREATE one", "b OK");
        t.expect("c CREATE two", "c OK");
        t.expect("d CREATE three/four", "d NO [LIMIT] Too many mailboxes: at most 9 per account");
        t.expect("e CREATE three", "e OK");
    }

    @Test
    void folderLimitReachedExactlyThenRefused() {
        t = loggedIn(11); // six from the start, five more
        for (String name : new String[] {"one", "two", "three", "four", "five"}) {
            t.expect("b CREATE " + name, "b OK");
        }
        t.expect("c CREATE six", "c NO [LIMIT] Too many mailboxes: at most 11 per account");
        assertThat(t.send("d LIST \"\" *")).doesNotContain("six");
    }

    @Test
    void eightBitNamesNeedModifiedUtf7UnlessUtf8AcceptIsEnabled() {
        t.expect("b CREATE Bücher", "b BAD [CANNOT] Mailbox name must be modified UTF-7");
        t.expect("c CREATE B&APw-cher", "c OK");
        t.expect("d ENABLE UTF8=ACCEPT", "* ENABLED UTF8=ACCEPT");
        t.expect("e CREATE Bücher2", "e OK");
    }

    @Test
    void invalidUtf8IsRefused() throws Exception {
        t.expect("b ENABLE UTF8=ACCEPT", "* ENABLED");
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        raw.write("c CREATE \"bad".getBytes(StandardCharsets.US_ASCII));
        raw.write(new byte[] {(byte) 0xC3, (byte) 0x28});
        raw.write("\"\r\n".getBytes(StandardCharsets.US_ASCII));
        t.channel().writeInbound(Unpooled.wrappedBuffer(raw.toByteArray()));
        t.channel().runPendingTasks();
        assertThat(t.output()).startsWith("c BAD [CANNOT] Mailbox name is not valid UTF-8");
    }

    @Test
    void controlCharactersAreRefused() {
        assertThat(t.sendRaw("b CREATE {3+}\r\nx\u0001y\r\n"))
                .isEqualTo("b BAD [CANNOT] Mailbox name contains a control character\r\n");
    }

    @Test
    void wildcardsEmptyLevelsAndDotsAreNotNames() {
        t.expect("b CREATE a*b", "b NO [CANNOT]");
        t.expect("c CREATE a//b", "c NO [CANNOT]");
        t.expect("d CREATE .hidden", "d NO [CANNOT]");
        t.expect("e RENAME INBOX " + level('z', 101), "e NO [LIMIT] Mailbox name level longer than 100 octets");
    }
}
