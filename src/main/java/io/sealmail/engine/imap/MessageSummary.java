package io.sealmail.engine.imap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
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
record MessageSummary(ByteBuffer headerFields, ByteBuffer envelope, ByteBuffer bodyStructure, ByteBuffer body) {
    /**
     * Fields kept: what Thunderbird asks for to fill its message list (From To Cc Bcc Subject Date Message-ID
     * Priority X-Priority References Newsgroups In-Reply-To Content-Type Reply-To), and Sender for SEARCH.
     */
    static final Set<String> FIELDS = Set.of("FROM", "TO", "CC", "BCC", "SUBJECT", "DATE", "MESSAGE-ID", "PRIORITY",
            "X-PRIORITY", "REFERENCES", "NEWSGROUPS", "IN-REPLY-TO", "CONTENT-TYPE", "REPLY-TO", "SENDER");
    private static final byte VERSION = 1;

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
            folder.cache(uid, ByteBuffer.wrap(summary.encode()));
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
        return new MessageSummary(ByteBuffer.wrap(fields.toByteArray()), bytes(env), bytes(structure), bytes(body));
    }

    private static ResponseWriter writer() {
        return new ResponseWriter(UnpooledByteBufAllocator.DEFAULT, false);
    }

    private static ByteBuffer bytes(ResponseWriter w) {
        ByteBuf buf = w.buffer();
        try {
            return ByteBuffer.wrap(ByteBufUtil.getBytes(buf));
        } finally {
            buf.release();
        }
    }

    /** The header fields as a parsed header (no body), for the SEARCH keys {@link HeaderBlock} does not answer. */
    MimeStructure.Entity headers() {
        return MimeStructure.parse(HeaderBlock.bytes(headerFields));
    }

    byte[] encode() {
        ByteBuffer out = ByteBuffer.allocate(1 + 16 + headerFields.remaining() + envelope.remaining()
                + bodyStructure.remaining() + body.remaining());
        out.put(VERSION);
        for (ByteBuffer part : new ByteBuffer[] {headerFields, envelope, bodyStructure, body}) {
            out.putInt(part.remaining()).put(part.duplicate());
        }
        return out.array();
    }

    /**
     * The summary from a cache entry, or null when it is of another version or malformed. The parts are views of
     * the entry (no copies): a FETCH or SEARCH over a large folder allocates nothing per message beyond them.
     */
    static MessageSummary decode(ByteBuffer entry) {
        if (entry == null || entry.remaining() < 17 || entry.get(entry.position()) != VERSION) {
            return null;
        }
        ByteBuffer in = entry.duplicate();
        in.position(in.position() + 1);
        ByteBuffer[] parts = new ByteBuffer[4];
        for (int i = 0; i < 4; i++) {
            if (in.remaining() < 4) {
                return null;
            }
            int len = in.getInt();
            if (len < 0 || len > in.remaining()) {
                return null;
            }
            parts[i] = in.slice(in.position(), len);
            in.position(in.position() + len);
        }
        return new MessageSummary(parts[0], parts[1], parts[2], parts[3]);
    }
}
