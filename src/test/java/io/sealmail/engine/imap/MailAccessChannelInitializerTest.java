package io.sealmail.engine.imap;

import io.netty.channel.embedded.EmbeddedChannel;
import io.sealmail.config.Limits;
import io.sealmail.config.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The one pipeline of IMAP and POP3: its handlers by name, and how a client over the connection limits is refused. */
class MailAccessChannelInitializerTest {
    @TempDir
    Path dir;

    private static AccessContext context() {
        return new AccessContext("mail.example.com", new TestAccounts(Map.of()), new MemoryMailboxAccess(), null,
                Runnable::run, ImapLimits.DEFAULTS, Duration.ZERO);
    }

    @Test
    void plaintextPipelinesAreFramingFirstThenIdleTimerThenSessionUnderTheirWireNames() {
        AccessContext context = context();
        EmbeddedChannel imap = new EmbeddedChannel(
                new MailAccessChannelInitializer(context, false, MailAccessProtocols.imapProtocol(context.limits())));
        assertThat(imap.pipeline().names()).startsWith("decoder", "idle", "session");
        assertThat(imap.pipeline().get("decoder")).isInstanceOf(ImapCommandDecoder.class);
        assertThat(imap.pipeline().get("session")).isInstanceOf(ImapSession.class);

        EmbeddedChannel pop3 = new EmbeddedChannel(new MailAccessChannelInitializer(context, false, MailAccessProtocols.POP3));
        assertThat(pop3.pipeline().names()).startsWith("framer", "idle", "session");
        assertThat(pop3.pipeline().get("session")).isInstanceOf(io.sealmail.engine.pop3.Pop3Session.class);
    }

    /** One connection per address: a second one on each port is turned away, each in its protocol's way. */
    @Test
    void overTheConnectionLimitPlaintextPortsSayWhyAndImplicitTlsPortsJustClose() throws Exception {
        Limits onePerAddress = new Limits(null, null, null, null, null, null, null, null, null, null, null, null, 1,
                null, null).withDefaults();
        try (MailAccessTestServer server = new MailAccessTestServer(dir, l -> onePerAddress);
             WireClient held = WireClient.plain(server.address(Role.IMAP))) {
            assertThat(held.readLine()).startsWith("* OK");

            try (WireClient imap = WireClient.plain(server.address(Role.IMAP))) {
                assertThat(imap.readLine()).isEqualTo("* BYE [UNAVAILABLE] Too many connections");
                assertThat(imap.readLine()).as("closed after the refusal").isNull();
            }
            try (WireClient pop3 = WireClient.plain(server.address(Role.POP3))) {
                assertThat(pop3.readLine()).isEqualTo("-ERR [SYS/TEMP] Too many connections");
                assertThat(pop3.readLine()).as("closed after the refusal").isNull();
            }
            for (Role tls : new Role[] {Role.IMAPS, Role.POP3S}) {
                try (Socket raw = new Socket()) {
                    raw.connect(server.address(tls), 5000);
                    raw.setSoTimeout(10_000);
                    InputStream in = raw.getInputStream();
                    assertThat(in.read()).as("%s closes without a byte (no handshake, no refusal line)", tls).isEqualTo(-1);
                }
            }

            held.close();
            // The held slot is freed when its channel closes on the server, a moment after the client's close.
            String greeting = null;
            for (int i = 0; i < 50 && !admitted(greeting); i++) {
                if (i > 0) {
                    Thread.sleep(100); // the pace of polling the condition (admitted), at most 50 times
                }
                try (WireClient again = WireClient.plain(server.address(Role.IMAP))) {
                    greeting = again.readLine();
                }
            }
            assertThat(greeting).as("admitted once the first connection closed").startsWith("* OK [CAPABILITY IMAP4rev1");
        }
    }

    private static boolean admitted(String greeting) {
        return greeting != null && greeting.startsWith("* OK");
    }
}
