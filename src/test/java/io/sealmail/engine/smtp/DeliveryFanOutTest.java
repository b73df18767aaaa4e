package io.sealmail.engine.smtp;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sealmail.config.Role;
import io.sealmail.engine.MailMetrics;
import io.sealmail.store.QuotaExceededException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The delivery fan-out as tables: what each hand-off outcome answers (SMTP: one reply for the message; LMTP: one
 * reply per accepted RCPT, one delivery per account), and what is counted.
 */
class DeliveryFanOutTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final MailMetrics metrics = new MailMetrics(registry);

    private static ReceivedMessage message(Role role, List<String> local, List<String> remote) throws Exception {
        return new ReceivedMessage("Q1", null, "a@example.org", local, remote, role, InetAddress.getLoopbackAddress(),
                "client.test", null, null, 0);
    }

    private static SmtpTransaction.Recipient local(String address, String account) {
        int at = address.indexOf('@');
        return new SmtpTransaction.Recipient(new MailAddress(address.substring(0, at), address.substring(at + 1)), account);
    }

    /** A failure the hand-off may end with, by name. */
    private static Throwable failure(String kind) {
        return switch (kind) {
            case "quota" -> new QuotaExceededException("joe@example.com", 100, 100, 5);
            case "dmarc" -> new MessageRefusedException(SmtpReply.of(550, "5.7.1", "DMARC policy of example.org: reject"));
            case "wrapped-quota" -> new java.util.concurrent.CompletionException(new QuotaExceededException("joe@example.com", 1, 1, 1));
            default -> new IOException("disk full (test)");
        };
    }

    @ParameterizedTest(name = "SMTP hand-off {0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "ok            | 250 2.0.0 Ok: queued as Q1                                                      | accepted",
            "quota         | 552 5.2.2 Mailbox full: the message does not fit into a recipient's quota     | mailbox_full",
            "wrapped-quota | 552 5.2.2 Mailbox full: the message does not fit into a recipient's quota     | mailbox_full",
            "dmarc         | 550 5.7.1 DMARC policy of example.org: reject                                  | mail_authentication",
            "io            | 451 4.3.0 Local error in processing, message not accepted; try again later    | store_failure",
            "throws        | 451 4.3.0 Local error in processing, message not accepted; try again later    | store_failure",
    })
    void smtpReplies(String outcome, String reply, String counted) throws Exception {
        MessageHandoff handoff = m -> switch (outcome) {
            case "ok" -> CompletableFuture.completedFuture(null);
            case "throws" -> throw new IllegalStateException("hand-off broke (test)");
            default -> CompletableFuture.failedFuture(failure(outcome));
        };
        DeliveryFanOut fanOut = new DeliveryFanOut(handoff, Role.SMTP, metrics);
        DeliveryFanOut.Outcome o = fanOut.start(message(Role.SMTP, List.of("joe@example.com"), List.of()),
                List.of(local("joe@example.com", "joe@example.com"))).get(10, TimeUnit.SECONDS);
        List<SmtpReply> replies = fanOut.replies(o);
        assertThat(replies).hasSize(1);
        assertThat(replies.get(0).toString()).isEqualTo(reply);
        if (counted.equals("accepted")) {
            assertThat(registry.counter("sealmail.messages.accepted", "role", "smtp").count()).isEqualTo(1);
        } else {
            assertThat(registry.counter("sealmail.messages.rejected", "role", "smtp", "reason", counted).count()).isEqualTo(1);
        }
    }

    @Test
    void smtpHandsOverOnceForLocalAndRemote() throws Exception {
        List<ReceivedMessage> handed = new CopyOnWriteArrayList<>();
        DeliveryFanOut fanOut = new DeliveryFanOut(m -> {
            handed.add(m);
            return CompletableFuture.completedFuture(null);
        }, Role.SUBMISSION, metrics);
        fanOut.start(message(Role.SUBMISSION, List.of("joe@example.com"), List.of("x@elsewhere.org")), List.of())
                .get(10, TimeUnit.SECONDS);
        assertThat(handed).hasSize(1);
        assertThat(handed.get(0).localAccounts()).containsExactly("joe@example.com");
        assertThat(handed.get(0).remoteRecipients()).containsExactly("x@elsewhere.org");
    }

    /**
     * RFC 2033 §4.2: one reply per accepted RCPT, in RCPT order; an alias shares its account's one delivery; a full
     * mailbox refuses only its own recipients.
     */
    @Test
    void lmtpRepliesPerRecipientAndDeliversPerAccount() throws Exception {
        List<List<String>> deliveries = new CopyOnWriteArrayList<>();
        DeliveryFanOut fanOut = new DeliveryFanOut(m -> {
            deliveries.add(m.localAccounts());
            return m.localAccounts().contains("full@example.com")
                    ? CompletableFuture.failedFuture(failure("quota"))
                    : m.localAccounts().contains("broken@example.com")
                    ? CompletableFuture.failedFuture(failure("io"))
                    : CompletableFuture.completedFuture(null);
        }, Role.LMTP, metrics);
        List<SmtpTransaction.Recipient> rcpts = List.of(local("joe@example.com", "joe@example.com"),
                local("full@example.com", "full@example.com"), local("info@example.com", "joe@example.com"),
                local("broken@example.com", "broken@example.com"));
        DeliveryFanOut.Outcome o = fanOut.start(message(Role.LMTP,
                List.of("joe@example.com", "full@example.com", "broken@example.com"), List.of()), rcpts).get(10, TimeUnit.SECONDS);
        assertThat(deliveries).containsExactly(List.of("joe@example.com"), List.of("full@example.com"), List.of("broken@example.com"));
        assertThat(fanOut.replies(o)).extracting(SmtpReply::toString).containsExactly(
                "250 2.1.5 Ok: joe@example.com delivered as Q1",
                "552 5.2.2 Mailbox full: the message does not fit into a recipient's quota",
                "250 2.1.5 Ok: info@example.com delivered as Q1",
                "451 4.3.0 Local error in processing, message not accepted; try again later");
        assertThat(registry.counter("sealmail.messages.accepted", "role", "lmtp").count()).isEqualTo(1);
    }
}
