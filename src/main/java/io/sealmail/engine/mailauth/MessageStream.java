package io.sealmail.engine.mailauth;

import java.io.OutputStream;
import java.util.Arrays;

/**
 * Reads a message once, as it is copied out of the spool: the header section is collected (bounded), handed to
 * {@link Listener#headersDone} at the empty line, and the body is then streamed to the sink that returned, never
 * held whole. Expects CRLF line endings (the SMTP engine refuses bare CR and LF).
 */
final class MessageStream extends OutputStream {
    /** Postfix's header_size_limit is 100 KiB; a quarter MiB of header fields is far beyond honest mail. */
    static final int DEFAULT_MAX_HEADER_BYTES = 256 * 1024;

    interface Listener {
        /** The header section is complete; returns where the body goes. */
        BodySink headersDone(HeaderSection headers);
    }

    interface BodySink {
        void body(byte[] b, int off, int len);

        void end();
    }

    private final Listener listener;
    private final int maxHeaderBytes;
    private byte[] header = new byte[4096];
    /** Header octets kept in {@link #header}. */
    private int kept;
    /** Header octets seen (kept or not). */
    private long seen;
    private boolean tooLarge;
    private BodySink body;
    private boolean finished;
    /** Octets of the current line before the byte being read (the empty line is CR LF at length 0). */
    private int lineLength;
    private byte prev;

    MessageStream(Listener listener, int maxHeaderBytes) {
        this.listener = listener;
        this.maxHeaderBytes = maxHeaderBytes;
    }

    @Override
    public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
        if (finished) {
            throw new IllegalStateException("message already finished");
        }
        if (body != null) {
            body.body(b, off, len);
            return;
        }
        for (int i = off; i < off + len; i++) {
            byte c = b[i];
            keep(c);
            seen++;
            if (c == '\n' && prev == '\r') {
                if (lineLength == 1) {
                    // The empty line: the header section ends (without it), the rest is body.
                    startBody();
                    if (i + 1 < off + len) {
                        body.body(b, i + 1, off + len - i - 1);
                    }
                    return;
                }
                lineLength = 0;
            } else {
                lineLength++;
            }
            prev = c;
        }
    }

    private void keep(byte c) {
        if (tooLarge) {
            return;
        }
        if (kept == header.length) {
            if (kept >= maxHeaderBytes) {
                tooLarge = true;
                header = null;
                return;
            }
            header = Arrays.copyOf(header, Math.min(maxHeaderBytes, header.length * 2));
        }
        header[kept++] = c;
    }

    private void startBody() {
        // At the empty line the last two octets kept are its CR LF: they belong to no field.
        int end = body == null && !tooLarge && kept >= 2 && header[kept - 1] == '\n' && lineLength == 1 ? kept - 2 : kept;
        HeaderSection section = tooLarge ? new HeaderSection(java.util.List.of(), false)
                : new HeaderSection(HeaderSection.split(header, end, 0), true);
        header = null;
        body = listener.headersDone(section);
    }

    /** Ends the message; a message without an empty line is all header and has an empty body. */
    void finish() {
        if (finished) {
            return;
        }
        if (body == null) {
            lineLength = 0;
            startBody();
        }
        finished = true;
        body.end();
    }

    @Override
    public void close() {
        finish();
    }
}
