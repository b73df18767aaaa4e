package io.sealmail.engine.delivery;

import io.sealmail.store.DeliveryStatus;
import io.sealmail.store.RecipientStatus;
import io.sealmail.testing.Closer;
import jakarta.mail.Multipart;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The delay notice (RFC 3464 action "delayed", Postfix's delay_warning_time): once per message, after
 * {@code outbound.delayWarning}, to a sender that is not null, and not again after a restart.
 */
class DelayNoticeTest {
    @TempDir
    Path dir;
    @RegisterExtension
    final Closer closer = new Closer();

    private OutboundTestEngine engine(ScriptedPeer peer, StaticDns dns) throws Exception {
        return closer.add(new OutboundTestEngine(dir, dns,
                o -> o.withDns(o.dns(), peer.port()).withDelayWarning(Duration.ofSeconds(2))));
    }

    private static RecipientStatus state(OutboundTestEngine engine, String id) throws Exception {
        DeliveryStatus s = engine.queued().get(id);
        return s == null ? null : s.recipients().get(0);
    }

    @Test
    void aMessageStillDeferredAfterTheDelayGetsOneNoticeThatIsReadBack() throws Exception {
        ScriptedPeer peer = closer.add(new ScriptedPeer(InetAddress.getByName("127.0.1.12"), 0));
        peer.rcptReplies.put("slow@remote.test", "452 4.2.2 <slow@remote.test>: mailbox full, try later");
        StaticDns dns = new StaticDns().mx("remote.test", 10, "mx.remote.test").a("mx.remote.test", peer.address());
        OutboundTestEngine engine = engine(peer, dns);

        String id = engine.queue(OutboundTestEngine.ALICE, List.of("slow@remote.test"), OutboundDeliveryTest.MESSAGE);

        String notice = await().atMost(Duration.ofSeconds(30)).until(engine::inbox, l -> l.size() == 1).get(0);
        MimeMessage m = new MimeMessage(Session.getInstance(new Properties()),
                new ByteArrayInputStream(notice.getBytes(StandardCharsets.UTF_8)));
        assertThat(m.getHeader("Return-Path")).containsExactly("<>");
        assertThat(m.getSubject()).isEqualTo("Delayed Mail (still being retried)");
        assertThat(m.getHeader("Auto-Submitted")).containsExactly("auto-replied");
        assertThat(m.isMimeType("multipart/report")).isTrue();
        assertThat(m.getContentType()).contains("report-type=delivery-status");
        Multipart report = (Multipart) m.getContent();
        assertThat(report.getCount()).isEqualTo(3);
        assertThat((String) report.getBodyPart(0).getContent()).contains("could not be delivered yet",
                "slow@remote.test", "452 4.2.2 <slow@remote.test>: mailbox full", "You do not need to send it again");
        assertThat(report.getBodyPart(1).isMimeType("message/delivery-status")).isTrue();
        String status = new String(report.getBodyPart(1).getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertThat(status).contains("Reporting-MTA: dns; mail.test", "Final-Recipient: rfc822; slow@remote.test",
                "Action: delayed", "Status: 4.2.2", "Remote-MTA: dns; mx.remote.test",
                "Diagnostic-Code: smtp; 452 4.2.2", "Will-Retry-Until: ").doesNotContain("Action: failed");
        assertThat(report.getBodyPart(2).isMimeType("text/rfc822-headers")).isTrue();
        assertThat(new String(report.getBodyPart(2).getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                .contains("Subject: hello");
        DeliveryStatus recorded = engine.queued().get(id);
        assertThat(recorded.delayNoticeSent()).isTrue();

        // Tried again and again (1 s, then every 2 s): still one notice, also across a restart.
        int attempts = state(engine, id).attempts();
        await().atMost(Duration.ofSeconds(30)).until(() -> state(engine, id).attempts() >= attempts + 2);
        engine.close();
        OutboundTestEngine again = engine(peer, dns);
        await().atMost(Duration.ofSeconds(30)).until(() -> state(again, id).attempts() >= attempts + 4);
        assertThat(again.inbox()).hasSize(1);

        // Once the remote takes it, it is delivered and nothing else is sent.
        peer.rcptReplies.remove("slow@remote.test");
        await().atMost(Duration.ofSeconds(30)).until(() -> !again.queued().containsKey(id));
        assertThat(peer.received).hasSize(1);
        assertThat(again.inbox()).hasSize(1);
    }

    @Test
    void aNullSenderIsNeverNotified() throws Exception {
        ScriptedPeer peer = closer.add(new ScriptedPeer(InetAddress.getByName("127.0.1.12"), 0));
        peer.rcptReplies.put("slow@remote.test", "452 4.2.2 mailbox full");
        StaticDns dns = new StaticDns().mx("remote.test", 10, "mx.remote.test").a("mx.remote.test", peer.address());
        OutboundTestEngine engine = engine(peer, dns);

        // A bounce (from <>) that keeps being deferred, and an ordinary message as the witness that notices go out.
        String bounce = engine.queue("", List.of("slow@remote.test"), OutboundDeliveryTest.MESSAGE);
        String witness = engine.queue(OutboundTestEngine.ALICE, List.of("slow@remote.test"), OutboundDeliveryTest.MESSAGE);

        await().atMost(Duration.ofSeconds(30)).until(() -> engine.queued().get(witness).delayNoticeSent());
        await().atMost(Duration.ofSeconds(30)).until(() -> state(engine, bounce).attempts() >= 3);
        assertThat(engine.queued().get(bounce).delayNoticeSent()).isFalse();
        assertThat(engine.queued()).containsOnlyKeys(bounce, witness); // nothing queued for the null sender
        assertThat(engine.inbox()).hasSize(1);
        assertThat(engine.inbox().get(0)).contains("X-Sealmail-Queue-ID: " + witness);
    }
}
