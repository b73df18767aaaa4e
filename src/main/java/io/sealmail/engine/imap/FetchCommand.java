package io.sealmail.engine.imap;

import io.netty.buffer.ByteBuf;
import io.sealmail.store.mailbox.MailFolder.MessageInfo;
import io.sealmail.store.mailbox.MailFolder;
import io.sealmail.store.mailbox.MailboxException;
import org.apache.james.mime4j.codec.QuotedPrintableInputStream;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** FETCH and UID FETCH (RFC 9051 §6.4.5, BINARY RFC 3516). Message files are read only when an item needs them. */
final class FetchCommand {
    static final DateTimeFormatter INTERNALDATE = DateTimeFormatter.ofPattern("dd-MMM-yyyy HH:mm:ss Z", Locale.ENGLISH)
            .withZone(ZoneOffset.UTC);

    /** Octets of responses gathered before they are handed to the channel. */
    private static final int BATCH = 64 * 1024;

    private FetchCommand() {
    }

    static void fetch(ImapSession s, ImapRequest r) throws IOException {
        ImapArg setArg = r.args().peek();
        List<Integer> seqs = StoreCommands.messages(s, r);
        List<FetchItem> items = new ArrayList<>();
        ImapArg arg = r.args().next("fetch items");
        if (arg instanceof ImapArg.ListArg list) {
            List<ImapArg> given = list.items();
            for (int i = 0; i < given.size(); i++) {
                if (!(given.get(i) instanceof ImapArg.Atom atom)) {
                    throw r.args().bad("Invalid FETCH item");
                }
                items.addAll(FetchItem.parse(atom.value(), r.args()));
                if (atom.upper().equals("PREVIEW") && i + 1 < given.size() && given.get(i + 1) instanceof ImapArg.ListArg mods) {
                    previewModifiers(mods, r);
                    i++;
                }
            }
        } else if (arg instanceof ImapArg.Atom atom) {
            items.addAll(FetchItem.parse(atom.value(), r.args()));
        } else {
            throw r.args().bad("Invalid FETCH items");
        }
        CondStore.FetchModifiers modifiers = CondStore.FetchModifiers.parse(s, r, r.args().optionalList());
        r.args().end();
        boolean uidCommand = StoreCommands.isUid(r);
        if (items.stream().anyMatch(i -> i.kind() == FetchItem.Kind.MODSEQ)) {
            CondStore.enable(s);
        } else if (modifiers.changedSince() >= 0) {
            // RFC 7162 §3.1.4.1: CHANGEDSINCE implies MODSEQ in the response.
            items.add(FetchItem.simple(FetchItem.Kind.MODSEQ));
        }
        if (uidCommand && items.stream().noneMatch(i -> i.kind() == FetchItem.Kind.UID)) {
            // RFC 9051 §6.4.9: UID FETCH always returns the UID.
            items.add(0, FetchItem.simple(FetchItem.Kind.UID));
        }
        boolean needsContent = items.stream().anyMatch(FetchItem::needsContent);
        boolean needsStructure = items.stream().anyMatch(FetchItem::needsStructure);
        // ENVELOPE, BODYSTRUCTURE, listed header fields: from the store's cache, no message file opened.
        boolean fromSummary = needsContent && items.stream().filter(FetchItem::needsContent).allMatch(FetchItem::inSummary);
        // BODY[], BODY.PEEK[], RFC822 without a partial: the file goes out as stored, read straight into a buffer.
        boolean asStored = needsContent && items.stream().filter(FetchItem::needsContent)
                .allMatch(i -> i.wholeMessage() && i.offset() < 0);
        boolean setsSeen = items.stream().anyMatch(i -> !i.peek() && (i.kind() == FetchItem.Kind.SECTION || i.kind() == FetchItem.Kind.BINARY));
        SelectedMailbox box = s.selected();
        if (setsSeen && !box.readOnly) {
            List<Long> unseen = new ArrayList<>();
            for (int seq : seqs) {
                if (!box.get(seq).flags().contains("\\Seen")) {
                    unseen.add(box.get(seq).uid());
                }
            }
            if (!unseen.isEmpty()) {
                box.folder.store(unseen, MailFolder.FlagChange.ADD, Set.of("\\Seen"));
                Set<Long> marked = new HashSet<>(unseen);
                for (MessageInfo m : box.folder.messages()) {
                    int seq = box.seqOf(m.uid());
                    if (seq > 0 && marked.contains(m.uid())) {
                        box.update(seq, m);
                    }
                }
                if (items.stream().noneMatch(i -> i.kind() == FetchItem.Kind.FLAGS)) {
                    items.add(FetchItem.simple(FetchItem.Kind.FLAGS));
                }
                if (CondStore.on(s) && items.stream().noneMatch(i -> i.kind() == FetchItem.Kind.MODSEQ)) {
                    items.add(FetchItem.simple(FetchItem.Kind.MODSEQ));
                }
            }
        }
        // Responses are gathered into buffers of about BATCH octets: one write (and one TLS record run) per batch,
        // not per message, which is what makes FETCH 1:* of a large folder cheap.
        if (modifiers.vanished()) {
            // RFC 7162 §3.2.6: the UIDs of the set expunged since CHANGEDSINCE, before the FETCH responses.
            SequenceSet set = SequenceSet.parseOrSaved(ImapArg.stringValue(setArg), r.args().limits().maxSequenceRanges());
            List<Long> gone = CondStore.vanished(box, modifiers.changedSince(), set.isSaved() ? box.saved() : set);
            if (!gone.isEmpty()) {
                s.untagged("VANISHED (EARLIER) " + SequenceSet.format(gone));
            }
        }
        ResponseWriter w = s.response();
        boolean expungeIssued = false;
        for (int seq : seqs) {
            MessageInfo m = box.get(seq);
            if (m.modseq() <= modifiers.changedSince()) {
                continue;
            }
            byte[] content = null;
            ByteBuf stored = null;
            MimeStructure.Entity root = null;
            MessageSummary summary = null;
            try {
                if (fromSummary) {
                    summary = MessageSummary.of(box.folder, m.uid());
                } else if (asStored) {
                    stored = box.folder.read(m.uid(), s.channelContext().alloc());
                } else if (needsContent) {
                    content = box.folder.read(m.uid());
                    if (needsStructure) {
                        root = MimeStructure.parse(content);
                    }
                }
            } catch (MailboxException gone) {
                // Expunged by another session and not yet reported (RFC 9051 §7.5.1): skip it, and say so in the
                // tagged reply (RFC 5530 EXPUNGEISSUED), as Dovecot does.
                expungeIssued = true;
                continue;
            }
            w.raw("* ").raw(Integer.toString(seq)).raw(" FETCH (");
            boolean first = true;
            for (FetchItem item : items) {
                if (!first) {
                    w.sp();
                }
                first = false;
                if (stored != null && item.needsContent()) {
                    w.raw(item.label()).sp().literal(stored.retainedDuplicate());
                } else {
                    render(w, item, m, content, root, summary, box.folder);
                }
            }
            if (stored != null) {
                stored.release();
            }
            w.raw(')').crlf();
            if (w.size() >= BATCH) {
                s.write(w.buffer());
                w = s.response();
            }
        }
        if (w.size() > 0) {
            s.write(w.buffer());
        } else {
            w.buffer().release();
        }
        if (expungeIssued) {
            s.no(r, "[EXPUNGEISSUED] Some of the requested messages no longer exist");
            return;
        }
        s.ok(r, r.name() + " completed");
    }

