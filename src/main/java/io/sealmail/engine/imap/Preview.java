package io.sealmail.engine.imap;

import org.apache.james.mime4j.codec.QuotedPrintableInputStream;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The PREVIEW text of a message (RFC 8970): the start of its first text part as a reader would see it, made once
 * with the message's cache entry. The first text/plain part that is not an attachment, else the first text/html
 * with tags, style and script taken out; transfer encoding and charset undone; quoted lines ("&gt; ...") skipped, as
 * Dovecot's snippets do; white space collapsed; at most {@link #MAX_CHARS} characters (RFC 8970 §3 allows 256).
 */
final class Preview {
    static final int MAX_CHARS = 200;
    /** Octets of a part read for it: enough for 200 characters after decoding, markup and quotes. */
    private static final int MAX_INPUT = 16 * 1024;
    private static final Pattern DROPPED_HTML = Pattern.compile("(?is)<(style|script|head)\\b.*?</\\1\\s*>|<!--.*?-->");
    private static final Pattern TAG = Pattern.compile("(?s)<[^>]*>");

    private Preview() {
    }

    static String of(byte[] message, MimeStructure.Entity root) {
        MimeStructure.Entity part = firstText(root, "plain");
        boolean html = false;
        if (part == null) {
            part = firstText(root, "html");
            html = part != null;
        }
        if (part == null) {
            return "";
        }
        String text = decode(message, part);
        if (html) {
            text = htmlToText(text);
        }
        return normalize(text);
    }

    private static MimeStructure.Entity firstText(MimeStructure.Entity e, String subtype) {
        if (e.isMultipart()) {
            for (MimeStructure.Entity child : e.children) {
                MimeStructure.Entity found = firstText(child, subtype);
                if (found != null) {
                    return found;
                }
            }
            return null;
        }
        String disposition = e.header("Content-Disposition");
        boolean attachment = disposition != null && disposition.trim().toLowerCase(Locale.ROOT).startsWith("attachment");
        return e.type.equals("text") && e.subtype.equals(subtype) && !attachment ? e : null;
    }

    private static String decode(byte[] message, MimeStructure.Entity part) {
        int length = Math.min(part.end - part.bodyStart, MAX_INPUT);
        byte[] body = new byte[Math.max(0, length)];
        System.arraycopy(message, part.bodyStart, body, 0, body.length);
        String cte = part.header("Content-Transfer-Encoding");
        String encoding = cte == null ? "" : cte.trim().toLowerCase(Locale.ROOT);
        try {
            if (encoding.equals("base64")) {
                // A cut may split a quantum: decode whole 4-character groups only.
                String b64 = new String(body, StandardCharsets.US_ASCII).replaceAll("[^A-Za-z0-9+/=]", "");
                body = Base64.getDecoder().decode(b64.substring(0, b64.length() - b64.length() % 4));
            } else if (encoding.equals("quoted-printable")) {
                body = new QuotedPrintableInputStream(new ByteArrayInputStream(body)).readAllBytes();
            }
        } catch (IOException | IllegalArgumentException damaged) {
            return "";
        }
        return new String(body, charset(part.params.get("charset")));
    }

    private static Charset charset(String name) {
        if (name == null) {
            return StandardCharsets.UTF_8; // US-ASCII by default (RFC 2045); UTF-8 reads it the same and more
        }
        try {
            return Charset.forName(name.trim());
        } catch (IllegalArgumentException unknown) {
            return StandardCharsets.UTF_8;
        }
    }

    private static String htmlToText(String html) {
        String text = TAG.matcher(DROPPED_HTML.matcher(html).replaceAll(" ")).replaceAll(" ");
        return text.replace("&nbsp;", " ").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"")
                .replace("&#39;", "'").replace("&amp;", "&");
    }

    /** Quoted lines out, control characters and runs of white space as one space, cut at a character boundary. */
    static String normalize(String text) {
        StringBuilder out = new StringBuilder();
        int chars = 0;
        for (String line : text.split("\r\n|\r|\n")) {
            if (line.stripLeading().startsWith(">")) {
                continue;
            }
            for (int i = 0; i < line.length() && chars < MAX_CHARS; ) {
                int cp = line.codePointAt(i);
                i += Character.charCount(cp);
                if (Character.isWhitespace(cp) || Character.isISOControl(cp) || Character.isSpaceChar(cp) || cp == 0xFFFD) {
                    if (out.length() > 0 && out.charAt(out.length() - 1) != ' ') {
                        out.append(' ');
                        chars++;
                    }
                } else {
                    out.appendCodePoint(cp);
                    chars++;
                }
            }
            if (chars >= MAX_CHARS) {
                break;
            }
            if (out.length() > 0 && out.charAt(out.length() - 1) != ' ') {
                out.append(' ');
                chars++;
            }
        }
        return out.toString().strip();
    }
}
