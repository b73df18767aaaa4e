package io.sealmail.engine.imap;

import org.apache.james.mime4j.dom.address.Address;
import org.apache.james.mime4j.dom.address.AddressList;
import org.apache.james.mime4j.dom.address.Group;
import org.apache.james.mime4j.dom.address.Mailbox;
import org.apache.james.mime4j.dom.field.ContentDispositionField;
import org.apache.james.mime4j.field.address.LenientAddressParser;

import java.util.Locale;
import java.util.Map;

/** ENVELOPE and BODY/BODYSTRUCTURE (RFC 9051 §7.5.2) from a parsed {@link MimeStructure}. */
final class MessageStructureWriter {
    private MessageStructureWriter() {
    }

    static void envelope(ResponseWriter w, MimeStructure.Entity m) {
        String from = m.header("From");
        String sender = m.header("Sender");
        String replyTo = m.header("Reply-To");
        w.raw('(').nstring(m.header("Date")).sp().nstring(m.header("Subject")).sp();
        addresses(w, from).sp();
        addresses(w, sender != null ? sender : from).sp();
        addresses(w, replyTo != null ? replyTo : from).sp();
        addresses(w, m.header("To")).sp();
        addresses(w, m.header("Cc")).sp();
        addresses(w, m.header("Bcc")).sp();
        w.nstring(m.header("In-Reply-To")).sp().nstring(m.header("Message-ID")).raw(')');
    }

    private static ResponseWriter addresses(ResponseWriter w, String value) {
        if (value == null || value.isBlank()) {
            return w.nil();
        }
        AddressList list;
        try {
            list = LenientAddressParser.DEFAULT.parseAddressList(value);
        } catch (RuntimeException e) {
            return w.nil();
        }
        if (list == null || list.isEmpty()) {
            return w.nil();
        }
        w.raw('(');
        for (Address a : list) {
            if (a instanceof Mailbox mb) {
                mailbox(w, mb);
            } else if (a instanceof Group g) {
                // RFC 9051 §7.5.2: a group is a start marker with its name, its members, and an end marker.
                w.raw("(NIL NIL ").nstring(g.getName()).raw(" NIL)");
                for (Mailbox mb : g.getMailboxes()) {
                    mailbox(w, mb);
                }
                w.raw("(NIL NIL NIL NIL)");
            }
        }
        return w.raw(')');
    }

    private static void mailbox(ResponseWriter w, Mailbox mb) {
        String name = mb.getName();
        w.raw('(').nstring(name == null || name.isEmpty() ? null : name).raw(" NIL ").nstring(mb.getLocalPart()).sp()
                .nstring(mb.getDomain()).raw(')');
    }

    /** @param extended BODYSTRUCTURE (true) or BODY (false, no extension data) */
    static void bodyStructure(ResponseWriter w, byte[] bytes, MimeStructure.Entity e, boolean extended) {
        if (e.isMultipart() && !e.children.isEmpty()) {
            w.raw('(');
            for (MimeStructure.Entity child : e.children) {
                bodyStructure(w, bytes, child, extended);
            }
            w.sp().string(e.subtype.toUpperCase(Locale.ROOT));
            if (extended) {
                w.sp();
                params(w, e.params);
                w.sp();
                disposition(w, e);
                w.sp().nstring(e.header("Content-Language")).sp().nstring(e.header("Content-Location"));
            }
            w.raw(')');
            return;
        }
        String type = e.isMultipart() ? "text" : e.type;
        String subtype = e.isMultipart() ? "plain" : e.subtype;
        w.raw('(').string(type.toUpperCase(Locale.ROOT)).sp().string(subtype.toUpperCase(Locale.ROOT)).sp();
        params(w, e.params);
        String encoding = e.header("Content-Transfer-Encoding");
        w.sp().nstring(e.header("Content-ID")).sp().nstring(e.header("Content-Description")).sp()
                .string(encoding == null ? "7BIT" : encoding.trim().toUpperCase(Locale.ROOT)).sp()
                .raw(Integer.toString(e.end - e.bodyStart));
        if (e.isMessage() && e.message != null) {
            w.sp();
            envelope(w, e.message);
            w.sp();
            bodyStructure(w, bytes, e.message, extended);
            w.sp().raw(Integer.toString(MimeStructure.lines(bytes, e.bodyStart, e.end)));
        } else if (type.equals("text")) {
            w.sp().raw(Integer.toString(MimeStructure.lines(bytes, e.bodyStart, e.end)));
        }
        if (extended) {
            w.sp().nstring(e.header("Content-MD5")).sp();
            disposition(w, e);
            w.sp().nstring(e.header("Content-Language")).sp().nstring(e.header("Content-Location"));
        }
        w.raw(')');
    }

    private static void params(ResponseWriter w, Map<String, String> params) {
        if (params.isEmpty()) {
            w.nil();
            return;
        }
        w.raw('(');
        boolean first = true;
        for (Map.Entry<String, String> p : params.entrySet()) {
            if (!first) {
                w.sp();
            }
            first = false;
            w.string(p.getKey().toUpperCase(Locale.ROOT)).sp().string(p.getValue() == null ? "" : p.getValue());
        }
        w.raw(')');
    }

    private static void disposition(ResponseWriter w, MimeStructure.Entity e) {
        ContentDispositionField d = e.header("Content-Disposition") == null ? null : e.disposition();
        if (d == null || d.getDispositionType() == null || d.getDispositionType().isEmpty()) {
            w.nil();
            return;
        }
        w.raw('(').string(d.getDispositionType().toUpperCase(Locale.ROOT)).sp();
        params(w, d.getParameters());
        w.raw(')');
    }
}
