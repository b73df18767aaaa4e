package io.sealmail.engine.smtp;

import io.netty.buffer.ByteBuf;
import io.sealmail.store.MailStore;
import io.sealmail.store.QueueId;
import io.sealmail.store.Spool;
import org.jboss.logging.Logger;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.Function;

/**
 * One message coming in through DATA (RFC 5321 §4.1.1.4) or BDAT chunks (RFC 3030): the spool, which starts with
 * our Received header; the content written as it streams, with the size bound enforced whatever SIZE declared
 * (RFC 1870 §6); and the verdict at the end of the content or of a chunk. The session keeps the command sequence
 * and the framing; this keeps the octets.
 */
final class MessageReception {
    private static final Logger LOG = Logger.getLogger(MessageReception.class);

    /** What the end of DATA content or of a BDAT chunk means for the message. */
    sealed interface End permits Refused, ChunkAccepted, Complete {
    }

    /** The whole message is refused with {@code reply}; {@code metricReason} labels the rejection counted. */
    record Refused(SmtpReply reply, String metricReason) implements End {
    }

    /** A BDAT chunk other than the last arrived whole (250 with its size); more chunks follow. */
    record ChunkAccepted(long size) implements End {
    }

    /** The message is complete: it goes to delivery. */
    record Complete() implements End {
    }

    /** BDAT's arguments, RFC 3030 §2: {@code BDAT chunk-size [LAST]}. */
    record Chunk(long size, boolean last) {
        /** The chunk {@code args} announce, or null when they are not "size [LAST]". */
        static Chunk parse(String args) {
            String[] parts = args.trim().split(" +");
            if (parts.length > 2 || !parts[0].matches("[0-9]{1,18}") || (parts.length == 2 && !parts[1].equalsIgnoreCase("LAST"))) {
                return null;
            }
            return new Chunk(Long.parseLong(parts[0]), parts.length == 2);
        }
    }

    private final String queueId;
    private final long receivedHeaderSize;
    private final long maxMessageSize;
    /** Null once discarded: refused, too big, or a write failed. */
    private Spool spool;
    private boolean tooBig;
    /** The BDAT chunk being received, null for DATA. */
    private Chunk chunk;

    private MessageReception(Spool spool, String queueId, long receivedHeaderSize, long maxMessageSize) {
        this.spool = spool;
        this.queueId = queueId;
        this.receivedHeaderSize = receivedHeaderSize;
        this.maxMessageSize = maxMessageSize;
    }

    /**
     * A new spool with our Received header in it.
     *
     * @param receivedHeader the Received header for the message's queue id
     * @throws Exception when the store cannot spool (the session answers 451)
     */
    static MessageReception open(MailStore store, long maxMessageSize, Function<String, String> receivedHeader) throws Exception {
        String id = QueueId.next();
        Spool spool = store.createSpool();
        try {
            byte[] header = receivedHeader.apply(id).getBytes(StandardCharsets.UTF_8);
            spool.write(ByteBuffer.wrap(header));
            return new MessageReception(spool, id, header.length, maxMessageSize);
        } catch (Exception | Error e) {
            spool.close();
            throw e;
        }
    }

    /** The message's id from DATA/BDAT on: Received header, 250 reply, log lines and outbound queue entry. */
    String queueId() {
        return queueId;
    }

    /** Octets of our own Received header: they do not count against the client's message size. */
    long receivedHeaderSize() {
        return receivedHeaderSize;
    }

    /** The spooled message, or null when it was discarded. */
    Spool spool() {
        return spool;
    }

    /** A BDAT chunk of this message follows. */
    void chunk(Chunk next) {
        chunk = next;
    }

    /** Appends content as it arrives; past the size bound nothing more is written and the message is refused at its end. */
    void write(ByteBuf content) {
        if (spool == null || tooBig) {
            return;
        }
        if (spool.size() + content.readableBytes() > maxMessageSize + receivedHeaderSize) {
            tooBig = true;
            discard();
            return;
        }
        try {
            for (ByteBuffer b : content.nioBuffers()) {
                spool.write(b);
            }
        } catch (Exception e) {
            LOG.errorf("cannot write to spool: %s", e.toString());
            discard();
        }
    }

    /**
     * The verdict at the end of DATA content or of a BDAT chunk: a breach of the text rules, the size bound or a
     * spool failure refuses the whole message.
     *
     * @param violation the text rule the content broke, or null
     */
    End end(SmtpFrame.ContentViolation violation) {
        if (violation != null) {
            SmtpReply reply = switch (violation) {
                case BARE_LF -> SmtpReplies.BARE_LF;
                case BARE_CR -> SmtpReplies.BARE_CR;
                case LINE_TOO_LONG -> SmtpReplies.TEXT_LINE_TOO_LONG;
            };
            return new Refused(reply, violation.name().toLowerCase(Locale.ROOT));
        }
        if (tooBig) {
            return new Refused(SmtpReplies.MESSAGE_TOO_BIG.withText("Error: message exceeds fixed limit of " + maxMessageSize + " octets"), "size");
        }
        if (spool == null) {
            return new Refused(SmtpReplies.LOCAL_ERROR, "store_failure");
        }
        if (chunk != null && !chunk.last()) {
            return new ChunkAccepted(chunk.size());
        }
        return new Complete();
    }

    /** Abandons the spooled content, if any. */
    void discard() {
        if (spool != null) {
            spool.close();
            spool = null;
        }
    }
}
