package io.sealmail.engine.smtp;

import io.sealmail.engine.tls.TlsSessionInfo;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The trace header of RFC 5321 §4.4, in the order from, by, with, id, for, with the TLS details as a comment the
 * way Postfix writes them, so admins' existing log and header parsers read ours too. The "with" keyword
 * follows RFC 3848 (ESMTP, ESMTPS, ESMTPA, ESMTPSA; LMTP... for the LMTP listener) and RFC 6531 §3.7.3 (UTF8SMTP...).
 */
final class ReceivedHeader {
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ENGLISH);

    private ReceivedHeader() {
    }

    /** Key bits of the bulk cipher as Postfix prints them ("256/256 bits"), derived from the IANA suite name. */
    static String bits(String cipherSuite) {
        String s = cipherSuite.toUpperCase(Locale.ROOT);
        int bits = s.contains("AES_256") || s.contains("CHACHA20") ? 256 : s.contains("AES_128") ? 128 : 0;
        return bits == 0 ? "" : " (" + bits + "/" + bits + " bits)";
    }

    static String protocol(boolean lmtp, boolean esmtp, boolean smtputf8, boolean tls, boolean authenticated) {
        if (lmtp) {
            // RFC 3848 §2 (LMTP, LMTPS, LMTPA, LMTPSA) and RFC 6531 §3.7.3 (UTF8LMTP...), as Dovecot's LMTP writes it.
            return (smtputf8 ? "UTF8LMTP" : "LMTP") + (tls ? "S" : "") + (authenticated ? "A" : "");
        }
        if (!esmtp) {
            return "SMTP";
        }
        return (smtputf8 ? "UTF8SMTP" : "ESMTP") + (tls ? "S" : "") + (authenticated ? "A" : "");
    }

    static String format(String helo, String clientIp, TlsSessionInfo tls, String hostname, String protocol, String id,
                         String singleRecipient, ZonedDateTime when) {
        StringBuilder sb = new StringBuilder("Received: from ").append(clean(helo))
                .append(" ([").append(clientIp).append("])\r\n");
        if (tls != null) {
            sb.append("\t(using ").append(tls.protocol()).append(" with cipher ").append(tls.cipherSuite())
                    .append(bits(tls.cipherSuite())).append(")\r\n");
        }
        sb.append("\tby ").append(hostname).append(" (Sealmail) with ").append(protocol).append(" id ").append(id);
        if (singleRecipient != null) {
            // Only for a single recipient, as Postfix does: listing all would disclose Bcc recipients.
            sb.append("\r\n\tfor <").append(clean(singleRecipient)).append('>');
        }
        sb.append("; ").append(DATE.format(when)).append("\r\n");
        return sb.toString();
    }

    /** The HELO name is client input: keep it to printable characters so it cannot break the header. */
    private static String clean(String s) {
        StringBuilder sb = new StringBuilder();
        s.codePoints().forEach(c -> sb.appendCodePoint(c < 0x21 || c == 0x7f || c == '(' || c == ')' ? '_' : c));
        return sb.toString();
    }
}
