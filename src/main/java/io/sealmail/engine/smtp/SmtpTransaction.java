package io.sealmail.engine.smtp;

import io.sealmail.store.Spool;

import java.util.ArrayList;
import java.util.List;

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
    Spool spool;
    boolean tooBig;
    boolean bdat;
    /** Set when a BDAT chunk arrives that the session refused; the chunk is consumed and this is the reply. */
    SmtpReply chunkRefusal;
    long chunkSize;
    boolean lastChunk;

    SmtpTransaction(MailAddress sender, boolean smtputf8) {
        this.sender = sender;
        this.smtputf8 = smtputf8;
    }

    String returnPath() {
        return sender == null ? "" : sender.toString();
    }

    /** Abandons the spooled content, if any. */
    void discard() {
        if (spool != null) {
            spool.close();
            spool = null;
        }
    }
}
