package io.sealmail.engine.delivery;

import io.sealmail.store.QueueEntryFile;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * A queued message as the SMTP client sends it, with what it must know about the content before MAIL FROM.
 *
 * @param id            queue id
 * @param returnPath    envelope sender, empty for the null sender
 * @param file          the queue entry file holding the message as spooled (CRLF lines, not dot-stuffed)
 * @param size          octets
 * @param eightBit      any octet above 127: BODY=8BITMIME where offered (RFC 6152)
 * @param utf8Headers   8-bit octets in the header section: an internationalised message (RFC 6532), sent with
 *                      SMTPUTF8 where offered
 * @param receivedCount Received: header fields (loop detection, RFC 5321 §6.3)
 */
record OutgoingMessage(String id, String returnPath, Path file, long size, boolean eightBit, boolean utf8Headers,
                       int receivedCount) {

    private static final byte[] RECEIVED = "received:".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /**
     * Reads the file once to learn the facts above: the header section octet by octet (field names, its end), the
     * body only until its first 8-bit octet.
     */
    static OutgoingMessage scan(String id, String returnPath, Path file) throws IOException {
        long size = 0;
        boolean eightBit = false;
        boolean utf8Headers = false;
        int received = 0;
        boolean inHeader = true;
        int column = 0; // octets of the current header line seen, up to RECEIVED.length
        boolean fieldIsReceived = true;
        int prev = '\n'; // as if after a line end: a message that starts with an empty line has no header section
        int prev2 = -1;
        byte[] buf = new byte[16 * 1024];
        try (InputStream in = QueueEntryFile.openMessage(file)) {
            int r;
            while ((r = in.read(buf)) > 0) {
                int i = 0;
                for (; inHeader && i < r; i++) {
                    int b = buf[i] & 0xff;
                    if (b > 127) {
                        eightBit = true;
                        utf8Headers = true;
                    }
                    if (column < RECEIVED.length) {
                        fieldIsReceived &= Character.toLowerCase(b) == RECEIVED[column];
                        if (++column == RECEIVED.length && fieldIsReceived) {
                            received++;
                        }
                    }
                    if (b == '\n') {
                        // The empty line (CRLF CRLF, or a bare LF LF) ends the header section.
                        inHeader = !(prev == '\n' || prev == '\r' && prev2 == '\n');
                        column = 0;
                        fieldIsReceived = true;
                    }
                    prev2 = prev;
                    prev = b;
                }
                for (; !eightBit && i < r; i++) {
                    eightBit = buf[i] < 0;
                }
                size += r;
            }
        }
        return new OutgoingMessage(id, returnPath, file, size, eightBit, utf8Headers, received);
    }

    InputStream open() throws IOException {
        return QueueEntryFile.openMessage(file);
    }

    boolean needsSmtpUtf8(Iterable<String> recipients) {
        if (!isAscii(returnPath)) {
            return true;
        }
        for (String r : recipients) {
            if (!isAscii(r)) {
                return true;
            }
        }
        return false;
    }

    static boolean isAscii(String s) {
        return s.chars().allMatch(c -> c < 128);
    }
}
