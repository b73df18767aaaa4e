package io.sealmail.engine.smtp;

import io.sealmail.config.Role;
import io.sealmail.store.MailStore;
import io.sealmail.store.QuotaExceededException;
import io.sealmail.store.Spool;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Who may receive mail, as a table: role, authenticated or not, the RCPT argument, SMTPUTF8; the decision and the
 * reply. Never an open relay: another domain only for an authenticated submission, routing tricks never.
 */
class RecipientPolicyTest {
    private static final TestAccounts ACCOUNTS = new TestAccounts(List.of("example.com"))
            .user("joe@example.com", "pw").user("full@example.com", "pw").alias("info@example.com", "joe@example.com");

    /** A store where full@example.com has no room left. */
    private static final MailStore STORE = new MailStore() {
        @Override
        public Spool createSpool() {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<Void> deliver(Spool message, String returnPath, List<String> accounts) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void checkQuota(String account, long size) {
            if (account.equals("full@example.com")) {
                throw new QuotaExceededException(account, 100, 100, size);
            }
        }

        @Override
        public void close() {
        }
    };

    private final RecipientPolicy policy = new RecipientPolicy(ACCOUNTS, STORE);

    @ParameterizedTest(name = "{0} {1} RCPT {2} smtputf8={3} -> {4}")
    @CsvSource(delimiter = '|', value = {
            // role       | account          | argument                     | utf8  | expected
            "SMTP         |                  | TO:<joe@example.com>         | false | accept joe@example.com",
            "SMTP         |                  | TO:<JOE@Example.COM>         | false | accept joe@example.com",
            "SMTP         |                  | TO:<info@example.com>        | false | accept joe@example.com",
            "SMTP         |                  | TO:<nobody@example.com>      | false | 550 5.1.1 unknown_user",
            "SMTP         |                  | TO:<full@example.com>        | false | 552 5.2.2 mailbox_full",
            "SMTP         |                  | TO:<a@elsewhere.org>         | false | 554 5.7.1 relay",
            "SMTP         | joe@example.com  | TO:<a@elsewhere.org>         | false | 554 5.7.1 relay",
            "SUBMISSION   |                  | TO:<a@elsewhere.org>         | false | 554 5.7.1 relay",
            "SUBMISSION   | joe@example.com  | TO:<a@elsewhere.org>         | false | accept remote",
            "SMTPS        | joe@example.com  | TO:<a@elsewhere.org>         | false | accept remote",
            "SUBMISSION   | joe@example.com  | TO:<@relay.org:a@elsewhere.org> | false | 554 5.7.1 routing_source_route",
            "SMTP         |                  | TO:<a%elsewhere.org@example.com> | false | 554 5.7.1 routing_percent_hack",
            "SUBMISSION   | joe@example.com  | TO:<elsewhere.org!a@example.com> | false | 554 5.7.1 routing_bang_path",
            "SMTP         |                  | TO:<jöe@example.com>         | false | 553 5.6.7 -",
    })
    void decides(Role role, String account, String argument, boolean smtputf8, String expected) throws Exception {
        RecipientPolicy.Decision d = policy.decide(EnvelopeParser.parse(argument, "TO"), smtputf8, role, account);
        if (d instanceof RecipientPolicy.Accept accept) {
            String who = accept.recipient().account() == null ? "remote" : accept.recipient().account();
            assertThat("accept " + who).isEqualTo(expected);
        } else {
            RecipientPolicy.Refuse refuse = (RecipientPolicy.Refuse) d;
            String reason = refuse.metricReason() == null ? "-" : refuse.metricReason();
            assertThat(refuse.reply().code() + " " + refuse.reply().status() + " " + reason).isEqualTo(expected);
        }
    }
}
