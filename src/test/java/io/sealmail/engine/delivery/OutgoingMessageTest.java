package io.sealmail.engine.delivery;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** What the SMTP client learns from a queued message before MAIL FROM (8BITMIME, SMTPUTF8, loop detection). */
class OutgoingMessageTest {
    @TempDir
    Path dir;

    private OutgoingMessage scan(byte[] message) throws IOException {
        ByteArrayOutputStream entry = new ByteArrayOutputStream();
        entry.writeBytes("sealmail-queue 1\n{\"id\":\"X\"}\n".getBytes(StandardCharsets.US_ASCII));
        entry.writeBytes(message);
        Path file = dir.resolve("X.msg");
        Files.write(file, entry.toByteArray());
        return OutgoingMessage.scan("X", "a@example.org", file);
    }

    private OutgoingMessage scan(String message) throws IOException {
        return scan(message.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void countsReceivedFieldsOfTheHeaderOnlyInAnyCase() throws IOException {
        OutgoingMessage m = scan("Received: from a\r\nRECEIVED: from b\r\n\tby c\r\nX-Received: no\r\nReceived-SPF: no\r\n"
                + "received:x\r\nSubject: hi\r\n\r\nReceived: in the body, not a field\r\n");
        assertThat(m.receivedCount()).isEqualTo(3);
        assertThat(m.eightBit()).isFalse();
        assertThat(m.utf8Headers()).isFalse();
    }

    @Test
    void anEightBitBodyIsEightBitButNotAnInternationalisedHeader() throws IOException {
        OutgoingMessage m = scan("Subject: plain\r\n\r\nGrüße\r\n");
        assertThat(m.eightBit()).isTrue();
        assertThat(m.utf8Headers()).isFalse();
    }

    @Test
    void anEightBitHeaderIsBoth() throws IOException {
        OutgoingMessage m = scan("Subject: Grüße\r\n\r\nplain\r\n");
        assertThat(m.eightBit()).isTrue();
        assertThat(m.utf8Headers()).isTrue();
    }

    @Test
    void anEightBitOctetPastTheFirstBufferIsFoundAndTheSizeCountsEveryOctet() throws IOException {
        String head = "Received: from a\r\n\r\n";
        byte[] body = "x".repeat(40_000).getBytes(StandardCharsets.US_ASCII);
        body[35_000] = (byte) 0xe9;
        byte[] message = new byte[head.length() + body.length];
        System.arraycopy(head.getBytes(StandardCharsets.US_ASCII), 0, message, 0, head.length());
        System.arraycopy(body, 0, message, head.length(), body.length);
        OutgoingMessage m = scan(message);
        assertThat(m.eightBit()).isTrue();
        assertThat(m.utf8Headers()).isFalse();
        assertThat(m.size()).isEqualTo(message.length);
        assertThat(m.receivedCount()).isEqualTo(1);
    }

    @Test
    void aMessageStartingWithAnEmptyLineHasNoHeaderSection() throws IOException {
        OutgoingMessage crlf = scan("\r\nReceived: body\r\nGrüße\r\n");
        assertThat(crlf.receivedCount()).isZero();
        assertThat(crlf.utf8Headers()).isFalse();
        assertThat(crlf.eightBit()).isTrue();
        assertThat(scan("\nReceived: body\n").receivedCount()).isZero();
    }

    @Test
    void bareLineFeedsEndTheHeaderToo() throws IOException {
        OutgoingMessage m = scan("Received: a\nReceived: b\n\nReceived: c\n");
        assertThat(m.receivedCount()).isEqualTo(2);
    }
}
