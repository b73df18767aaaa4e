package io.sealmail.engine.imap;

import io.sealmail.store.mailbox.Mailboxes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Mailbox names on the wire: modified UTF-7 (RFC 3501 §5.1.3) unless the client enabled UTF8=ACCEPT
 * (RFC 6855), in which case they are plain UTF-8. Inside the store names are ordinary Java strings.
 */
public final class MailboxName {
    private MailboxName() {
    }

    /** The name a client sent; BAD when it is not a valid name on the wire ({@link MailboxNameRules}). */
    public static String decode(String wire, boolean utf8) {
        MailboxNameRules.checkWire(wire, utf8);
        String name = decodeUnchecked(wire, utf8);
        MailboxNameRules.checkDecoded(name);
        return name;
    }

    private static String decodeUnchecked(String wire, boolean utf8) {
        if (utf8 || wire.indexOf('&') < 0) {
            return normalizeInbox(wire);
        }
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < wire.length()) {
            char c = wire.charAt(i);
            if (c != '&') {
                sb.append(c);
                i++;
                continue;
            }
            int end = wire.indexOf('-', i);
            if (end < 0) {
                throw new ImapSyntaxException("Invalid modified UTF-7 mailbox name");
            }
            if (end == i + 1) {
                sb.append('&');
            } else {
                String b64 = wire.substring(i + 1, end).replace(',', '/');
                byte[] utf16;
                try {
                    utf16 = Base64.getDecoder().decode(pad(b64));
                } catch (IllegalArgumentException e) {
                    throw new ImapSyntaxException("Invalid modified UTF-7 mailbox name");
                }
                if (utf16.length % 2 != 0) {
                    throw new ImapSyntaxException("Invalid modified UTF-7 mailbox name");
                }
                sb.append(StandardCharsets.UTF_16BE.decode(ByteBuffer.wrap(utf16)));
            }
            i = end + 1;
        }
        return normalizeInbox(sb.toString());
    }

    public static String encode(String name, boolean utf8) {
        if (utf8) {
            return name;
        }
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < name.length()) {
            char c = name.charAt(i);
            if (c == '&') {
                sb.append("&-");
                i++;
            } else if (c >= 0x20 && c < 0x7f) {
                sb.append(c);
                i++;
            } else {
                int j = i;
                while (j < name.length() && (name.charAt(j) < 0x20 || name.charAt(j) >= 0x7f)) {
                    j++;
                }
                byte[] utf16 = name.substring(i, j).getBytes(StandardCharsets.UTF_16BE);
                String b64 = Base64.getEncoder().withoutPadding().encodeToString(utf16).replace('/', ',');
                sb.append('&').append(b64).append('-');
                i = j;
            }
        }
        return sb.toString();
    }

    private static String pad(String b64) {
        int rem = b64.length() % 4;
        return rem == 0 ? b64 : b64 + "===".substring(0, 4 - rem);
    }

    /** RFC 9051 §5.1: INBOX is case-insensitive. */
    private static String normalizeInbox(String name) {
        if (name.equalsIgnoreCase("INBOX")) {
            return "INBOX";
        }
        if (name.length() > 6 && name.substring(0, 6).equalsIgnoreCase("INBOX" + Mailboxes.SEPARATOR)) {
            return "INBOX" + name.substring(5);
        }
        return name;
    }
}
