package io.sealmail.bench;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The load generator's own line and literal reading, at every read boundary a socket can produce. */
class BenchConnectionTest {

    /** Hands out at most {@code most} octets per read, as a socket may. */
    private static InputStream trickle(byte[] bytes, int most) {
        return new FilterInputStream(new ByteArrayInputStream(bytes)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return super.read(b, off, Math.min(len, most));
            }
        };
    }

    private static BenchConnection over(byte[] bytes, int most) {
        return new BenchConnection(null, trickle(bytes, most), new ByteArrayOutputStream());
    }

    @Test
    void linesAndLiteralsSplitAtEveryBoundaryReadTheSame() throws IOException {
        String longLine = "x".repeat(200_000); // longer than the connection's buffer
        String literal = "Subject: hi\r\n\r\n" + "y".repeat(150_000);
        String stream = "* OK ready\r\n* 1 FETCH (BODY[] {" + literal.length() + "}\r\n" + literal + ")\r\n"
                + longLine + "\r\nbare LF\nlast\r\n";
        byte[] bytes = stream.getBytes(StandardCharsets.ISO_8859_1);
        for (int most : new int[] {1, 2, 3, 7, 13, 4096, 65_536, 1 << 20}) {
            BenchConnection c = over(bytes, most);
            assertThat(c.line()).as("per read %d", most).isEqualTo("* OK ready");
            assertThat(c.line()).isEqualTo("* 1 FETCH (BODY[] {" + literal.length() + "}");
            c.skip(literal.length());
            assertThat(c.line()).isEqualTo(")");
            assertThat(c.line()).isEqualTo(longLine);
            assertThat(c.line()).isEqualTo("bare LF");
            assertThat(c.line()).isEqualTo("last");
            assertThat(c.received()).isEqualTo(bytes.length);
            assertThat(c.wireOctets()).isEqualTo(bytes.length);
            assertThatThrownBy(c::line).hasMessageContaining("connection closed by the server");
        }
    }

    @Test
    void theServersLastWordsAreInTheErrorAndALiteralCutShortIsAnError() {
        BenchConnection c = over("* BYE going".getBytes(StandardCharsets.US_ASCII), 3);
        assertThatThrownBy(c::line).isInstanceOf(IOException.class).hasMessageEndingWith("after: * BYE going");
        BenchConnection d = over("abc".getBytes(StandardCharsets.US_ASCII), 2);
        assertThatThrownBy(() -> d.skip(10)).hasMessageContaining("inside a literal");
    }

    @Test
    void afterCompressWhatWasAlreadyBufferedIsInflatedFirst() throws IOException {
        ByteArrayOutputStream deflated = new ByteArrayOutputStream();
        try (DeflaterOutputStream z = new DeflaterOutputStream(deflated, new Deflater(Deflater.DEFAULT_COMPRESSION,
                true), 512, true)) {
            z.write("* 1 FETCH (UID 1)\r\nb1 OK done\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes("b0 OK DEFLATE active\r\n".getBytes(StandardCharsets.US_ASCII));
        all.writeBytes(deflated.toByteArray());
        BenchConnection c = over(all.toByteArray(), 1 << 20); // one read takes the OK and the compressed bytes
        assertThat(c.line()).isEqualTo("b0 OK DEFLATE active");
        c.compress();
        assertThat(c.line()).isEqualTo("* 1 FETCH (UID 1)");
        assertThat(c.line()).isEqualTo("b1 OK done");
        assertThat(c.wireOctets()).isEqualTo(all.size());
    }
}
