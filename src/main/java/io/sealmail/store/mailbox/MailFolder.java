package io.sealmail.store.mailbox;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * An open folder. {@link #messages()} is the current state and must be cheap (from an index, never by opening
 * every message file); sessions keep their own numbering and derive EXISTS/EXPUNGE/FETCH updates from it.
 */
public interface MailFolder extends AutoCloseable {

    String name();

    /**
     * Something a protocol derives from this folder's messages and keeps for every session that opens the folder: IMAP
     * keeps its SORT and THREAD keys here, since a message never changes and what one session parsed serves the next
     * (a webmail opens a session per page view). {@code keepOrMake} gets what is kept (null when nothing is) and
     * returns what to keep from now on; it runs while other callers wait, so it must be quick. The store may drop
     * what it keeps when memory runs short (a caller holds its own reference while it uses it), and drops it with
     * the folder. What is kept is used by several sessions at once. A store that keeps nothing makes one per call.
     */
    default <T> T shared(Class<T> type, UnaryOperator<T> keepOrMake) {
        return keepOrMake.apply(null);
    }

    long uidValidity();

    long uidNext() throws IOException;

    /**
     * Current messages in ascending UID order. Sessions keep the returned list as their view (until something
     * changes), so a store must never modify a list it returned; returning the same instance while nothing changed
     * lets sessions skip their update check.
     */
    List<MessageInfo> messages() throws IOException;

    /**
     * The distinct flag sets the messages carry (for the keywords SELECT lists in FLAGS); messages share their sets,
     * so this is each set once, not each message's. A store may answer without making a message's entry.
     */
    default Collection<Set<String>> flagSets() throws IOException {
        Set<Set<String>> sets = Collections.newSetFromMap(new IdentityHashMap<>());
        for (MessageInfo m : messages()) {
            sets.add(m.flags());
        }
        return sets;
    }

    /** The message exactly as stored (CRLF lines). @throws MailboxException NONEXISTENT if it was expunged */
    byte[] read(long uid) throws IOException;

    /**
     * The message as {@link #read} returns it, in a buffer from {@code alloc} that the caller releases. A store
     * reading files reads straight into it (no copy through a byte array), which is what a FETCH of whole bodies
     * and POP3 RETR spend most of their time on.
     */
    default ByteBuf read(long uid, ByteBufAllocator alloc) throws IOException {
        return Unpooled.wrappedBuffer(read(uid));
    }

    /** Replaces, adds or removes flags on each UID still present; returns the new flags of those changed. */
    void store(Collection<Long> uids, FlagChange change, Set<String> flags) throws IOException;

    /**
     * STORE with UNCHANGEDSINCE (RFC 7162 §3.1.3): changes only the messages whose MODSEQ is at most
     * {@code unchangedSince}, atomically with the check; returns the UIDs left alone because they changed later.
     */
    default List<Long> store(Collection<Long> uids, FlagChange change, Set<String> flags, long unchangedSince) throws IOException {
        store(uids, change, flags);
        return List.of();
    }

    /**
     * When a message was saved into this folder (RFC 8514 SAVEDATE: by delivery, APPEND, COPY or MOVE, never changed
     * while it stays); null when the store keeps no save dates or the message is gone.
     */
    default Instant saveDate(long uid) {
        return null;
    }

    /** Whether this folder's store keeps save dates (RFC 8514 SAVEDATESUPPORTED). */
    default boolean saveDates() {
        return false;
    }

    /** The folder's HIGHESTMODSEQ (RFC 7162); 0 when the store keeps no modification sequences. */
    default long highestModseq() throws IOException {
        return 0;
    }

    /**
     * UIDs expunged after {@code modseq}, ascending, for QRESYNC; null when the store does not know (the caller
     * then treats every UID it cannot find as expunged).
     */
    default List<Long> expungedSince(long modseq) throws IOException {
        return null;
    }

    /**
     * The cache entry kept for a message (see {@link MessageSummary}), or null: a read-only view that stays valid
     * while the caller holds it, so a FETCH or SEARCH over many messages copies nothing.
     */
    default ByteBuffer cached(long uid) throws IOException {
        return null;
    }

    /** Keeps a cache entry for a message still present; the store may drop it at any time. */
    default void cache(long uid, ByteBuffer entry) throws IOException {
    }

    /** Copies in the given order. @throws MailboxException TRYCREATE if the target does not exist, OVERQUOTA */
    CopyResult copy(List<Long> uids, String target) throws IOException;

    /** Copies then removes atomically as far as clients can see (RFC 6851). */
    CopyResult move(List<Long> uids, String target) throws IOException;

    /** Removes these messages for good; returns the UIDs actually removed, ascending. */
    List<Long> expunge(Collection<Long> uids) throws IOException;

    /** Called (on any thread) after any change by any session or by delivery. */
    AutoCloseable onChange(Runnable listener);

    @Override
    void close();

    enum FlagChange { REPLACE, ADD, REMOVE }

    /** @param modseq the message's MODSEQ (RFC 7162), 0 when the store keeps none */
    record MessageInfo(long uid, Set<String> flags, long size, Instant internalDate, long modseq) {
        public MessageInfo(long uid, Set<String> flags, long size, Instant internalDate) {
            this(uid, flags, size, internalDate, 0);
        }
    }

    /** @param sourceUids the UIDs copied, in order; @param targetUids their new UIDs, same order (RFC 4315 COPYUID) */
    record CopyResult(long targetUidValidity, List<Long> sourceUids, List<Long> targetUids) {
    }
}
