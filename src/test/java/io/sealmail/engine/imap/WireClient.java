package io.sealmail.engine.imap;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A raw line-oriented client for wire-level tests (plaintext, implicit TLS, STARTTLS). */
public final class WireClient implements AutoCloseable {
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    private WireClient(Socket socket) throws IOException {
        use(socket);
    }

    private void use(Socket s) throws IOException {
        this.socket = s;
        s.setSoTimeout(10_000);
        this.in = new BufferedInputStream(s.getInputStream());
        this.out = s.getOutputStream();
    }

    public static WireClient plain(InetSocketAddress address) throws IOException {
        Socket s = new Socket();
        s.connect(address, 5000);
        return new WireClient(s);
    }

    public static WireClient tls(InetSocketAddress address, SSLContext context) throws IOException {
        SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket();
        s.connect(address, 5000);
        s.startHandshake();
        return new WireClient(s);
    }

    /** Implicit TLS from a chosen local address (e.g. one of 127.0.4.x, so each client counts as its own address). */
    public static WireClient tls(InetSocketAddress address, java.net.InetAddress from, SSLContext context) throws IOException {
        SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket();
        s.bind(new InetSocketAddress(from, 0));
        s.connect(address, 5000);
        s.startHandshake();
        return new WireClient(s);
    }

    /**
     * True when nothing at all has arrived within {@code millis}: used only where the answer cannot legitimately
     * come for far longer than that (a minute-long scheduled delay), so a short wait proves "not yet".
     */
    public boolean silentFor(int millis) throws IOException {
        int old = socket.getSoTimeout();
        socket.setSoTimeout(millis);
        try {
            in.mark(1);
            int c = in.read();
            in.reset();
            return false;
        } catch (java.net.SocketTimeoutException e) {
            return true;
        } finally {
            socket.setSoTimeout(old);
        }
    }

    public void startTls(SSLContext context) throws IOException {
        SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(socket, "localhost", socket.getPort(), true);
        s.startHandshake();
        use(s);
    }

    public void send(String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    public void sendLine(String line) throws IOException {
        send(line + "\r\n");
    }

    /** One line without CRLF, or null at end of stream. */
    public String readLine() throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                byte[] b = buf.toByteArray();
                int len = b.length > 0 && b[b.length - 1] == '\r' ? b.length - 1 : b.length;
                return new String(b, 0, len, StandardCharsets.UTF_8);
            }
            buf.write(c);
        }
        return buf.size() == 0 ? null : buf.toString(StandardCharsets.UTF_8);
    }

    /** Reads lines until one starts with {@code prefix}; returns it (fails with the lines seen on end of stream). */
    public String readUntil(String prefix) throws IOException {
        StringBuilder seen = new StringBuilder();
        String line;
        while ((line = readLine()) != null) {
            if (line.startsWith(prefix)) {
                return line;
            }
            seen.append(line).append('\n');
        }
        throw new IOException("connection ended before '" + prefix + "'; saw:\n" + seen);
    }

    /** True when the server closed the connection (reads end of stream). */
    public boolean closedByServer() {
        try {
            while (true) {
                if (in.read() == -1) {
                    return true;
                }
            }
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
