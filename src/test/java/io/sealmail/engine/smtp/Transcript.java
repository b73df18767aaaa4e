package io.sealmail.engine.smtp;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * A raw-socket SMTP conversation written as a transcript, so each RFC rule is a three-line test
 * (the idea of Apache James's mpt scripts and Stalwart's {@code session.cmd("NOOP", "250")}).
 * <pre>
 * C: EHLO client.test     send a line (CRLF added)
 * S: 250 2.1.0            read one whole reply; its last line must start with this
 * S~ STARTTLS             the last reply has a line containing this
 * S! AUTH                 the last reply has no line containing this
 * TLS                     upgrade the socket to TLS (after a 220 to STARTTLS), trusting only our CA
 * CLOSED                  the server has closed the connection
 * </pre>
 */
final class Transcript implements AutoCloseable {
    private final SSLContext trust;
    private final String host;
    private Socket socket;
    private BufferedReader in;
    private OutputStream out;
    private List<String> lastReply = List.of();

    private Transcript(Socket socket, SSLContext trust, String host) throws IOException {
        this.trust = trust;
        this.host = host;
        attach(socket);
    }

    static Transcript connect(InetSocketAddress address, SSLContext trust) throws IOException {
        Socket s = new Socket();
        s.connect(address, 5000);
        return new Transcript(s, trust, address.getHostString());
    }

    static Transcript connectTls(InetSocketAddress address, SSLContext trust) throws IOException {
        Socket plain = new Socket();
        plain.connect(address, 5000);
        Transcript t = new Transcript(plain, trust, address.getHostString());
        t.upgrade();
        return t;
    }

    private void attach(Socket s) throws IOException {
        socket = s;
        socket.setSoTimeout(10_000);
        in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        out = socket.getOutputStream();
    }

    void upgrade() throws IOException {
        SSLSocket tls = (SSLSocket) trust.getSocketFactory().createSocket(socket, host, socket.getPort(), true);
        SSLParameters params = tls.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        tls.setSSLParameters(params);
        tls.setUseClientMode(true);
        tls.startHandshake();
        attach(tls);
    }

    Socket socket() {
        return socket;
    }

    Transcript run(String script) throws IOException {
        for (String raw : script.strip().split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.equals("C:")) {
                send("\r\n");
            } else if (line.startsWith("C: ")) {
                send(line.substring(3) + "\r\n");
            } else if (line.startsWith("S: ")) {
                expect(line.substring(3));
            } else if (line.startsWith("S~ ")) {
                String want = line.substring(3);
                assertThat(lastReply).as("reply %s contains %s", lastReply, want).anyMatch(l -> l.contains(want));
            } else if (line.startsWith("S! ")) {
                String unwanted = line.substring(3);
                assertThat(lastReply).as("reply %s lacks %s", lastReply, unwanted).noneMatch(l -> l.contains(unwanted));
            } else if (line.equals("TLS")) {
                upgrade();
            } else if (line.equals("CLOSED")) {
                assertClosed();
            } else {
                fail("bad transcript line: " + line);
            }
        }
        return this;
    }

    void send(String raw) throws IOException {
        out.write(raw.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Reads one complete reply (RFC 5321 §4.2.1 multi-line: "250-" lines then "250 "). */
    List<String> reply() throws IOException {
        List<String> lines = new ArrayList<>();
        while (true) {
            String line = in.readLine();
            if (line == null) {
                fail("connection closed while waiting for a reply; got so far " + lines);
            }
            lines.add(line);
            if (line.length() < 4 || line.charAt(3) != '-') {
                lastReply = lines;
                return lines;
            }
        }
    }

    List<String> expect(String prefix) throws IOException {
        List<String> lines = reply();
        assertThat(lines.get(lines.size() - 1)).as("reply %s", lines).startsWith(prefix);
        return lines;
    }

    void assertClosed() throws IOException {
        try {
            String line = in.readLine();
            assertThat(line).as("expected the server to close").isNull();
        } catch (SocketTimeoutException e) {
            fail("the server did not close the connection");
        } catch (IOException e) {
            // reset by peer counts as closed
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
