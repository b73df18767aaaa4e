package io.sealmail.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EditedSpoolTest {
    @TempDir
    Path dir;

    private Spool spool(String content, int memory) throws Exception {
        MessageSpool s = new MessageSpool(dir.resolve("spool-" + memory), memory, new AtomicLong(1 << 20));
        byte[] b = content.getBytes(StandardCharsets.US_ASCII);
        // Written in small pieces, so the cuts fall across the buffers copyTo hands out.
        for (int i = 0; i < b.length; i += 7) {
            s.write(ByteBuffer.wrap(b, i, Math.min(7, b.length - i)));
        }
        return s;
    }

    private static String copy(Spool s) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (WritableByteChannel ch = Channels.newChannel(out)) {
            s.copyTo(ch);
        }
        return out.toString(StandardCharsets.US_ASCII);
    }

    @Test
    void prefixAddedAndRangesLeftOutInMemoryAndOnDisk() throws Exception {
        String original = "Received: x\r\nAuthentication-Results: forged\r\nSubject: s\r\nX-Forged: y\r\n\r\nbody\r\n";
        for (int memory : new int[] {1 << 16, 16}) {
            Spool base = spool(original, memory);
            int first = original.indexOf("Authentication-Results");
            int firstLength = "Authentication-Results: forged\r\n".length();
            int second = original.indexOf("X-Forged");
            EditedSpool edited = new EditedSpool(base, "Authentication-Results: ours\r\n".getBytes(StandardCharsets.US_ASCII),
                    List.of(new EditedSpool.Cut(first, firstLength), new EditedSpool.Cut(second, "X-Forged: y\r\n".length())));
            String expected = "Authentication-Results: ours\r\nReceived: x\r\nSubject: s\r\n\r\nbody\r\n";
            assertThat(copy(edited)).as("memory %d", memory).isEqualTo(expected);
            assertThat(copy(edited)).as("copied twice").isEqualTo(expected);
            assertThat(edited.size()).isEqualTo(expected.length());
            edited.close();
        }
    }

    @Test
    void cutsMustBeOrderedAndInside() throws Exception {
        Spool base = spool("0123456789", 1024);
        assertThatThrownBy(() -> new EditedSpool(base, new byte[0], List.of(new EditedSpool.Cut(5, 2), new EditedSpool.Cut(1, 1))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new EditedSpool(base, new byte[0], List.of(new EditedSpool.Cut(8, 5))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new EditedSpool(base, new byte[0], List.of()).write(ByteBuffer.allocate(1)))
                .isInstanceOf(UnsupportedOperationException.class);
    }
}
