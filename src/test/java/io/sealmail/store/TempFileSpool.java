package io.sealmail.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A plain file spool for the test stores of the protocol tests; the file is deleted on close. */
public class TempFileSpool implements Spool {
    private final Path file;
    private final FileChannel channel;
    private long size;

    public TempFileSpool(Path file) throws IOException {
        this.file = file;
        this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    }

    public Path path() {
        return file;
    }

    @Override
    public void write(ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            size += channel.write(bytes);
        }
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public void copyTo(WritableByteChannel out) throws IOException {
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            long pos = 0;
            while (pos < size) {
                pos += in.transferTo(pos, size - pos, out);
            }
        }
    }

    /** The whole message (test stores read it back whole). */
    public static byte[] bytes(Spool spool) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        spool.copyTo(java.nio.channels.Channels.newChannel(out));
        return out.toByteArray();
    }

    @Override
    public void close() {
        try {
            channel.close();
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a test spool; the temporary directory goes anyway
        }
    }
}
