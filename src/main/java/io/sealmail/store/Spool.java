package io.sealmail.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/** A message being received, written straight to disk. Not thread-safe: one protocol session owns it. */
public interface Spool extends AutoCloseable {

    /** Appends bytes exactly as they will be stored (CRLF line endings, dot-stuffing already undone). */
    void write(ByteBuffer bytes) throws IOException;

    /** Octets written so far. */
    long size();

    /** The file, for readers after writing is finished. */
    Path path();

    /** Abandons the message: deletes the file. Safe to call more than once. */
    @Override
    void close();
}
