package io.sealmail.engine.imap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.sealmail.store.mailbox.CacheEntryMaker;
import io.sealmail.store.mailbox.MailFolder;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What the store's message cache keeps for IMAP: the header fields clients list messages by (in their order and
 * exact bytes), and ENVELOPE, BODYSTRUCTURE and BODY as rendered. Made once from the message (on APPEND, on first
 * sight of a delivery, or on first use) so FETCH and SEARCH of these items never open the message file again.
 * ENVELOPE and BODYSTRUCTURE are rendered as for a client without UTF8=ACCEPT: 8-bit strings go out as literals,
 * which every client accepts.
 */
final class MessageSummary {
    /**
     * Fields kept: what Thunderbird asks for to fill its message list (From To Cc Bcc Subject Date Message-ID
     * Priority X-Priority References Newsgroups In-Reply-To Content-Type Reply-To), and Sender for SEARCH.
     */
    static final Set<String> FIELDS = Set.of("FROM", "TO", "CC", "BCC", "SUBJECT", "DATE", "MESSAGE-ID", "PRIORITY",
            "X-PRIORITY", "REFERENCES", "NEWSGROUPS", "IN-REPLY-TO", "CONTENT-TYPE", "REPLY-TO", "SENDER");
    /** 2: the PREVIEW text added; entries of version 1 are made again from the message when next used. */
    private static final byte VERSION = 2;
    private static final int PARTS = 5;

    /** How the store makes an entry for a message in hand (APPEND, a delivery just seen); null when it cannot. */
    static final CacheEntryMaker CACHE_ENTRIES = message -> {
        try {
            return of(message).encoded();
        } catch (RuntimeException e) {
            return null; // made on first use, or never
        }
    };

    /** The encoded summary: a version octet, then each part as {@code [int length][octets]}. */
    private final ByteBuffer entry;
    /** Where each part starts in {@link #entry} and its length, in pairs: header fields, ENVELOPE, BODYSTRUCTURE, BODY, PREVIEW. */
    private final int[] parts;

    private MessageSummary(ByteBuffer entry, int[] parts) {
        this.entry = entry;
        this.parts = parts;
    }

    private ByteBuffer part(int i) {
        return entry.slice(parts[2 * i], parts[2 * i + 1]);
    }

    ByteBuffer headerFields() {
        return part(0);
    }

    ByteBuffer envelope() {
        return part(1);
    }

    ByteBuffer bodyStructure() {
        return part(2);
    }

    ByteBuffer body() {
        return part(3);
    }

    /** RFC 8970 PREVIEW text, UTF-8 ({@link Preview}). */
    String preview() {
        return StandardCharsets.UTF_8.decode(part(4)).toString();
    }

    static boolean covers(List<String> upperCaseFields) {
        return FIELDS.containsAll(upperCaseFields);
    }

    static boolean covers(String field) {
        return FIELDS.contains(field.toUpperCase(Locale.ROOT));
    }

    /** The summary of a message from the folder's cache, made (and kept) from the message file when missing. */
    static MessageSummary of(MailFolder folder, long uid) throws IOException {
        MessageSummary summary = decode(folder.cached(uid));
        if (summary == null) {
            summary = of(folder.read(uid));
            folder.cache(uid, summary.encoded());
        }
        return summary;
    }

    static MessageSummary of(byte[] message) {
        return of(message, MimeStructure.parse(message));
    }

    static MessageSummary of(byte[] message, MimeStructure.Entity root) {
        ByteArrayOutputStream fields = new ByteArrayOutputStream();
        for (MimeStructure.HeaderField f : root.fields) {
            if (FIELDS.contains(f.name().toUpperCase(Locale.ROOT))) {
                fields.write(message, f.start(), f.end() - f.start());
            }
        }
        ResponseWriter env = writer();
        MessageStructureWriter.envelope(env, root);
        ResponseWriter structure = writer();
        MessageStructureWriter.bodyStructure(structure, message, root, true);
        ResponseWriter body = writer();
        MessageStructureWriter.bodyStructure(body, message, root, false);
        byte[] preview = Preview.of(message, root).getBytes(StandardCharsets.UTF_8);
        return decode(ByteBuffer.wrap(encode(fields.toByteArray(), bytes(env), bytes(structure), bytes(body), preview)));
    }

    private static ResponseWriter writer() {
        return new ResponseWriter(UnpooledByteBufAllocator.DEFAULT, false);
    }

    private static byte[] bytes(ResponseWriter w) {
        ByteBuf buf = w.buffer();
        try {
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    /** The header fields as a parsed header (no body), for the SEARCH keys {@link HeaderBlock} does not answer. */
    MimeStructure.Entity headers() {
        return MimeStructure.parse(HeaderBlock.bytes(headerFields()));
    }

    /** The cache entry: the octets this summary was read from or made into. */
    ByteBuffer encoded() {
        return entry.duplicate();
    }

    private static byte[] encode(byte[]... parts) {
        int size = 1;
        for (byte[] part : parts) {
            size += 4 + part.length;
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put(VERSION);
        for (byte[] part : parts) {
            out.putInt(part.length).put(part);
        }
        return out.array();
    }

    /**
     * The summary from a cache entry, or null when it is of another version or malformed. The parts are views of
     * the entry (no copies): a FETCH or SEARCH over a large folder allocates nothing per message beyond them.
     */
    static MessageSummary decode(ByteBuffer entry) {
        if (entry == null) {
            return null;
        }
        ByteBuffer in = entry.slice();
        if (in.remaining() < 1 + 4 * PARTS || in.get(0) != VERSION) {
            return null;
        }
        int[] parts = new int[2 * PARTS];
        int pos = 1;
        for (int i = 0; i < PARTS; i++) {
            if (in.limit() - pos < 4) {
                return null;
            }
            int len = in.getInt(pos);
            pos += 4;
            if (len < 0 || len > in.limit() - pos) {
                return null;
            }
            parts[2 * i] = pos;
            parts[2 * i + 1] = len;
            pos += len;
        }
        return new MessageSummary(in, parts);
    }
}