    /**
     * RFC 8970 §3.1: {@code PREVIEW (LAZY)} lets the server answer NIL when the preview is not at hand. Here it is
     * always at hand (made with the cache entry, or from the file being read anyway), so LAZY changes nothing;
     * any other modifier is BAD.
     */
    private static void previewModifiers(ImapArg.ListArg mods, ImapRequest r) {
        for (ImapArg m : mods.items()) {
            if (!(m instanceof ImapArg.Atom a) || !a.upper().equals("LAZY")) {
                throw r.args().bad("Unknown PREVIEW modifier " + ImapArg.stringValue(m) + " (LAZY)");
            }
        }
    }

    /** @param summary the cached summary when the items come from it (content and root are then null) */
    private static void render(ResponseWriter w, FetchItem item, MessageInfo m, byte[] content, MimeStructure.Entity root,
                               MessageSummary summary, MailFolder folder) throws MailboxException {
        if (summary != null && item.needsContent()) {
            w.raw(item.label()).sp();
            switch (item.kind()) {
                case ENVELOPE -> w.raw(summary.envelope());
                case BODYSTRUCTURE -> w.raw(summary.bodyStructure());
                case BODY -> w.raw(summary.body());
                case PREVIEW -> w.string(summary.preview());
                default -> {
                    if (item.offset() < 0) {
                        // HEADER.FIELDS copied from the cached octets straight into the response.
                        ByteBuffer fields = summary.headerFields();
                        w.literal(HeaderBlock.fields(fields, item.fields(), null), out -> HeaderBlock.fields(fields, item.fields(), out));
                    } else {
                        byte[] block = HeaderBlock.bytes(summary.headerFields());
                        partial(w, section(block, MimeStructure.parse(block), item), item, false);
                    }
                }
            }
            return;
        }
        switch (item.kind()) {
            case FLAGS -> w.raw("FLAGS ").raw(SelectedMailbox.flagList(m.flags()));
            case UID -> w.raw("UID ").raw(Long.toString(m.uid()));
            case MODSEQ -> w.raw(CondStore.item(m));
            case INTERNALDATE -> w.raw("INTERNALDATE \"").raw(INTERNALDATE.format(m.internalDate())).raw('"');
            case SAVEDATE -> {
                // RFC 8514 §4.2: NIL where the store keeps no save dates.
                java.time.Instant saved = folder.saveDate(m.uid());
                w.raw("SAVEDATE ").raw(saved == null ? "NIL" : "\"" + INTERNALDATE.format(saved) + "\"");
            }
            case RFC822_SIZE -> w.raw("RFC822.SIZE ").raw(Long.toString(m.size()));
            case ENVELOPE -> {
                w.raw("ENVELOPE ");
                MessageStructureWriter.envelope(w, root);
            }
            case PREVIEW -> w.raw("PREVIEW ").string(Preview.of(content, root));
            case BODYSTRUCTURE, BODY -> {
                w.raw(item.kind() == FetchItem.Kind.BODY ? "BODY " : "BODYSTRUCTURE ");
                MessageStructureWriter.bodyStructure(w, content, root, item.kind() == FetchItem.Kind.BODYSTRUCTURE);
            }
            case SECTION -> {
                byte[] section = section(content, root, item);
                w.raw(item.label()).sp();
                partial(w, section, item, false);
            }
            case BINARY -> {
                byte[] decoded = decoded(content, root, item);
                w.raw(item.label()).sp();
                if (decoded == null) {
                    w.nil();
                } else {
                    partial(w, decoded, item, true);
                }
            }
            case BINARY_SIZE -> {
                byte[] decoded = decoded(content, root, item);
                w.raw(item.label()).sp().raw(Integer.toString(decoded == null ? 0 : decoded.length));
            }
        }
    }

