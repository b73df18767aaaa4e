package io.sealmail.engine.imap;

import io.sealmail.config.Role;

import java.io.IOException;
import java.io.UncheckedIOException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A raw IMAP transcript over a real socket (implicit TLS to the engine's IMAPS listener): {@link #send} writes one
 * command line and returns every line up to and including its tagged answer, CRLFs kept, in the shape
 * {@link Transcript} returns over an EmbeddedChannel.
 */
final class SocketTranscript implements AutoCloseable {
    private final WireClient client;

    private SocketTranscript(WireClient client) {
        this.client = client;
    }

    /** Connected over IMAPS and logged in as {@code user}; the greeting and the login answer are checked. */
    static SocketTranscript login(MailAccessTestServer server, String user, String password) throws IOException {
        SocketTranscript t = new SocketTranscript(WireClient.tls(server.address(Role.IMAPS), server.pki().clientContext()));
        assertThat(t.client.readLine()).startsWith("* OK");
        assertThat(t.send("a0 LOGIN " + user + " \"" + password + "\"")).contains("a0 OK");
        return t;
    }

    /** Sends a command (its tag is its first word) and returns the answer through its tagged line. */
    String send(String line) {
        return sendRaw(line + "\r\n", line.substring(0, line.indexOf(' ')));
    }

    /** Sends raw text (literals and all) and reads through the tagged answer of {@code tag}. */
    String sendRaw(String text, String tag) {
        try {
            client.send(text);
            StringBuilder out = new StringBuilder();
            String l;
            while ((l = client.readLine()) != null) {
                out.append(l).append("\r\n");
                if (l.startsWith(tag + " ")) {
                    return out.toString();
                }
            }
            throw new AssertionError("connection closed; saw:\n" + out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    WireClient client() {
        return client;
    }

    @Override
    public void close() throws IOException {
        client.close();
    }
}
