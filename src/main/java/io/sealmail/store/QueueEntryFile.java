package io.sealmail.store;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The on-disk form of one outbound queue entry, {@code entries/ID.msg}: envelope and message in one file, so an
 * enqueue creates, forces and renames one file and a removal unlinks one (as a Postfix queue file holds both):
 * <pre>
 *   sealmail-queue 1\n        format line
 *   {"id":...}\n              the envelope, one line of JSON (JSON escapes every line break inside strings)
 *   Received: ...\r\n ...     the message exactly as spooled, to the end of the file
 * </pre>
 * The message starts right after the second line feed; readers go through {@link #openMessage}.
 */
public final class QueueEntryFile {
    static final String SUFFIX = ".msg";
    private static final byte[] FORMAT_LINE = "sealmail-queue 1\n".getBytes(StandardCharsets.US_ASCII);
    /** Far above any envelope (recipients are bounded per transaction); a longer one is damage, not data. */
    static final int MAX_ENVELOPE = 4 * 1024 * 1024;

    private QueueEntryFile() {
    }

    /** The envelope's JSON and where the message starts. */
    record Head(byte[] envelopeJson, long messageOffset) {
    }

    /** What precedes the message in the file. */
    static byte[] head(byte[] envelopeJson) {
        byte[] out = Arrays.copyOf(FORMAT_LINE, FORMAT_LINE.length + envelopeJson.length + 1);
        System.arraycopy(envelopeJson, 0, out, FORMAT_LINE.length, envelopeJson.length);
        out[out.length - 1] = '\n';
        return out;
    }

    /** Reads the format line and the envelope; the stream is left at the message's first octet. */
    static Head readHead(InputStream in) throws IOException {
        byte[] format = in.readNBytes(FORMAT_LINE.length);
        if (!Arrays.equals(format, FORMAT_LINE)) {
            throw new IOException("not a queue entry (format line missing)");
        }
        java.io.ByteArrayOutputStream json = new java.io.ByteArrayOutputStream(512);
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new IOException("queue entry cut short in its envelope");
            }
            if (json.size() >= MAX_ENVELOPE) {
                throw new IOException("queue entry's envelope longer than " + MAX_ENVELOPE + " octets");
            }
            json.write(b);
        }
        return new Head(json.toByteArray(), FORMAT_LINE.length + json.size() + 1L);
    }

    /** Reads the head of an entry file. */
    static Head readHead(Path file) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 8 * 1024)) {
            return readHead(in);
        }
    }

    /** The message of an entry file (without the envelope), positioned at its first octet; the caller closes it. */
    public static InputStream openMessage(Path file) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 64 * 1024);
        try {
            readHead(in);
            return in;
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }
}
