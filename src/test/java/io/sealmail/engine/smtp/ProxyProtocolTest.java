package io.sealmail.engine.smtp;

import io.sealmail.config.Listener;
import io.sealmail.config.ProxyProtocol;
import io.sealmail.config.Role;
import io.sealmail.testing.ExternalTool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static io.sealmail.engine.smtp.SmtpTestServer.BOB;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Listeners with {@code proxyProtocol}: the client a trusted proxy names (v1 text, v2 binary, IPv4 and IPv6) is
 * the client everywhere (Received field, per-address limits); untrusted peers, malformed, truncated and lying
 * headers lose the connection before any greeting; octets after the header reach the protocol; implicit TLS
 * starts after the header; curl's {@code --haproxy-protocol} is a real client sending one.
 */
class ProxyProtocolTest {
    static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    static final ProxyProtocol LOOPBACK = new ProxyProtocol(List.of("127.0.0.0/8"), Duration.ofSeconds(1));
    static final Listener SMTP_PROXY = new Listener(Role.SMTP, "127.0.0.1", 0, LOOPBACK);
    static final Listener SMTPS_PROXY = new Listener(Role.SMTPS, "127.0.0.1", 0, LOOPBACK);
    static final Listener SMTP_UNTRUSTED = new Listener(Role.SMTP, "127.0.0.1", 0,
            new ProxyProtocol(List.of("192.0.2.0/24", "2001:db8::/32"), null));

    @TempDir
    static Path dir;
    static SmtpTestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new SmtpTestServer(dir, l -> SmtpTestServer.limits(null, null, null, null, null, null, 2), true,
                SmtpTestServer.addListeners(SMTP_PROXY, SMTPS_PROXY, SMTP_UNTRUSTED), null);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Transcript open(Listener listener) throws Exception {
        return Transcript.connect(server.engine.address(listener), server.pki.clientContext());
    }

    private static void sendTo(Transcript t, String marker) throws Exception {
        t.run("""
                C: MAIL FROM:<x@remote.test>
                S: 250
                C: RCPT TO:<%s>
                S: 250
                C: DATA
                S: 354
                """.formatted(BOB));
        t.send("Subject: " + marker + "\r\n\r\nHello.\r\n.\r\n");
        t.expect("250 2.0.0");
    }

    private static String delivered(String marker) throws Exception {
        List<String> hits = server.delivered(BOB).stream().filter(m -> m.contains(marker)).toList();
        assertThat(hits).hasSize(1);
        return hits.get(0);
    }

    /** A v2 PROXY header (proxy-protocol.txt §2.2): version 2, {@code command}, {@code family}, then the addresses. */
    static byte[] v2(int command, int family, byte[] addresses) {
        ByteBuffer b = ByteBuffer.allocate(16 + addresses.length);
        b.put(V2_SIGNATURE).put((byte) (0x20 | command)).put((byte) family).putShort((short) addresses.length).put(addresses);
        return b.array();
    }

    @Test
    void v1HeaderWithAPipelinedCommandNamesTheClient() throws Exception {
        String marker = UUID.randomUUID().toString();
        try (Transcript t = open(SMTP_PROXY)) {
            // Header and EHLO in one segment: the octets after the header must reach the session.
            t.send("PROXY TCP4 203.0.113.9 192.0.2.25 40000 25\r\nEHLO relay.example\r\n");
            t.expect("220 mail.test ESMTP");
            t.expect("250 ");
            sendTo(t, marker);
        }
        assertThat(delivered(marker)).contains("from relay.example ([203.0.113.9])");
    }

    @Test
    void v2HeadersForIpv6AndLocal() throws Exception {
        String marker = UUID.randomUUID().toString();
        ByteBuffer addresses = ByteBuffer.allocate(36);
        addresses.put(java.net.InetAddress.getByName("2001:db8::7").getAddress())
                .put(java.net.InetAddress.getByName("2001:db8::25").getAddress()).putShort((short) 50000).putShort((short) 25);
        try (Transcript t = open(SMTP_PROXY)) {
            t.socket().getOutputStream().write(v2(0x1, 0x21, addresses.array()));
            t.expect("220 mail.test ESMTP");
            t.run("""
                    C: EHLO v6.example
                    S: 250
                    """);
            sendTo(t, marker);
        }
        assertThat(delivered(marker)).contains("[" + java.net.InetAddress.getByName("2001:db8::7").getHostAddress() + "]");
        // LOCAL: the load balancer's own health check; the connection's address stays the client.
        try (Transcript t = open(SMTP_PROXY)) {
            t.socket().getOutputStream().write(v2(0x0, 0x00, new byte[0]));
            t.expect("220 mail.test ESMTP");
        }
    }

