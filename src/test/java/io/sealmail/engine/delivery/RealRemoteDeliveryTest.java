package io.sealmail.engine.delivery;

import io.sealmail.testing.Closer;
import io.sealmail.ca.CertificateAuthority;
import io.sealmail.ca.LeafSpec;
import io.sealmail.config.Outbound;
import io.sealmail.engine.delivery.dns.DnsAnswer;
import io.sealmail.engine.delivery.dns.ResolverDnsLookup;
import io.sealmail.engine.tls.TestPki;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Type;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Real parts: dnsmasq on 127.0.1.53 serves the MX and A records, a real Postfix on 127.0.1.30:25 is the remote MX
 * (STARTTLS with a certificate from a test CA), another on 127.0.1.31:587 is a relay that requires TLS and AUTH
 * (Cyrus SASL, sasldb). The messages are compared byte for byte with what Postfix put in its Maildirs, apart from
 * the trace header fields it adds on top (Return-Path, Delivered-To, Received).
 */
class RealRemoteDeliveryTest {
    static final String MESSAGE = "From: Alice <alice@example.test>\r\nTo: bob@remote.test, carol@remote.test\r\n"
            + "Subject: real parts\r\nDate: Thu, 3 Dec 2026 17:00:00 +0000\r\nMessage-ID: <real-1@example.test>\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            + "Grüße über 8BITMIME.\r\n.leading dot\r\n..two\r\n.\r\nend\r\n";

    @TempDir
    Path dir;
    @RegisterExtension
    final Closer closer = new Closer();

    private TestPki certificate(String name, String host, String ip) throws Exception {
        CertificateAuthority ca = TestPki.authority("CN=" + name + " Test CA");
        TestPki.write(dir.resolve(name), ca.issue(LeafSpec.of(List.of(host), List.of(ip))));
        Path d = dir.resolve(name);
        // Postfix's smtpd reads them; the directory is private to this test run.
        for (String f : new String[]{"tls.crt", "tls.key", "ca.crt"}) {
            d.resolve(f).toFile().setReadable(true, false);
        }
        d.toFile().setExecutable(true, false);
        dir.toFile().setExecutable(true, false);
        return TestPki.read(d);
    }

    private DnsmasqProcess dns() throws Exception {
        return closer.add(DnsmasqProcess.start("127.0.1.53", dir.resolve("dnsmasq"), List.of(
                "--mx-host=remote.test,mx.remote.test,10",
                "--host-record=mx.remote.test,127.0.1.30",
                "--mx-host=broken.test,mx.broken.test,10")));
    }

    /** The message without the trace fields Postfix prepends (RFC 5321 §4.4). */
    static String withoutTrace(byte[] delivered) {
        String s = new String(delivered, StandardCharsets.UTF_8);
        while (true) {
            int eol = s.indexOf("\r\n") >= 0 ? s.indexOf("\r\n") : s.indexOf('\n');
            String first = s.substring(0, Math.max(0, eol));
            if (!(first.startsWith("Return-Path:") || first.startsWith("Delivered-To:") || first.startsWith("Received:")
                    || first.startsWith("X-Original-To:")
                    || first.startsWith(" ") || first.startsWith("\t"))) {
                return s;
            }
            s = s.substring(eol + (s.startsWith("\r\n", eol) ? 2 : 1));
        }
    }

    @Test
    void theResolverReadsMxAndARecordsFromDnsmasqAndTellsNxdomainApart() throws Exception {
        DnsmasqProcess dnsmasq = dns();
        ResolverDnsLookup lookup = new ResolverDnsLookup(new Outbound.Dns(List.of(dnsmasq.server()), Duration.ofSeconds(2), false, null));

        DnsAnswer mx = lookup.lookup("remote.test", Type.MX);
        assertThat(mx.records()).hasSize(1);
        assertThat(((MXRecord) mx.records().get(0)).getTarget().toString()).isEqualTo("mx.remote.test.");
        assertThat(mx.secure()).isFalse();
        assertThat(lookup.lookup("mx.remote.test", Type.A).records()).hasSize(1);
        assertThat(lookup.lookup("missing.test", Type.MX).nxdomain()).isTrue();
    }

