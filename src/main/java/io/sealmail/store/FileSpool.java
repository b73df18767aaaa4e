package io.sealmail.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A spool file under {@code <dataDir>/spool}; deleted on close. */
final class FileSpool implements Spool {
    private final Path path;
    private final FileChannel channel;
    private long size;
    private boolean closed;

    FileSpool(Path path) throws IOException {
        this.path = path;
        this.channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }

    @Override
    public void write(ByteBuffer bytes) throws IOException {
        if (closed) {
            throw new IOException("spool already closed");
        }
        size += bytes.remaining();
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing a file we are about to delete
        }
        GroupCommit.deleteQuietly(path);
    }
}
