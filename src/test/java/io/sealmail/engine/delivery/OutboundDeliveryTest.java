package io.sealmail.engine.delivery;

import io.sealmail.testing.Closer;
import io.sealmail.engine.tls.TestPki;
import io.sealmail.store.DeliveryStatus;
import io.sealmail.store.RecipientStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The queue runner and SMTP client against a scripted SMTP peer on 127.0.1.x (the outbound helper's addresses). */
class OutboundDeliveryTest {
    static final String MESSAGE = """
            From: alice@example.test\r
            To: bob@remote.test\r
            Subject: hello\r
            \r
            line one\r
            .a line starting with a dot\r
            ..two dots\r
            .\r
            last line\r
            """;

    @TempDir
    Path dir;
    @RegisterExtension
    final Closer closer = new Closer();

    private ScriptedPeer peer(String address) throws Exception {
        return closer.add(new ScriptedPeer(InetAddress.getByName(address), 0));
    }

    private OutboundTestEngine engine(StaticDns dns, int port) throws Exception {
        return closer.add(new OutboundTestEngine(dir, dns, port));
    }

    private static void awaitGone(OutboundTestEngine engine, String id) {
        await().atMost(Duration.ofSeconds(20)).until(() -> !engine.queued().containsKey(id));
    }

    private static RecipientStatus awaitState(OutboundTestEngine engine, String id, String recipient, RecipientStatus.State state) {
        return await().atMost(Duration.ofSeconds(20)).until(() -> {
            DeliveryStatus s = engine.queued().get(id);
            return s == null ? null : s.recipients().stream().filter(r -> r.recipient().equals(recipient)).findFirst().orElse(null);
        }, r -> r != null && r.state() == state);
    }

    @Test
    void severalRecipientsOfOneDomainGoInOnePipelinedTransactionByteForByte() throws Exception {
        ScriptedPeer peer = peer("127.0.1.10");
        StaticDns dns = new StaticDns().mx("remote.test", 10, "mx.remote.test").a("mx.remote.test", peer.address());
        OutboundTestEngine engine = engine(dns, peer.port());

        String id = engine.queue("alice@example.test", List.of("bob@remote.test", "carol@remote.test"), MESSAGE);

        awaitGone(engine, id);
        assertThat(peer.received).hasSize(1);
        ScriptedPeer.Received r = peer.received.get(0);
        assertThat(r.mailFrom()).startsWith("<alice@example.test> SIZE=");
        assertThat(r.rcptTo()).containsExactly("bob@remote.test", "carol@remote.test");
        assertThat(r.text()).isEqualTo(MESSAGE); // dot-stuffing applied by the client, undone by the peer
        // PIPELINING: MAIL, both RCPTs and DATA were sent before the first reply was read (RFC 2920).
        assertThat(peer.commands()).containsSubsequence("MAIL FROM:<alice@example.test> SIZE=" + MESSAGE.length(),
                "RCPT TO:<bob@remote.test>", "RCPT TO:<carol@remote.test>", "DATA");
    }

    @Test
    void aTemporaryFailureIsRetriedWithItsStateRecordedAndThenDelivered() throws Exception {
        ScriptedPeer peer = peer("127.0.1.10");
        peer.dataReplies.add("451 4.3.0 try again later");
        StaticDns dns = new StaticDns().mx("remote.test", 10, "mx.remote.test").a("mx.remote.test", peer.address());
        OutboundTestEngine engine = engine(dns, peer.port());

        String id = engine.queue("alice@example.test", List.of("bob@remote.test"), MESSAGE);

        RecipientStatus deferred = awaitState(engine, id, "bob@remote.test", RecipientStatus.State.DEFERRED);
        assertThat(deferred.attempts()).isEqualTo(1);
        assertThat(deferred.lastReply()).isEqualTo("451 4.3.0 try again later");
        assertThat(deferred.remote()).isEqualTo("mx.remote.test");
        assertThat(deferred.nextAttemptMillis()).isGreaterThan(deferred.lastAttemptMillis());
        awaitGone(engine, id);
        assertThat(peer.received).hasSize(1);
        assertThat(engine.inbox()).isEmpty(); // no bounce
    }

    @Test
    void aPermanentFailureBouncesWithAnRfc3464ReportToTheLocalSender() throws Exception {
        ScriptedPeer peer = peer("127.0.1.10");
        peer.rcptReplies.put("nobody@remote.test", "550 5.1.1 <nobody@remote.test>: Recipient address rejected");
        StaticDns dns = new StaticDns().mx("remote.test", 10, "mx.remote.test").a("mx.remote.test", peer.address());
        OutboundTestEngine engine = engine(dns, peer.port());

        String id = engine.queue("alice@example.test", List.of("bob@remote.test", "nobody@remote.test"), MESSAGE);

        awaitGone(engine, id);
        assertThat(peer.received).hasSize(1);
        assertThat(peer.received.get(0).rcptTo()).containsExactly("bob@remote.test");
        List<String> inbox = await().atMost(Duration.ofSeconds(10)).until(engine::inbox, l -> l.size() == 1);
        String dsn = inbox.get(0);
        assertThat(dsn).startsWith("Return-Path: <>")
                .contains("Content-Type: multipart/report; report-type=delivery-status;",
                        "Content-Type: message/delivery-status",
                        "Final-Recipient: rfc822; nobody@remote.test", "Action: failed", "Status: 5.1.1",
                        "Remote-MTA: dns; mx.remote.test",
                        "Diagnostic-Code: smtp; 550 5.1.1 <nobody@remote.test>: Recipient address rejected",
                        "Content-Type: text/rfc822-headers", "Subject: hello")
                .doesNotContain("Final-Recipient: rfc822; bob@remote.test");
    }

    /**
     * End to end with real clients: alice submits on 587 (Angus Mail, STARTTLS + AUTH), the remote refuses one
     * recipient with 550, and the RFC 3464 report is read back from her INBOX over IMAPS and parsed as MIME.
     */
    @Test
    void aRefusedRecipientsReportIsReadBackOverImap() throws Exception {
        ScriptedPeer peer = peer("127.0.1.10");
        peer.rcptReplies.put("nobody@remote.test", "550 5.1.1 <nobody@remote.test>: Recipient address rejected");
        StaticDns dns = new StaticDns().mx("remote.test", 10, "mx.remote.test").a("mx.remote.test", peer.address());
        OutboundTestEngine engine = engine(dns, peer.port());
        java.util.Properties props = new java.util.Properties();
        for (String proto : new String[] {"smtp", "imaps"}) {
            props.put("mail." + proto + ".ssl.socketFactory", engine.pki.clientContext().getSocketFactory());
            props.put("mail." + proto + ".ssl.checkserveridentity", "true");
            props.put("mail." + proto + ".timeout", "20000");
        }
        props.put("mail.smtp.starttls.enable", "true");
        props.put("mail.smtp.starttls.required", "true");
        props.put("mail.smtp.auth", "true");
        props.put("mail.smtp.host", "localhost");
        props.put("mail.smtp.port", "" + engine.engine.port(io.sealmail.config.Role.SUBMISSION));
        jakarta.mail.Session session = jakarta.mail.Session.getInstance(props);
        jakarta.mail.internet.MimeMessage sent = new jakarta.mail.internet.MimeMessage(session);
        sent.setFrom(OutboundTestEngine.ALICE);
        sent.setRecipients(jakarta.mail.Message.RecipientType.TO, "bob@remote.test, nobody@remote.test");
        sent.setSubject("to a mailbox that does not exist");
        sent.setText("hello\r\n");
        jakarta.mail.Transport.send(sent, OutboundTestEngine.ALICE, OutboundTestEngine.PASSWORD);

        await().atMost(Duration.ofSeconds(20)).until(() -> peer.received.size() == 1);
        assertThat(peer.received.get(0).rcptTo()).containsExactly("bob@remote.test");
        try (jakarta.mail.Store imap = session.getStore("imaps")) {
            imap.connect("localhost", engine.engine.port(io.sealmail.config.Role.IMAPS), OutboundTestEngine.ALICE,
                    OutboundTestEngine.PASSWORD);
            jakarta.mail.Folder inbox = imap.getFolder("INBOX");
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                inbox.open(jakarta.mail.Folder.READ_ONLY);
                int n = inbox.getMessageCount();
                inbox.close(false);
                return n == 1;
            });
            inbox.open(jakarta.mail.Folder.READ_ONLY);
            jakarta.mail.Message dsn = inbox.getMessage(1);
            assertThat(((jakarta.mail.internet.InternetAddress) dsn.getFrom()[0]).getAddress())
                    .isEqualTo("MAILER-DAEMON@mail.test");
            assertThat(dsn.getHeader("Auto-Submitted")).containsExactly("auto-replied");
            // MIME types are case-insensitive (RFC 2045 §5.1); IMAP's BODYSTRUCTURE may send them upper-case.
            assertThat(dsn.isMimeType("multipart/report")).as(dsn.getContentType()).isTrue();
            assertThat(dsn.getContentType()).contains("report-type=delivery-status");
            jakarta.mail.Multipart report = (jakarta.mail.Multipart) dsn.getContent();
            assertThat(report.getCount()).isEqualTo(3);
            assertThat(report.getBodyPart(0).isMimeType("text/plain")).isTrue();
            assertThat((String) report.getBodyPart(0).getContent()).contains("nobody@remote.test")
                    .contains("550 5.1.1 <nobody@remote.test>: Recipient address rejected");
            assertThat(report.getBodyPart(1).isMimeType("message/delivery-status")).isTrue();
            String status = new String(report.getBodyPart(1).getInputStream().readAllBytes(),
                    java.nio.charset.StandardCharsets.US_ASCII);
            assertThat(status).contains("Final-Recipient: rfc822; nobody@remote.test", "Action: failed",
                    "Status: 5.1.1", "Diagnostic-Code: smtp; 550 5.1.1").doesNotContain("bob@remote.test");
            assertThat(report.getBodyPart(2).isMimeType("text/rfc822-headers")).isTrue();
            String headers = new String(report.getBodyPart(2).getInputStream().readAllBytes(),
                    java.nio.charset.StandardCharsets.US_ASCII);
            assertThat(headers).contains("Subject: to a mailbox that does not exist");
            inbox.close(false);
        }
    }

    @Test
    void nullMxAndNxdomainBounceAtOnceWithClearReasons() throws Exception {
        StaticDns dns = new StaticDns().nullMx("nomail.test");
        OutboundTestEngine engine = engine(dns, 25);

        String id = engine.queue("alice@example.test", List.of("x@nomail.test", "y@missing.test"), MESSAGE);

        awaitGone(engine, id);
        String dsn = await().atMost(Duration.ofSeconds(10)).until(engine::inbox, l -> l.size() == 1).get(0);
        assertThat(dsn).contains("Final-Recipient: rfc822; x@nomail.test", "Status: 5.1.10",
                "accepts no mail (null MX, RFC 7505)",
                "Final-Recipient: rfc822; y@missing.test", "Status: 5.1.2", "missing.test does not exist (NXDOMAIN)");
    }

    @Test
    void aDnsTimeoutDefersAndNothingIsLost() throws Exception {
        StaticDns dns = new StaticDns().timeout("slow.test");
        OutboundTestEngine engine = engine(dns, 25);

        String id = engine.queue("alice@example.test", List.of("x@slow.test"), MESSAGE);

        RecipientStatus r = awaitState(engine, id, "x@slow.test", RecipientStatus.State.DEFERRED);
        assertThat(r.lastReply()).startsWith("451 4.4.3 MX look-up for slow.test failed: DNS timeout");
        assertThat(engine.inbox()).isEmpty();
    }

    @Test
    void mxNamesThatAreIpLiteralsOrGarbageBounceWithTheReason() throws Exception {
        StaticDns dns = new StaticDns().mx("literal.test", 10, "192.0.2.1").mx("garbage.test", 10, "bad_-.host.-x");
        OutboundTestEngine engine = engine(dns, 25);

        String id = engine.queue("alice@example.test", List.of("a@literal.test", "b@garbage.test"), MESSAGE);

        awaitGone(engine, id);
        String dsn = await().atMost(Duration.ofSeconds(10)).until(engine::inbox, l -> l.size() == 1).get(0);
        assertThat(dsn).contains("MX host 192.0.2.1 is an IP address, not a host name (RFC 5321 §5.1)",
                "is not a valid host name", "Status: 5.4.4");
    }

    @Test
    void aRemoteThatNeverAnswersIsDeferredByTheCommandTimeout() throws Exception {
        ScriptedPeer peer = peer("127.0.1.10");
        peer.opening = ScriptedPeer.Opening.SILENT;
        StaticDns dns = new StaticDns().mx("remote.test", 10, "mx.remote.test").a("mx.remote.test", peer.address());
        OutboundTestEngine engine = engine(dns, peer.port());

        String id = engine.queue("alice@example.test", List.of("bob@remote.test"), MESSAGE);

        RecipientStatus r = awaitState(engine, id, "bob@remote.test", RecipientStatus.State.DEFERRED);
        assertThat(r.lastReply()).contains("timeout waiting for a reply from mx.remote.test");
    }

    /**
     * Socket timeouts do not cover writes: a remote that stops reading in the middle of the message is cut off by
     * the watchdog at the data timeout (2 s here), the message deferred with that reason and kept, and delivered
     * once the remote reads again.
     */
    @Test
    void aRemoteThatStopsReadingDuringTheMessageIsCutOffByTheDataTimeoutAndDeferred() throws Exception {
        ScriptedPeer peer = peer("127.0.1.10");
        peer.stopReadingAtData = true;
        StaticDns dns = new StaticDns().mx("remote.test", 10, "mx.remote.test").a("mx.remote.test", peer.address());
        OutboundTestEngine engine = closer.add(new OutboundTestEngine(dir, dns,
                o -> new io.sealmail.config.Outbound(o.mode(), o.dns(), null, o.maxConnections(),
                        o.maxConnectionsPerDestination(), o.firstRetry(), o.maxRetryInterval(), o.maxLifetime(),
                        o.connectTimeout(), o.commandTimeout(), Duration.ofSeconds(2), null, null, null, peer.port(),
                        null, null, null)));
        // Far more than loopback's socket buffers hold, so the write blocks.
        String big = "Subject: big\r\n\r\n" + ("x".repeat(998) + "\r\n").repeat(9_000); // 9 MB, under the peer's SIZE

        String id = engine.queue("alice@example.test", List.of("bob@remote.test"), big);

        RecipientStatus r = awaitState(engine, id, "bob@remote.test", RecipientStatus.State.DEFERRED);
        assertThat(r.lastReply()).contains("timeout sending to mx.remote.test (the peer stopped reading)");
        assertThat(peer.received).isEmpty();

        peer.stopReadingAtData = false;
        awaitGone(engine, id);
        assertThat(peer.received).singleElement().satisfies(m -> assertThat(m.data()).hasSize(big.length()));
    }

    @Test
    void aRemoteSendingATenMegabyteLineIsCutOffAndDeferred() throws Exception {
        ScriptedPeer peer = peer("127.0.1.10");
        peer.opening = ScriptedPeer.Opening.HUGE_LINE;
        StaticDns dns = new StaticDns().mx("remote.test", 10, "mx.remote.test").a("mx.remote.test", peer.address());
        OutboundTestEngine engine = engine(dns, peer.port());

        String id = engine.queue("alice@example.test", List.of("bob@remote.test"), MESSAGE);

        RecipientStatus r = awaitState(engine, id, "bob@remote.test", RecipientStatus.State.DEFERRED);
        assertThat(r.lastReply()).contains("reply line from mx.remote.test longer than 2048 octets");
    }

    /**
     * Hostile remotes cost only themselves: with a single delivery thread, a remote that never answers and one that
     * sends a 10 MB line each hold it only until their bound, a healthy destination queued behind them is delivered,
     * and once the hostile remotes behave, their messages (kept in the queue) are delivered too.
     */
    @Test
    void hostileRemotesNeitherHoldTheOnlyThreadNorLoseTheirMessages() throws Exception {
        ScriptedPeer silent = peer("127.0.1.10");
        silent.opening = ScriptedPeer.Opening.SILENT;
        ScriptedPeer huge = closer.add(new ScriptedPeer(InetAddress.getByName("127.0.1.11"), silent.port()));
        huge.opening = ScriptedPeer.Opening.HUGE_LINE;
        ScriptedPeer healthy = closer.add(new ScriptedPeer(InetAddress.getByName("127.0.1.12"), silent.port()));
        StaticDns dns = new StaticDns()
                .mx("silent.test", 10, "mx.silent.test").a("mx.silent.test", silent.address())
                .mx("huge.test", 10, "mx.huge.test").a("mx.huge.test", huge.address())
                .mx("healthy.test", 10, "mx.healthy.test").a("mx.healthy.test", healthy.address());
        OutboundTestEngine engine = closer.add(new OutboundTestEngine(dir, dns,
                o -> new io.sealmail.config.Outbound(o.mode(), o.dns(), null, 1, 1, o.firstRetry(), o.maxRetryInterval(),
                        o.maxLifetime(), o.connectTimeout(), o.commandTimeout(), o.dataTimeout(), null, null, null,
                        silent.port(), null, null, null)));

        String toSilent = engine.queue("alice@example.test", List.of("a@silent.test"), MESSAGE);
        String toHuge = engine.queue("alice@example.test", List.of("b@huge.test"), MESSAGE);
        String toHealthy = engine.queue("alice@example.test", List.of("c@healthy.test"), MESSAGE);

        awaitGone(engine, toHealthy);
        assertThat(healthy.received).hasSize(1);
        assertThat(awaitState(engine, toSilent, "a@silent.test", RecipientStatus.State.DEFERRED).lastReply())
                .contains("timeout waiting for a reply");
        assertThat(awaitState(engine, toHuge, "b@huge.test", RecipientStatus.State.DEFERRED).lastReply())
                .contains("longer than 2048 octets");

        silent.opening = ScriptedPeer.Opening.GREET;
        huge.opening = ScriptedPeer.Opening.GREET;
        awaitGone(engine, toSilent);
        awaitGone(engine, toHuge);
        assertThat(silent.received).singleElement().satisfies(r -> assertThat(r.text()).isEqualTo(MESSAGE));
        assertThat(huge.received).singleElement().satisfies(r -> assertThat(r.text()).isEqualTo(MESSAGE));
        assertThat(engine.inbox()).isEmpty(); // deferred, never bounced
    }

    @Test
    void aRefusingMxIsSkippedForTheNextOne() throws Exception {
        ScriptedPeer refusing = peer("127.0.1.10");
        refusing.opening = ScriptedPeer.Opening.REFUSE_554;
        ScriptedPeer good = closer.add(new ScriptedPeer(InetAddress.getByName("127.0.1.11"), refusing.port()));
        StaticDns dns = new StaticDns().mx("remote.test", 10, "mx1.remote.test").mx("remote.test", 20, "mx2.remote.test")
                .a("mx1.remote.test", refusing.address()).a("mx2.remote.test", good.address());
        OutboundTestEngine engine = engine(dns, refusing.port());

        String id = engine.queue("alice@example.test", List.of("bob@remote.test"), MESSAGE);

        awaitGone(engine, id);
        assertThat(refusing.connections.get()).isEqualTo(1);
        assertThat(good.received).hasSize(1);
    }

    @Test
    void oneConnectionCarriesSeveralMessagesToTheSameHost() throws Exception {
        ScriptedPeer peer = peer("127.0.1.10");
        StaticDns dns = new StaticDns().mx("remote.test", 10, "mx.remote.test").a("mx.remote.test", peer.address());
        OutboundTestEngine engine = closer.add(new OutboundTestEngine(dir, dns,
                o -> new io.sealmail.config.Outbound(o.mode(), o.dns(), null, 1, 1, o.firstRetry(), o.maxRetryInterval(),
                        o.maxLifetime(), o.connectTimeout(), o.commandTimeout(), o.dataTimeout(), null, null, null, peer.port(), null, null, null)));
        // Hold the first connection's transaction so the other messages queue up behind it.
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(engine.queue("alice@example.test", List.of("bob@remote.test"), MESSAGE));
        }
        for (String id : ids) {
            awaitGone(engine, id);
        }
        assertThat(peer.received).hasSize(5);
        assertThat(peer.connections.get()).isLessThan(5);
    }

    /**
     * Postfix's connection cache: a message arriving after the previous one was delivered (the run had ended) goes
     * over the same connection; one the remote closed while parked is replaced at once, without deferring; a parked
     * connection past its idle time gets QUIT.
     */
    @Test
    void anIdleConnectionIsReusedForTheNextMessageAndReplacedWhenTheRemoteDroppedIt() throws Exception {
        ScriptedPeer peer = peer("127.0.1.10");
        StaticDns dns = new StaticDns().mx("remote.test", 10, "mx.remote.test").a("mx.remote.test", peer.address());
        OutboundTestEngine engine = engine(dns, peer.port());
        OutboundDelivery delivery = engine.engine.delivery().orElseThrow();
        delivery.idleTime(Duration.ofMinutes(5)); // no machine is that slow between two messages of this test

        awaitGone(engine, engine.queue("alice@example.test", List.of("bob@remote.test"), MESSAGE));
        awaitGone(engine, engine.queue("alice@example.test", List.of("bob@remote.test"), MESSAGE));
        assertThat(peer.received).hasSize(2);
        assertThat(peer.connections.get()).as("the second message took the parked connection").isEqualTo(1);
        assertThat(peer.commands()).filteredOn(c -> c.startsWith("EHLO")).hasSize(1);

        peer.hangUpAll();
        awaitGone(engine, engine.queue("alice@example.test", List.of("bob@remote.test"), MESSAGE));
        assertThat(peer.received).hasSize(3);
        assertThat(peer.connections.get()).as("a new connection replaced the dropped one").isEqualTo(2);

        delivery.idleTime(Duration.ofMillis(100));
        awaitGone(engine, engine.queue("alice@example.test", List.of("bob@remote.test"), MESSAGE));
        await().atMost(Duration.ofSeconds(20)).until(() -> peer.commands().contains("QUIT"));
        assertThat(peer.received).hasSize(4);
    }

    @Test
    void startTlsIsUsedWhenOfferedAndThePolicyAndCipherAreRecorded() throws Exception {
        ScriptedPeer peer = peer("127.0.1.10");
        TestPki pki = TestPki.create(dir.resolve("peer-tls"));
        peer.startTls = serverContext(pki);
        peer.dataReplies.add("451 4.3.0 once more");
        StaticDns dns = new StaticDns().mx("remote.test", 10, "mx.remote.test").a("mx.remote.test", peer.address());
        OutboundTestEngine engine = engine(dns, peer.port());

        String id = engine.queue("alice@example.test", List.of("bob@remote.test"), MESSAGE);

        RecipientStatus r = awaitState(engine, id, "bob@remote.test", RecipientStatus.State.DEFERRED);
        assertThat(r.policy()).isEqualTo("opportunistic");
        assertThat(r.tls()).matches("TLSv1\\.[23] TLS_\\w+");
        awaitGone(engine, id);
        assertThat(peer.received.get(0).tls()).isIn("TLSv1.3", "TLSv1.2");
        assertThat(peer.commands()).containsSubsequence("STARTTLS", "EHLO mail.test", "MAIL FROM:<alice@example.test> SIZE=" + MESSAGE.length());
    }

    @Test
    void aLoopIsStoppedByCountingReceivedHeaders() throws Exception {
        ScriptedPeer peer = peer("127.0.1.10");
        StaticDns dns = new StaticDns().mx("remote.test", 10, "mx.remote.test").a("mx.remote.test", peer.address());
        OutboundTestEngine engine = engine(dns, peer.port());
        String looping = "Received: from a by b; Thu, 3 Dec 2026 10:00:00 +0000\r\n".repeat(51) + MESSAGE;

        String id = engine.queue("alice@example.test", List.of("bob@remote.test"), looping);

        awaitGone(engine, id);
        assertThat(peer.connections.get()).isZero();
        assertThat(await().atMost(Duration.ofSeconds(10)).until(engine::inbox, l -> l.size() == 1).get(0))
                .contains("Status: 5.4.6", "mail loop: 51 Received: headers");
    }

    @Test
    void aBounceOfABounceIsNeverSent() throws Exception {
        ScriptedPeer peer = peer("127.0.1.10");
        peer.rcptReplies.put("bob@remote.test", "550 5.1.1 no such user");
        StaticDns dns = new StaticDns().mx("remote.test", 10, "mx.remote.test").a("mx.remote.test", peer.address());
        OutboundTestEngine engine = engine(dns, peer.port());

        String id = engine.queue("", List.of("bob@remote.test"), MESSAGE);

        awaitGone(engine, id);
        assertThat(engine.queued()).isEmpty();
        assertThat(engine.inbox()).isEmpty();
    }

    @Test
    void aBounceToARemoteSenderIsQueuedFromTheNullSender() throws Exception {
        ScriptedPeer peer = peer("127.0.1.10");
        peer.rcptReplies.put("nobody@remote.test", "550 5.1.1 no such user");
        StaticDns dns = new StaticDns().mx("remote.test", 10, "mx.remote.test").a("mx.remote.test", peer.address());
        OutboundTestEngine engine = engine(dns, peer.port());

        String id = engine.queue("carol@remote.test", List.of("nobody@remote.test"), MESSAGE);

        awaitGone(engine, id);
        await().atMost(Duration.ofSeconds(20)).until(() -> peer.received.size() == 1);
        ScriptedPeer.Received dsn = peer.received.get(0);
        assertThat(dsn.mailFrom()).startsWith("<>");
        assertThat(dsn.rcptTo()).containsExactly("carol@remote.test");
        assertThat(dsn.text()).contains("Final-Recipient: rfc822; nobody@remote.test", "Status: 5.1.1");
    }

    static SSLContext serverContext(TestPki pki) throws Exception {
        String pem = java.nio.file.Files.readString(pki.tlsCrt());
        var chain = io.sealmail.ca.Pem.readCertificates(pem);
        var key = io.sealmail.ca.Pem.readPrivateKey(java.nio.file.Files.readString(pki.tlsKey()));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("peer", key, new char[0], chain.toArray(new java.security.cert.X509Certificate[0]));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        SSLContext c = SSLContext.getInstance("TLS");
        c.init(kmf.getKeyManagers(), null, null);
        return c;
    }
}
