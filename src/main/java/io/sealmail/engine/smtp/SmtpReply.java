package io.sealmail.engine.smtp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One SMTP reply: a three-digit code, an enhanced status code (RFC 3463, announced by ENHANCEDSTATUSCODES,
 * RFC 2034) and one or more text lines. RFC 2034 §3 puts the enhanced code on every line of every reply except
 * the greeting and the replies to HELO/EHLO; those are built with {@code status == null}.
 */
public record SmtpReply(int code, String status, List<String> lines) {

    public SmtpReply {
        if (code < 200 || code > 599) {
            throw new IllegalArgumentException("reply code " + code);
        }
        lines = List.copyOf(lines);
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("a reply needs at least one line");
        }
    }

    public static SmtpReply of(int code, String status, String text) {
        return new SmtpReply(code, status, List.of(text));
    }

    /** The same reply with different text, for replies that name an address or a figure. */
    public SmtpReply withText(String text) {
        return new SmtpReply(code, status, List.of(text));
    }

    public boolean isError() {
        return code >= 400;
    }

    /** RFC 5321 §4.2.1: every line but the last has a hyphen after the code. */
    public String wireText() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            sb.append(code).append(i == lines.size() - 1 ? ' ' : '-');
            if (status != null) {
                sb.append(status).append(' ');
            }
            sb.append(lines.get(i)).append("\r\n");
        }
        return sb.toString();
    }

    public ByteBuf encode(ByteBufAllocator alloc) {
        byte[] bytes = wireText().getBytes(StandardCharsets.UTF_8);
        return alloc.buffer(bytes.length).writeBytes(bytes);
    }

    @Override
    public String toString() {
        return wireText().stripTrailing();
    }
}
