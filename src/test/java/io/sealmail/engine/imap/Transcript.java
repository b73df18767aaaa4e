package io.sealmail.engine.imap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Drives a protocol session in an EmbeddedChannel: send a line, read what came back. */
public final class Transcript {
    private final EmbeddedChannel channel;

    public Transcript(EmbeddedChannel channel) {
        this.channel = channel;
    }

    public EmbeddedChannel channel() {
        return channel;
    }

    /** Sends raw text (add CRLF yourself) and returns everything written back. */
    public String sendRaw(String text) {
        channel.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
        channel.runPendingTasks();
        return output();
    }

    public String send(String line) {
        return sendRaw(line + "\r\n");
    }

    /** Sends a line and checks that the whole answer starts with {@code expectedPrefix}. */
    public String expect(String line, String expectedPrefix) {
        String out = send(line);
        assertThat(out).as("answer to %s", line).startsWith(expectedPrefix);
        return out;
    }

    public String output() {
        StringBuilder sb = new StringBuilder();
        Object o;
        while ((o = channel.readOutbound()) != null) {
            ByteBuf b = (ByteBuf) o;
            sb.append(b.toString(StandardCharsets.UTF_8));
            b.release();
        }
        return sb.toString();
    }
}
