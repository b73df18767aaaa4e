package io.sealmail.engine.imap;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/** One parsed argument of an IMAP command (RFC 9051 §4). */
public sealed interface ImapArg {

    /** An atom, possibly with a bracketed section and partial range ({@code BODY[HEADER.FIELDS (To)]<0.10>}). */
    record Atom(String value) implements ImapArg {
        public String upper() {
            return value.toUpperCase(Locale.ROOT);
        }

        public boolean isNil() {
            return value.equalsIgnoreCase("NIL");
        }
    }

    record Quoted(String value) implements ImapArg {
    }

    record Literal(byte[] bytes, boolean binary) implements ImapArg {
        public String text() {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    record ListArg(List<ImapArg> items) implements ImapArg {
    }

    /** The argument as an astring (atom, quoted or literal), or null if it is a list. */
    static String stringValue(ImapArg arg) {
        if (arg instanceof Atom a) {
            return a.value();
        }
        if (arg instanceof Quoted q) {
            return q.value();
        }
        if (arg instanceof Literal l) {
            return l.text();
        }
        return null;
    }
}
