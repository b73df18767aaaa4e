package io.sealmail.store.mailbox;

import java.nio.ByteBuffer;

/**
 * Makes the cache entry a store keeps per message ({@link MailFolder#cached}) from the message in hand. What an entry
 * holds is the protocol's business (IMAP keeps its rendered ENVELOPE, BODYSTRUCTURE and list header fields), so the
 * protocol hands the store this function and the store never parses MIME or renders a response itself. A store
 * calls it when a message passes through it anyway (APPEND, a delivery it has just seen) so the first FETCH does
 * not open the file again.
 */
@FunctionalInterface
public interface CacheEntryMaker {
    /** Makes no entries: they are made on first use through {@link MailFolder#cache}. */
    CacheEntryMaker NONE = message -> null;

    /** The entry for {@code message} (CRLF lines, as stored), or null when none can be made. Must not throw. */
    ByteBuffer entryOf(byte[] message);
}