    @Test
    void theProxiedClientIsTheOneThePerAddressLimitCounts() throws Exception {
        // At most 2 connections per client address (set above): the third from 198.51.100.1 is refused, one
        // from 198.51.100.2 through the same proxy is not.
        List<Transcript> open = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                Transcript t = open(SMTP_PROXY);
                open.add(t);
                t.send("PROXY TCP4 198.51.100.1 192.0.2.25 4000" + i + " 25\r\n");
                t.expect("220 ");
            }
            Transcript third = open(SMTP_PROXY);
            open.add(third);
            third.send("PROXY TCP4 198.51.100.1 192.0.2.25 40009 25\r\n");
            third.expect("421 ");
            Transcript other = open(SMTP_PROXY);
            open.add(other);
            other.send("PROXY TCP4 198.51.100.2 192.0.2.25 40010 25\r\n");
            other.expect("220 ");
        } finally {
            for (Transcript t : open) {
                t.close();
            }
        }
    }

    @Test
    void implicitTlsStartsAfterTheHeader() throws Exception {
        try (Transcript t = open(SMTPS_PROXY)) {
            t.send("PROXY TCP6 2001:db8::9 2001:db8::25 40000 465\r\n");
            t.upgrade();
            t.expect("220 mail.test ESMTP");
            t.run("""
                    C: EHLO tls.example
                    S: 250
                    """);
        }
    }

    @Test
    void aPeerThatIsNotATrustedProxyIsRefusedEvenWithAValidHeader() throws Exception {
        try (Transcript t = open(SMTP_UNTRUSTED)) {
            t.send("PROXY TCP4 203.0.113.9 192.0.2.25 40000 25\r\n");
            t.run("CLOSED");
        }
    }

    @Test
    void badHeadersLoseTheConnectionBeforeAnyGreeting() throws Exception {
        List<byte[]> bad = List.of(
                // No header at all: a client that speaks SMTP to the load balancer's port.
                "EHLO direct.example\r\nNOOP\r\n".getBytes(StandardCharsets.US_ASCII),
                // An address that is no address, a port out of range, a protocol that does not exist.
                "PROXY TCP4 203.0.113.999 192.0.2.25 40000 25\r\n".getBytes(StandardCharsets.US_ASCII),
                "PROXY TCP4 203.0.113.9 192.0.2.25 40000 99999\r\n".getBytes(StandardCharsets.US_ASCII),
                "PROXY UDP4 203.0.113.9 192.0.2.25 40000 25\r\n".getBytes(StandardCharsets.US_ASCII),
                // An IPv6 address under TCP4.
                "PROXY TCP4 2001:db8::1 192.0.2.25 40000 25\r\n".getBytes(StandardCharsets.US_ASCII),
                // A v1 line longer than the 107 octets the specification allows, without its end.
                ("PROXY TCP4 203.0.113.9 192.0.2.25 40000 25" + " ".repeat(120) + "\r\n").getBytes(StandardCharsets.US_ASCII),
                // v2 whose length claims 65535 octets: never waited for beyond the header timeout, and refused as
                // soon as more than the bound (16 + 216 + 512 TLV octets) has arrived.
                withLength(v2(0x1, 0x11, new byte[12]), 0xFFFF),
                // v2 TCP6 whose length (12) cannot hold two IPv6 addresses: it lies about its family.
                v2(0x1, 0x21, new byte[12]),
                // v2 with version 3.
                withVersion(v2(0x1, 0x11, new byte[12]), 0x31));
        for (byte[] header : bad) {
            try (Transcript t = open(SMTP_PROXY)) {
                t.socket().getOutputStream().write(header);
                t.run("CLOSED");
            }
        }
    }

    @Test
    void aTruncatedHeaderLosesTheConnectionAtTheHeaderTimeout() throws Exception {
        for (byte[] half : List.of("PROXY TCP4 203.0.113.9".getBytes(StandardCharsets.US_ASCII),
                java.util.Arrays.copyOf(v2(0x1, 0x11, new byte[12]), 20),
                // v2 that promises 200 octets and sends 12: the rest never comes.
                withLength(v2(0x1, 0x11, new byte[12]), 200))) {
            try (Transcript t = open(SMTP_PROXY)) {
                t.socket().getOutputStream().write(half);
                // headerTimeout is 1 s; the read timeout of 10 s is the bound on "no hang".
                t.run("CLOSED");
            }
        }
    }

    @Test
    void curlSendsItsHeaderAndItsMail() throws Exception {
        String curl = ExternalTool.require("curl", "Debian package curl");
        String marker = UUID.randomUUID().toString();
        Path message = Files.writeString(dir.resolve("curl.eml"), "Subject: " + marker + "\r\n\r\nvia curl\r\n");
        InetSocketAddress a = server.engine.address(SMTP_PROXY);
        Process p = new ProcessBuilder(curl, "-sS", "--haproxy-protocol", "smtp://127.0.0.1:" + a.getPort(),
                "--mail-from", "x@remote.test", "--mail-rcpt", BOB, "-T", message.toString())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(delivered(marker)).contains("[127.0.0.1]");
    }

    static byte[] withLength(byte[] header, int length) {
        header[14] = (byte) (length >> 8);
        header[15] = (byte) length;
        return header;
    }

    static byte[] withVersion(byte[] header, int versionAndCommand) {
        header[12] = (byte) versionAndCommand;
        return header;
    }
}
