package io.sealmail.bench;

import io.sealmail.config.Role;
import io.sealmail.engine.imap.MailAccessTestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static io.sealmail.engine.imap.MailAccessTestServer.JOE;
import static io.sealmail.engine.imap.MailAccessTestServer.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

/** The IMAP and POP3 load generators against the real engine with its Maildir store: they count what they claim. */
class MailboxLoadTest {
    @TempDir
    Path dir;

    @Test
    void listsDownloadsAndIdlesOverTls() throws Exception {
        long octets = MaildirFill.fill(dir.resolve("data/mail/" + JOE), JOE, 50, 1000);
        assertThat(octets).isGreaterThanOrEqualTo(50 * 1000);
        List<String> names = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir.resolve("data/mail/" + JOE + "/new"))) {
            s.forEach(p -> names.add(p.getFileName().toString()));
        }
        assertThat(names).hasSize(50).allSatisfy(n -> assertThat(n).matches("\\d+\\.M\\d{6}P1Q\\d+\\.bench,S=\\d+,W=\\d+"));
        try (MailAccessTestServer server = new MailAccessTestServer(dir, l -> l, true)) {
            ImapLoad.Server imap = new ImapLoad.Server("localhost", server.port(Role.IMAPS),
                    TrustedCa.sslContext(server.pki().caCrt()), JOE, PASSWORD);
            ImapLoad.Rounds list = ImapLoad.listing(imap, "INBOX", 2);
            assertThat(list.messages()).isEqualTo(50);
            assertThat(list.nanos()).hasSize(2);

            // SORT: the messages it lists, and the answer's length and digest (what compare-imap.sh compares).
            ImapLoad.Listed sorted = ImapLoad.listed(imap, "INBOX", "SORT (ARRIVAL) UTF-8 ALL", 2);
            StringBuilder answer = new StringBuilder("* SORT");
            for (int i = 1; i <= 50; i++) {
                answer.append(' ').append(i);
            }
            assertThat(sorted.rounds().messages()).isEqualTo(50);
            assertThat(sorted.answerOctets()).isEqualTo(answer.length());
            assertThat(sorted.answerSha256()).isEqualTo(java.util.HexFormat.of().formatHex(java.security.MessageDigest
                    .getInstance("SHA-256").digest(answer.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII)), 0, 8));

            ImapLoad.Rounds bulk = ImapLoad.bodiesInOneCommand(imap, "INBOX", 10, 1);
            assertThat(bulk.messages()).isEqualTo(10);
            assertThat(bulk.octets()).isGreaterThan(10 * 1000);
            ImapLoad.Rounds each = ImapLoad.bodiesOneByOne(imap, "INBOX", 10, 1);
            assertThat(each.messages()).isEqualTo(10);
            assertThat(each.octets()).isGreaterThan(10 * 1000);

            assertThat(each.cpuMillis()).as("no server process given").isEmpty();
            assertThat(each.warmCpuMillis()).isNaN();
            // The server runs in this JVM: its CPU time is ours, and 3 rounds of 10 downloads each cost some.
            ImapLoad.Server measured = new ImapLoad.Server(imap.host(), imap.port(), imap.ssl(), JOE, PASSWORD,
                    ProcessHandle.current().pid());
            ImapLoad.Rounds timed = ImapLoad.bodiesOneByOne(measured, "INBOX", 10, 3);
            assertThat(timed.cpuMillis()).hasSize(3).allSatisfy(ms -> assertThat(ms).isNotNegative());
            assertThat(timed.cpuMillis().stream().mapToLong(Long::longValue).sum()).isPositive();
            assertThat(ProcessCpu.millis(ProcessHandle.current().pid())).isGreaterThan(timed.cpuMillis().get(0));

            ImapLoad.Server pop3 = new ImapLoad.Server("localhost", server.port(Role.POP3S), imap.ssl(), JOE, PASSWORD);
            ImapLoad.Rounds retr = Pop3Load.uidlAndRetr(pop3, 10, 1);
            assertThat(retr.messages()).as("UIDL lines").isEqualTo(50);
            assertThat(retr.octets()).isGreaterThan(10 * 1000);

            try (ImapLoad.IdleSessions idle = ImapLoad.idle(imap, 5, 2, false);
                 ImapLoad.IdleSessions deflated = ImapLoad.idle(imap, 3, 2, true)) {
                assertThat(idle.errors()).isEmpty();
                assertThat(idle.open()).isEqualTo(5);
                assertThat(deflated.errors()).isEmpty();
                assertThat(deflated.open()).isEqualTo(3);
            }

            // The same 50 header blocks either way; deflated they cross the connection in far fewer octets.
            ImapLoad.WireOctets plain = ImapLoad.headerSyncOctets(imap, "INBOX", false);
            ImapLoad.WireOctets deflated = ImapLoad.headerSyncOctets(imap, "INBOX", true);
            assertThat(plain.fetches()).isEqualTo(50);
            assertThat(deflated.fetches()).isEqualTo(50);
            assertThat(plain.wire()).isEqualTo(plain.plain());
            assertThat(deflated.plain()).isEqualTo(plain.plain());
            assertThat(deflated.wire()).isLessThan(plain.wire() / 3);
            ProcessMemory.Sample self = ProcessMemory.of(ProcessHandle.current().pid());
            assertThat(self.rssKib()).isPositive();
            assertThat(self.pssKib()).isPositive();
        }
    }
}