    private static void partial(ResponseWriter w, byte[] bytes, FetchItem item, boolean binary) {
        int from = 0;
        int len = bytes.length;
        if (item.offset() >= 0) {
            from = (int) Math.min(item.offset(), bytes.length);
            len = (int) Math.min(item.length(), bytes.length - from);
        }
        boolean hasNul = false;
        for (int i = from; binary && i < from + len; i++) {
            if (bytes[i] == 0) {
                hasNul = true;
                break;
            }
        }
        if (hasNul) {
            byte[] copy = new byte[len];
            System.arraycopy(bytes, from, copy, 0, len);
            w.binaryLiteral(copy);
        } else {
            w.literal(bytes, from, len);
        }
    }

    /** The entity a part number path names, or null if there is no such part. */
    static MimeStructure.Entity part(MimeStructure.Entity root, List<Integer> path) {
        MimeStructure.Entity e = root;
        for (int n : path) {
            e = child(e, n);
            if (e == null) {
                return null;
            }
        }
        return e;
    }

    private static MimeStructure.Entity child(MimeStructure.Entity e, int n) {
        if (e.isMessage() && e.message != null && e != null) {
            return child(e.message, n);
        }
        if (e.isMultipart()) {
            return n <= e.children.size() ? e.children.get(n - 1) : null;
        }
        return n == 1 ? e : null;
    }

