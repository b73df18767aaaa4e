package io.sealmail.engine.smtp;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** One mail transaction (RFC 5321 §3.3): from MAIL to the end of DATA or BDAT LAST, or RSET. */
final class SmtpTransaction {

    /** @param account the local account receiving the copy, or null for a remote recipient (outbound queue) */
    record Recipient(MailAddress address, String account) {
    }

    /** Null for the null reverse-path {@code <>}. */
    final MailAddress sender;
    final boolean smtputf8;
    final List<Recipient> recipients = new ArrayList<>();
    int recipientAttempts;
    /** The message's content from DATA or the first BDAT on; null before. */
    MessageReception reception;

    SmtpTransaction(MailAddress sender, boolean smtputf8) {
        this.sender = sender;
        this.smtputf8 = smtputf8;
    }

    String returnPath() {
        return sender == null ? "" : sender.toString();
    }

    /** Local accounts receiving a copy, each once (two addresses of one account are an alias), in RCPT order. */
    List<String> localAccounts() {
        return recipients.stream().map(Recipient::account).filter(Objects::nonNull).distinct().toList();
    }

    /** Other domains' recipients (authenticated submission only), for the outbound queue. */
    List<String> remoteRecipients() {
        return recipients.stream().filter(r -> r.account() == null).map(r -> r.address().toString()).toList();
    }

    /** Abandons the spooled content, if any. */
    void discard() {
        if (reception != null) {
            reception.discard();
        }
    }
}
