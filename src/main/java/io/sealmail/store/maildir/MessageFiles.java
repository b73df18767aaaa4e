package io.sealmail.store.maildir;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Reading message files: whole, into a byte array or straight into a (direct) buffer, never through a copy. */
final class MessageFiles {
    private MessageFiles() {
    }

    /** What to do with a message file; may throw {@link java.nio.file.NoSuchFileException} when it was renamed. */
    @FunctionalInterface
    interface Reader<T> {
        T read(Path file) throws IOException;
    }

    static byte[] bytes(Path file) throws IOException {
        return Files.readAllBytes(file);
    }

    static ByteBuf buffer(Path file, ByteBufAllocator alloc) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE - 8) {
                throw new IOException("message file too large: " + file.getFileName());
            }
            ByteBuf buf = alloc.directBuffer((int) size);
            try {
                // Message files are never rewritten in place: read to the size, or to an end of file that came early
                // (the file was replaced meanwhile).
                int read = 0;
                while (buf.isWritable() && read >= 0) {
                    read = buf.writeBytes(ch, buf.writerIndex(), buf.writableBytes());
                }
                return buf;
            } catch (IOException | RuntimeException e) {
                buf.release();
                throw e;
            }
        }
    }
}
