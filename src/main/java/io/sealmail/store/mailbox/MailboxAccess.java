package io.sealmail.store.mailbox;

import java.io.IOException;

/**
 * The narrow view of the mail store that IMAP and POP3 sessions are written against, so that a store is adapted
 * by one small class. Every method may block on disk: sessions call it off the event loop.
 */
public interface MailboxAccess {

    /** The mailboxes of one authenticated account; SPECIAL-USE folders (RFC 6154) exist from the first call. */
    Mailboxes forAccount(String account) throws IOException;
}
