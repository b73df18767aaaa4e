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

    /** Reads the file once to learn the facts above. */
    static OutgoingMessage scan(String id, String returnPath, Path file) throws IOException {
        long size = 0;
        boolean eightBit = false;
        boolean utf8Headers = false;
        int received = 0;
        boolean inHeader = true;
        boolean lineStart = true;
        StringBuilder fieldStart = new StringBuilder(9);
        byte[] buf = new byte[16 * 1024];
        int prev = -1;
        int prev2 = -1;
        try (InputStream in = QueueEntryFile.openMessage(file)) {
            int r;
            while ((r = in.read(buf)) > 0) {
                for (int i = 0; i < r; i++) {
                    int b = buf[i] & 0xff;
                    size++;
                    if (b > 127) {
                        eightBit = true;
                        utf8Headers |= inHeader;
                    }
                    if (inHeader) {
                        if (lineStart) {
                            fieldStart.setLength(0);
                        }
                        if (fieldStart.length() < 9) {
                            fieldStart.append((char) b);
                            if (fieldStart.length() == 9 && fieldStart.toString().equalsIgnoreCase("received:")) {
                                received++;
                            }
                        }
                        if (b == '\n' && prev == '\r' && prev2 == '\n') {
                            inHeader = false; // the empty line ends the header section
                        } else if (b == '\n' && lineStart) {
                            inHeader = false;
                        }
                    }
                    lineStart = b == '\n';
                    prev2 = prev;
                    prev = b;
                }
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
