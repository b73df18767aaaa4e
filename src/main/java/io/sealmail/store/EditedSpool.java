package io.sealmail.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.List;

/**
 * A received message with header fields added on top and some removed (a DKIM-Signature on submission; an
 * Authentication-Results on port 25, forged ones taken out), without copying it: the edits are applied while it
 * is copied out. Read-only; closing it closes the original.
 */
public final class EditedSpool implements Spool {
    /** Octets {@code [offset, offset + length)} of the original left out. */
    public record Cut(long offset, int length) {
    }

    private final Spool original;
    private final byte[] prefix;
    private final List<Cut> cuts;

    /** @param cuts ranges of the original to leave out, in increasing order, not overlapping */
    public EditedSpool(Spool original, byte[] prefix, List<Cut> cuts) {
        this.original = original;
        this.prefix = prefix.clone();
        this.cuts = List.copyOf(cuts);
        long end = -1;
        for (Cut c : this.cuts) {
            if (c.offset() < end || c.length() < 0 || c.offset() + c.length() > original.size()) {
                throw new IllegalArgumentException("cuts must be ordered, disjoint and inside the message: " + cuts);
            }
            end = c.offset() + c.length();
        }
    }

    @Override
    public void write(ByteBuffer bytes) {
        throw new UnsupportedOperationException("an edited spool is read-only");
    }

    @Override
    public long size() {
        long size = prefix.length + original.size();
        for (Cut c : cuts) {
            size -= c.length();
        }
        return size;
    }

    @Override
    public void copyTo(WritableByteChannel out) throws IOException {
        ByteBuffer p = ByteBuffer.wrap(prefix);
        while (p.hasRemaining()) {
            out.write(p);
        }
        if (cuts.isEmpty()) {
            original.copyTo(out);
            return;
        }
        original.copyTo(new WritableByteChannel() {
            private long position;
            private int next;

            @Override
            public int write(ByteBuffer src) throws IOException {
                int n = src.remaining();
                while (src.hasRemaining()) {
                    Cut cut = next < cuts.size() ? cuts.get(next) : null;
                    if (cut != null && position >= cut.offset()) {
                        long skip = Math.min(src.remaining(), cut.offset() + cut.length() - position);
                        src.position(src.position() + (int) skip);
                        position += skip;
                        if (position >= cut.offset() + cut.length()) {
                            next++;
                        }
                        continue;
                    }
                    int keep = (int) Math.min(src.remaining(), cut == null ? Long.MAX_VALUE : cut.offset() - position);
                    ByteBuffer slice = src.slice();
                    slice.limit(keep);
                    while (slice.hasRemaining()) {
                        out.write(slice);
                    }
                    src.position(src.position() + keep);
                    position += keep;
                }
                return n;
            }

            @Override
            public boolean isOpen() {
                return out.isOpen();
            }

            @Override
            public void close() {
            }
        });
    }

    @Override
    public void close() {
        original.close();
    }
}
