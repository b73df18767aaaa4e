package io.sealmail.engine.imap;

import io.sealmail.store.mailbox.MailFolder;
import io.sealmail.store.mailbox.Mailboxes;
import java.io.IOException;

/**
 * QUOTA (RFC 9208) for the limits the store enforces per account across its folders: octets
 * ({@code limits.quotaPerAccount}), resource STORAGE in units of 1,024 octets, and messages
 * ({@code limits.quotaMessagesPerAccount}), resource MESSAGE (§5.2), under one quota root named {@code ""} that every
 * folder of the account shares. A resource without a limit is not listed; without any limit there is no root
 * (RFC 9208 §4.1.2: QUOTAROOT lists none). The limits come from the configuration, so SETQUOTA is refused (no
 * QUOTASET capability).
 */
final class QuotaCommands {
    static final String ROOT = "";

    private QuotaCommands() {
    }

    /** GETQUOTAROOT mailbox: the folder must exist (RFC 9208 §4.1.2). */
    static void getQuotaRoot(ImapSession s, ImapRequest r) throws IOException {
        String name = MailboxCommands.mailbox(s, r);
        r.args().end();
        try (MailFolder folder = s.mailboxes().open(name)) {
            Mailboxes.Quota quota = s.mailboxes().quota();
            ResponseWriter w = s.response().raw("* QUOTAROOT ").string(MailboxName.encode(folder.name(), s.utf8()));
            if (quota.limited()) {
                w.raw(" ").string(ROOT);
            }
            s.write(w.crlf().buffer());
            if (quota.limited()) {
                s.untagged(quotaResponse(quota));
            }
        }
        s.ok(r, "GETQUOTAROOT completed");
    }

    /** GETQUOTA root: only {@code ""}, and only while there is a limit. */
    static void getQuota(ImapSession s, ImapRequest r) throws IOException {
        String root = r.args().astring("quota root");
        r.args().end();
        Mailboxes.Quota quota = s.mailboxes().quota();
        if (!root.equals(ROOT) || !quota.limited()) {
            s.no(r, "[NONEXISTENT] No such quota root");
            return;
        }
        s.untagged(quotaResponse(quota));
        s.ok(r, "GETQUOTA completed");
    }

    /** RFC 9208 §4.1.3: without QUOTASET a client may not change limits; here the MailServer sets them. */
    static void setQuota(ImapSession s, ImapRequest r) throws IOException {
        s.no(r, "[NOPERM] The quota is set by the server's configuration (limits.quotaPerAccount, quotaMessagesPerAccount)");
    }

    private static String quotaResponse(Mailboxes.Quota quota) {
        StringBuilder resources = new StringBuilder();
        if (quota.limitOctets() > 0) {
            // Used rounds up, the limit down: a client never sees room the store would refuse.
            resources.append("STORAGE ").append(kib(quota.usedOctets())).append(' ').append(quota.limitOctets() / 1024);
        }
        if (quota.limitMessages() > 0) {
            resources.append(resources.isEmpty() ? "" : " ")
                    .append("MESSAGE ").append(quota.usedMessages()).append(' ').append(quota.limitMessages());
        }
        return "QUOTA \"\" (" + resources + ")";
    }

    /** Octets in STORAGE units, rounded up. */
    static long kib(long octets) {
        return (octets + 1023) / 1024;
    }
}