    static byte[] section(byte[] content, MimeStructure.Entity root, FetchItem item) {
        if (item.wholeMessage()) {
            return content;
        }
        MimeStructure.Entity e = part(root, item.part());
        if (e == null) {
            return new byte[0];
        }
        String text = item.text();
        if (text.isEmpty()) {
            return item.part().isEmpty() ? content : slice(content, e.bodyStart, e.end);
        }
        if (text.equals("MIME")) {
            return slice(content, e.start, e.bodyStart);
        }
        // HEADER, TEXT, HEADER.FIELDS of a part apply to the message inside a message/rfc822 part.
        MimeStructure.Entity msg = item.part().isEmpty() ? root : (e.isMessage() && e.message != null ? e.message : null);
        if (msg == null) {
            return new byte[0];
        }
        switch (text) {
            case "HEADER":
                return slice(content, msg.start, msg.bodyStart);
            case "TEXT":
                return slice(content, msg.bodyStart, msg.end);
            default:
                boolean not = text.equals("HEADER.FIELDS.NOT");
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                for (MimeStructure.HeaderField f : msg.fields) {
                    boolean listed = item.fields().contains(f.name().toUpperCase(Locale.ROOT));
                    if (listed != not) {
                        out.write(content, f.start(), f.end() - f.start());
                    }
                }
                out.write('\r');
                out.write('\n');
                return out.toByteArray();
        }
    }

    private static byte[] slice(byte[] content, int from, int to) {
        byte[] out = new byte[Math.max(0, to - from)];
        System.arraycopy(content, from, out, 0, out.length);
        return out;
    }

    /** BINARY: the part's body with its Content-Transfer-Encoding undone (RFC 3516 §4.2). */
    private static byte[] decoded(byte[] content, MimeStructure.Entity root, FetchItem item) throws MailboxException {
        MimeStructure.Entity e = part(root, item.part());
        if (e == null) {
            return null;
        }
        byte[] body = item.part().isEmpty() ? slice(content, root.bodyStart, root.end) : slice(content, e.bodyStart, e.end);
        String cte = e.header("Content-Transfer-Encoding");
        String enc = cte == null ? "7bit" : cte.trim().toLowerCase(Locale.ROOT);
        if (!List.of("7bit", "8bit", "binary", "base64", "quoted-printable").contains(enc)) {
            // RFC 3516 §4.2: an encoding we do not know is UNKNOWN-CTE, not a damaged part.
            throw new MailboxException("UNKNOWN-CTE", "Cannot decode " + enc);
        }
        try {
            return switch (enc) {
                case "base64" -> Base64.getMimeDecoder().decode(body);
                case "quoted-printable" -> new QuotedPrintableInputStream(new ByteArrayInputStream(body)).readAllBytes();
                default -> body;
            };
        } catch (IOException | IllegalArgumentException e1) {
            throw new MailboxException("PARSE", "Part cannot be decoded");
        }
    }
}