    @Test
    void aDnsServerThatNeverAnswersIsATimeoutNotAHang() throws Exception {
        // Nothing listens on this port of our address: the query times out within the configured bound.
        ResolverDnsLookup lookup = new ResolverDnsLookup(new Outbound.Dns(List.of("127.0.1.54:9"), Duration.ofMillis(500), false, null));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> lookup.lookup("remote.test", Type.MX))
                .isInstanceOf(java.io.IOException.class).hasMessageContaining("remote.test");
    }

    @Test
    void directDeliveryToARealPostfixOverStartTlsArrivesByteForByte() throws Exception {
        DnsmasqProcess dnsmasq = dns();
        TestPki mxCert = certificate("mx", "mx.remote.test", "127.0.1.30");
        PostfixProcess postfix = closer.add(PostfixProcess.start("mx", "127.0.1.30", 25, "remote.test",
                List.of("bob", "carol"), """
                        smtpd_tls_security_level = may
                        smtpd_tls_cert_file = %s
                        smtpd_tls_key_file = %s
                        """.formatted(mxCert.tlsCrt(), mxCert.tlsKey())));
        OutboundTestEngine engine = closer.add(new OutboundTestEngine(dir.resolve("engine"), null,
                o -> o.withDns(new Outbound.Dns(List.of(dnsmasq.server()), Duration.ofSeconds(2), false, null), 25)));

        String id = engine.queue("alice@example.test", List.of("bob@remote.test", "carol@remote.test"), MESSAGE);

        await().atMost(Duration.ofSeconds(60)).until(() -> postfix.maildir("bob").size() == 1 && postfix.maildir("carol").size() == 1);
        await().atMost(Duration.ofSeconds(20)).until(() -> !engine.queued().containsKey(id));
        for (String user : List.of("bob", "carol")) {
            byte[] got = postfix.maildir(user).get(0);
            String text = new String(got, StandardCharsets.UTF_8);
            // Postfix's Received: names the TLS it negotiated with us (smtpd_tls_received_header).
            assertThat(text).containsPattern("\\(using TLSv1\\.[23] with cipher \\S+");
            assertThat(withoutTrace(got).replace("\n", "\r\n").replace("\r\r\n", "\r\n")).isEqualTo(MESSAGE);
        }
        // One transaction for both recipients (Postfix logs each recipient under one queue id).
        assertThat(postfix.logText()).contains("from=<alice@example.test>");
    }

    /** Cyrus SASL for the relay's smtpd: one user in a sasldb (saslpasswd2, Debian package sasl2-bin). */
    static void sasldb(Path instance) throws Exception {
        io.sealmail.testing.ExternalTool.require("saslpasswd2", "Debian package sasl2-bin");
        // Debian's Postfix looks for smtpd.conf in $config_directory/sasl (README.Debian), whatever cyrus_sasl_config_path says.
        Path sasl = Files.createDirectories(instance.resolve("conf").resolve("sasl"));
        Path db = sasl.resolve("sasldb2");
        Process p = new ProcessBuilder("saslpasswd2", "-p", "-c", "-f", db.toString(), "-u", "far.test", "relayuser")
                .redirectErrorStream(true).start();
        p.getOutputStream().write("relay secret 1".getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        assertThat(p.waitFor()).isZero();
        Files.writeString(sasl.resolve("smtpd.conf"), "pwcheck_method: auxprop\nauxprop_plugin: sasldb\nmech_list: PLAIN LOGIN\n"
                + "sasldb_path: " + db + "\n");
        PostfixProcess.run("chown", "-R", "postfix", sasl.toString());
    }

    @Test
    void relayModeThroughAPostfixThatRequiresTlsAndAuth() throws Exception {
        TestPki relayCert = certificate("relay", "relay.remote.test", "127.0.1.31");
        PostfixProcess relay = closer.add(PostfixProcess.start("relay", "127.0.1.31", 587, "far.test", List.of("dan"), """
                smtpd_tls_security_level = encrypt
                smtpd_tls_auth_only = yes
                smtpd_tls_cert_file = %s
                smtpd_tls_key_file = %s
                smtpd_sasl_auth_enable = yes
                smtpd_sasl_authenticated_header = yes
                smtpd_sasl_type = cyrus
                smtpd_sasl_path = smtpd
                cyrus_sasl_config_path = %%DIR%%/conf/sasl
                smtpd_relay_restrictions = permit_sasl_authenticated, reject
                smtpd_recipient_restrictions = permit_sasl_authenticated, reject
                """.formatted(relayCert.tlsCrt(), relayCert.tlsKey()), RealRemoteDeliveryTest::sasldb));
        Path credentials = dir.resolve("relay-credentials");
        Files.writeString(credentials, "relayuser@far.test:relay secret 1\n");
        OutboundTestEngine engine = closer.add(new OutboundTestEngine(dir.resolve("engine"), null, o -> o
                .withMode(Outbound.Mode.RELAY, new Outbound.Relay("127.0.1.31:587", Outbound.RelayTls.STARTTLS, credentials.toString()))
                .withTrustedCaFile(relayCert.caCrt().toString())));
        String message = MESSAGE.replace("bob@remote.test, carol@remote.test", "dan@far.test");

        String id = engine.queue("alice@example.test", List.of("dan@far.test"), message);

        await().atMost(Duration.ofSeconds(60)).until(() -> relay.maildir("dan").size() == 1);
        await().atMost(Duration.ofSeconds(20)).until(() -> !engine.queued().containsKey(id));
        byte[] got = relay.maildir("dan").get(0);
        assertThat(new String(got, StandardCharsets.UTF_8)).containsPattern("\\(using TLSv1\\.[23] with cipher \\S+")
                .contains("(Authenticated sender: relayuser@far.test)");
        assertThat(withoutTrace(got).replace("\n", "\r\n").replace("\r\r\n", "\r\n")).isEqualTo(message);
    }
}
