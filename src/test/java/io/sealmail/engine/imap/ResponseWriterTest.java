package io.sealmail.engine.imap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

class ResponseWriterTest {

    @Test
    void aLargeResponseIsKeptInPiecesWithEveryOctetInOrder() {
        ResponseWriter w = new ResponseWriter(PooledByteBufAllocator.DEFAULT, false);
        StringBuilder expected = new StringBuilder();
        byte[] big = new byte[100_000];
        Arrays.fill(big, (byte) 'b');
        for (int i = 1; i <= 300; i++) {
            byte[] body = ("message " + i + " " + "x".repeat(i * 7)).getBytes(StandardCharsets.US_ASCII);
            w.raw("* ").raw(Integer.toString(i)).raw(" FETCH (UID ").raw(Integer.toString(i)).raw(" BODY[] ").literal(body).raw(')').crlf();
            expected.append("* ").append(i).append(" FETCH (UID ").append(i).append(" BODY[] {").append(body.length)
                    .append("}\r\n").append(new String(body, StandardCharsets.US_ASCII)).append(")\r\n");
            if (i == 100) {
                // a buffer handed over whole (a message file read into it) joins the response between the text
                ByteBuf file = PooledByteBufAllocator.DEFAULT.directBuffer().writeBytes("file octets".getBytes(StandardCharsets.US_ASCII));
                w.raw("* 0 FILE ").literal(file).raw(" tail").crlf();
                expected.append("* 0 FILE {11}\r\nfile octets tail\r\n");
            }
            if (i == 150) {
                w.raw("* 0 BIG ").literal(big).crlf().string("quoted \"text\"").crlf();
                expected.append("* 0 BIG {100000}\r\n").append("b".repeat(100_000)).append("\r\n\"quoted \\\"text\\\"\"\r\n");
            }
        }
        assertThat(w.size()).isEqualTo(expected.length());
        ByteBuf out = w.buffer();
        try {
            assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo(expected.toString());
            assertThat(out).isInstanceOf(CompositeByteBuf.class);
            CompositeByteBuf pieces = (CompositeByteBuf) out;
            for (int i = 0; i < pieces.numComponents(); i++) {
                int size = pieces.internalComponent(i).readableBytes();
                // 32 KiB pieces; only the piece holding the 100,000-octet literal is longer
                assertThat(size).isLessThanOrEqualTo(size > 100_000 ? 100_000 + 64 : 32 * 1024);
            }
        } finally {
            out.release();
        }
    }

    @Test
    void aSmallResponseIsOneBuffer() {
        ResponseWriter w = new ResponseWriter(PooledByteBufAllocator.DEFAULT, false);
        w.raw("* LIST () \"/\" ").string("INBOX").crlf();
        ByteBuf out = w.buffer();
        try {
            assertThat(out).isNotInstanceOf(CompositeByteBuf.class);
            assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("* LIST () \"/\" \"INBOX\"\r\n");
        } finally {
            out.release();
        }
    }
}
