package io.sealmail.engine.imap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.zip.Inflater;

import static org.assertj.core.api.Assertions.assertThat;

/** The COMPRESS sender: whole responses inflate to what was written, blocks close at flushes only. */
class DeflateOnFlushTest {
    private final Inflater inflater = new Inflater(true);

    @Test
    void eachFlushMakesEverythingWrittenSoFarInflatable() throws Exception {
        EmbeddedChannel ch = new EmbeddedChannel(new DeflateOnFlush(6));
        StringBuilder sent = new StringBuilder();
        for (int i = 1; i <= 1000; i++) {
            String line = "* " + i + " FETCH (UID " + i + " FLAGS (\\Seen))\r\n";
            sent.append(line);
            ch.write(Unpooled.copiedBuffer(line, StandardCharsets.US_ASCII));
        }
        ch.flush();
        assertThat(inflate(ch)).isEqualTo(sent.toString());
        // The dictionary (32 KiB window) carries over the flush: the last lines again cost almost nothing.
        String tail = sent.substring(sent.length() - 4000);
        ch.writeAndFlush(Unpooled.copiedBuffer(tail, StandardCharsets.US_ASCII));
        ByteBuf again = drainOutbound(ch);
        assertThat(again.readableBytes()).isLessThan(tail.length() / 20);
        assertThat(inflate(again)).isEqualTo(tail);
        ch.finishAndReleaseAll();
    }

    @Test
    void aFlushWithNothingNewSendsNothing() throws Exception {
        EmbeddedChannel ch = new EmbeddedChannel(new DeflateOnFlush(6));
        ch.writeAndFlush(Unpooled.copiedBuffer("a OK done\r\n", StandardCharsets.US_ASCII));
        assertThat(inflate(ch)).isEqualTo("a OK done\r\n");
        ch.flush();
        assertThat(drainOutbound(ch).readableBytes()).isZero();
        ch.finishAndReleaseAll();
    }

    @Test
    void largeIncompressibleOutputPassesWhole() throws Exception {
        EmbeddedChannel ch = new EmbeddedChannel(new DeflateOnFlush(6));
        byte[] noise = new byte[1 << 20];
        new Random(7).nextBytes(noise);
        ch.writeAndFlush(Unpooled.wrappedBuffer(noise));
        ByteBuf out = drainOutbound(ch);
        inflater.setInput(out.nioBuffer());
        byte[] back = new byte[noise.length + 1];
        int n = 0;
        while (n < noise.length) {
            int r = inflater.inflate(back, n, back.length - n);
            assertThat(r).as("inflate made progress").isPositive();
            n += r;
        }
        out.release();
        assertThat(java.util.Arrays.copyOf(back, n)).isEqualTo(noise);
        ch.finishAndReleaseAll();
    }

    private String inflate(EmbeddedChannel ch) throws Exception {
        return inflate(drainOutbound(ch));
    }

    private String inflate(ByteBuf compressed) throws Exception {
        inflater.setInput(compressed.nioBuffer());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        while ((n = inflater.inflate(buf)) > 0) {
            out.write(buf, 0, n);
        }
        assertThat(inflater.needsInput()).as("a SYNC_FLUSH ends every flush: all input inflates").isTrue();
        compressed.release();
        return out.toString(StandardCharsets.US_ASCII);
    }

    private static ByteBuf drainOutbound(EmbeddedChannel ch) {
        ByteBuf all = Unpooled.buffer();
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            all.writeBytes(b);
            b.release();
        }
        return all;
    }
}
