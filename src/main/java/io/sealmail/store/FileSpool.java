package io.sealmail.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A spool file under {@code <dataDir>/spool}, on the same filesystem as the Maildirs. It is never fsynced: it only
 * feeds the durable copies the store writes, and it is deleted on {@link #close()} (or at the next start).
 */
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
            throw new IOException("spool is closed");
        }
        while (bytes.hasRemaining()) {
            size += channel.write(bytes);
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
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            channel.close();
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
