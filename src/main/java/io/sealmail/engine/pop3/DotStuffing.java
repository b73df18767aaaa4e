package io.sealmail.engine.pop3;

import io.netty.buffer.ByteBuf;

/** RFC 1939 §3 multi-line responses: a leading "." is doubled, the response ends with ".\r\n". */
final class DotStuffing {
    private DotStuffing() {
    }

    /**
     * Writes the message, or for TOP (RFC 1939 §7) its header, the blank line and the first {@code bodyLines} lines
     * of its body; {@code bodyLines < 0} means the whole message. Bare LF is written as CRLF.
     */
    static void write(byte[] message, int bodyLines, ByteBuf out) {
        boolean inBody = false;
        int bodyCount = 0;
        int start = 0;
        while (start < message.length) {
            int lf = start;
            while (lf < message.length && message[lf] != '\n') {
                lf++;
            }
            int end = lf > start && message[lf - 1] == '\r' ? lf - 1 : lf;
            if (lf == message.length && end == lf && start < message.length) {
                end = message.length;
            }
            if (inBody && bodyLines >= 0 && bodyCount >= bodyLines) {
                break;
            }
            if (end > start && message[start] == '.') {
                out.writeByte('.');
            }
            out.writeBytes(message, start, end - start);
            out.writeByte('\r').writeByte('\n');
            if (inBody) {
                bodyCount++;
            } else if (end == start) {
                inBody = true;
            }
            start = lf + 1;
        }
        out.writeByte('.').writeByte('\r').writeByte('\n');
    }
}
