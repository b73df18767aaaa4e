package io.sealmail.engine.imap;

import io.sealmail.store.mailbox.MailFolder.MessageInfo;
import io.sealmail.store.mailbox.MailFolder;
import io.sealmail.store.mailbox.MailboxException;
import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.codec.DecoderUtil;
import org.apache.james.mime4j.dom.address.Address;
import org.apache.james.mime4j.dom.address.AddressList;
import org.apache.james.mime4j.dom.address.Group;
import org.apache.james.mime4j.dom.address.Mailbox;
import org.apache.james.mime4j.field.address.LenientAddressParser;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * One message as SORT and THREAD see it (RFC 5256): its sequence number, index entry, and the keys read from the
 * store's cached header fields ({@link MessageSummary}), each computed on first use. Only the cache is read: no
 * message file is opened unless the message has no cache entry yet (then it is made once, as FETCH would).
 */
final class SortMessage {
    final int seq;
    final MessageInfo info;
    private final MailFolder folder;
    private ByteBuffer fields;
    private final SortKeys.Entry memo;
    private final SortKeys.Ids ids;
    private final SortKeys.Ids subjects;
    /** The sort keys SORT computed for this message, in the order of its program. */
    Comparable<?>[] keys;

    SortMessage(int seq, MessageInfo info, MailFolder folder, SortKeys.Entry memo, SortKeys keys) {
        this.seq = seq;
        this.info = info;
        this.folder = folder;
        this.memo = memo;
        this.ids = keys.ids;
        this.subjects = keys.subjects;
    }

    /** The first field of this name from the cache, or null; {@code upperName} is upper case. */
    String header(String upperName) throws IOException {
        if (fields == null) {
            try {
                fields = MessageSummary.of(folder, info.uid()).headerFields();
            } catch (MailboxException expunged) {
                // Expunged by another session since the search: it sorts as a message without these fields.
                fields = ByteBuffer.allocate(0);
            }
        }
        return HeaderBlock.value(fields, upperName);
    }

    /** RFC 5256 §2.2: the Date: field in UTC, or INTERNALDATE when there is none or it cannot be read. */
    long sentDate() throws IOException {
        if (memo.sentDate == Long.MIN_VALUE) {
            long parsed = SentDate.parse(header("DATE"));
            memo.sentDate = parsed != Long.MIN_VALUE ? parsed : info.internalDate().toEpochMilli();
        }
        return memo.sentDate;
    }

    BaseSubject subject() throws IOException {
        if (memo.subject == null) {
            memo.subject = BaseSubject.of(header("SUBJECT"));
        }
        return memo.subject;
    }

    /** The base subject's key as a number of the folder's {@link SortKeys#subjects}: equal keys, equal numbers. */
    int subjectNumber() throws IOException {
        if (memo.subjectNumber < 0) {
            memo.subjectNumber = subjects.number(subject().key());
        }
        return memo.subjectNumber;
    }

    /** RFC 5256 §3: the addr-mailbox (local part) of the first address of the field, "" when none. */
    String mailbox(String upperName) throws IOException {
        int slot = upperName.equals("FROM") ? 0 : upperName.equals("TO") ? 1 : 2;
        if (memo.addresses[slot] == null) {
            memo.addresses[slot] = readMailbox(upperName);
        }
        return memo.addresses[slot];
    }

    private String readMailbox(String upperName) throws IOException {
        Mailbox first = firstMailbox(header(upperName));
        return first == null || first.getLocalPart() == null ? "" : casemap(first.getLocalPart());
    }

    /**
     * RFC 5957 §3: the display name of the first address (encoded words decoded), or when it has none its
     * addr-mailbox@addr-host as the ENVELOPE gives it; "" when the field has no address.
     */
    String displayName(String upperName) throws IOException {
        int slot = upperName.equals("FROM") ? 3 : 4;
        if (memo.addresses[slot] == null) {
            memo.addresses[slot] = readDisplayName(upperName);
        }
        return memo.addresses[slot];
    }

    private String readDisplayName(String upperName) throws IOException {
        Mailbox first = firstMailbox(header(upperName));
        if (first == null) {
            return "";
        }
        String name = first.getName();
        if (name != null && !name.isBlank()) {
            return casemap(name.indexOf("=?") >= 0 ? DecoderUtil.decodeEncodedWords(name, DecodeMonitor.SILENT) : name);
        }
        String local = first.getLocalPart() == null ? "" : first.getLocalPart();
        return casemap(first.getDomain() == null ? local : local + "@" + first.getDomain());
    }

    private static Mailbox firstMailbox(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        AddressList list;
        try {
            list = LenientAddressParser.DEFAULT.parseAddressList(value);
        } catch (RuntimeException e) {
            return null;
        }
        for (Address a : list) {
            if (a instanceof Mailbox m) {
                return m;
            }
            if (a instanceof Group g && !g.getMailboxes().isEmpty()) {
                return g.getMailboxes().get(0);
            }
        }
        return null;
    }

    /** RFC 5255 §4.4 (I18NLEVEL=1): string sort keys compare as i;unicode-casemap, by their fold. */
    static String casemap(String s) {
        return UnicodeCasemap.fold(s);
    }

    /**
     * The Message-ID as THREAD REFERENCES keys it, as its number in the folder's {@link SortKeys.Ids} (the same ID
     * is the same number), or -1 when the message has no valid one (RFC 5256 §2.3).
     */
    int messageId() throws IOException {
        if (memo.messageId == -2) {
            List<String> found = messageIds(header("MESSAGE-ID"), 1);
            memo.messageId = found.isEmpty() ? -1 : ids.number(found.get(0));
        }
        return memo.messageId;
    }

    /**
     * The parents THREAD REFERENCES links, oldest first, as numbers of the folder's {@link SortKeys.Ids}: the
     * message IDs of References, or when it has none the first message ID of In-Reply-To (RFC 5256 §2.3 step 1). At
     * most {@code max} are kept (the last ones, the closest ancestors), so a hostile field costs bounded work.
     */
    int[] references(int max) throws IOException {
        if (memo.references == null) {
            List<String> refs = messageIds(header("REFERENCES"), Integer.MAX_VALUE);
            if (refs.isEmpty()) {
                refs = messageIds(header("IN-REPLY-TO"), 1);
            }
            if (refs.size() > max) {
                refs = refs.subList(refs.size() - max, refs.size());
            }
            int[] numbers = new int[refs.size()];
            for (int i = 0; i < numbers.length; i++) {
                numbers[i] = ids.number(refs.get(i));
            }
            memo.references = numbers;
        }
        return memo.references;
    }

    /**
     * The {@code <id-left@id-right>} message IDs of a field, in order, without their angle brackets and with any
     * white space inside removed (folded IDs); text outside brackets (phrases, comments) is skipped.
     */
    static List<String> messageIds(String value, int max) {
        List<String> ids = new ArrayList<>();
        if (value == null) {
            return ids;
        }
        int i = 0;
        while (ids.size() < max) {
            int open = value.indexOf('<', i);
            if (open < 0) {
                break;
            }
            int close = value.indexOf('>', open + 1);
            if (close < 0) {
                break;
            }
            int nested = value.indexOf('<', open + 1);
            if (nested >= 0 && nested < close) {
                i = nested;
                continue;
            }
            StringBuilder id = new StringBuilder(close - open);
            for (int k = open + 1; k < close; k++) {
                char c = value.charAt(k);
                if (c > ' ') {
                    id.append(c);
                }
            }
            int at = id.indexOf("@");
            if (at > 0 && at < id.length() - 1) {
                ids.add(id.toString());
            }
            i = close + 1;
        }
        return ids;
    }
}
