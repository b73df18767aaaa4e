package io.sealmail.engine.smtp;

import io.sealmail.config.Role;
import io.sealmail.engine.auth.AccountDirectory;
import io.sealmail.store.MailStore;
import io.sealmail.store.QuotaExceededException;

import java.util.Locale;
import java.util.Optional;

/**
 * Who may receive mail through this session (RFC 5321 §3.6, never an open relay): a local domain's existing
 * recipient (resolved through aliases; refused at RCPT when the mailbox is already full, so the other recipients
 * still get the message); any other domain only for an authenticated user on a submission port; routing tricks
 * (source routes, percent hack, bang paths, double @, quoted routing) never, on any port.
 */
final class RecipientPolicy {
    /** The RCPT is accepted; {@code recipient} joins the transaction. */
    record Accept(SmtpTransaction.Recipient recipient) implements Decision {
    }

    /** The RCPT is refused with {@code reply}; {@code metricReason} is the label counted, or null when not counted. */
    record Refuse(SmtpReply reply, String metricReason) implements Decision {
    }

    sealed interface Decision permits Accept, Refuse {
    }

    private final AccountDirectory accounts;
    private final MailStore store;

    RecipientPolicy(AccountDirectory accounts, MailStore store) {
        this.accounts = accounts;
        this.store = store;
    }

    /**
     * @param parsed   the RCPT's address (not null) and routing trick
     * @param smtputf8 the transaction announced SMTPUTF8
     * @param role     the listener's role
     * @param account  the authenticated account, or null
     */
    Decision decide(EnvelopeParser.Parsed parsed, boolean smtputf8, Role role, String account) {
        MailAddress address = parsed.address();
        if (parsed.trick() != null) {
            return new Refuse(SmtpReplies.RELAY_DENIED.withText("<" + address + ">: Relay access denied"),
                    "routing_" + parsed.trick().name().toLowerCase(Locale.ROOT));
        }
        if (!address.isAscii() && !smtputf8) {
            return new Refuse(SmtpReplies.UTF8_NEEDS_SMTPUTF8, null);
        }
        if (accounts.isLocalDomain(address.domain())) {
            Optional<String> local = accounts.resolveRecipient(address.lookupKey());
            if (local.isEmpty()) {
                return new Refuse(SmtpReplies.UNKNOWN_USER.withText(
                        "<" + address + ">: Recipient address rejected: User unknown in local recipient table"), "unknown_user");
            }
            try {
                store.checkQuota(local.get(), 1);
            } catch (QuotaExceededException full) {
                return new Refuse(SmtpReplies.MAILBOX_FULL.withText("<" + address + ">: Mailbox full"), "mailbox_full");
            }
            return new Accept(new SmtpTransaction.Recipient(address, local.get()));
        }
        if (account != null && (role == Role.SUBMISSION || role == Role.SMTPS)) {
            return new Accept(new SmtpTransaction.Recipient(address, null));
        }
        return new Refuse(SmtpReplies.RELAY_DENIED.withText("<" + address + ">: Relay access denied"), "relay");
    }
}
