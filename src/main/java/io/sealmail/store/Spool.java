package io.sealmail.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/**
 * A message being received, streamed in without holding large messages in memory. Not thread-safe while being
 * written: one protocol session owns it; once written, readers may copy it concurrently.
 */
public interface Spool extends AutoCloseable {

    /** Appends bytes exactly as they will be stored (CRLF line endings, dot-stuffing already undone). */
    void write(ByteBuffer bytes) throws IOException;

    /** Octets written so far. */
    long size();

    /** Writes the whole message to {@code out} (for the store's durable copies, after writing is finished). */
    void copyTo(WritableByteChannel out) throws IOException;

    /** Abandons the message: frees its memory or deletes its file. Safe to call more than once. */
    @Override
    void close();
}
