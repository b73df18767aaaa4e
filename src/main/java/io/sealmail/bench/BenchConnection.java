package io.sealmail.bench;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * One implicit-TLS connection (IMAPS, POP3S) for the load generators: the server's certificate is verified
 * against the given CA and host name, lines are read as octets (IMAP literals are counted, not decoded).
 */
final class BenchConnection implements AutoCloseable {
    private final Socket socket;
    private final WireCount wire;
    private InputStream in;
    private OutputStream out;
    private long received;

    private BenchConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.wire = new WireCount(socket.getInputStream());
        this.in = new BufferedInputStream(wire, 64 * 1024);
        this.out = socket.getOutputStream();
    }

    static BenchConnection open(String host, int port, SSLContext ssl) throws IOException {
        return open(host, new InetSocketAddress(host, port), null, ssl);
    }

    /**
     * @param host    the name the server's certificate must carry
     * @param address where to connect (may differ from {@code host}, e.g. 127.0.4.1 for a certificate for localhost)
     * @param from    the local address to connect from, or null for any
     */
    static BenchConnection open(String host, InetSocketAddress address, java.net.InetAddress from, SSLContext ssl)
            throws IOException {
        int port = address.getPort();
        Socket raw = new Socket();
        raw.setTcpNoDelay(true);
        if (from != null) {
            raw.bind(new InetSocketAddress(from, 0));
        }
        raw.connect(address, 10_000);
        raw.setSoTimeout(120_000);
        SSLSocket tls = (SSLSocket) ssl.getSocketFactory().createSocket(raw, host, port, true);
        SSLParameters params = tls.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        tls.setSSLParameters(params);
        tls.startHandshake();
        return new BenchConnection(tls);
    }

    void send(String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** One line without its CRLF (ISO-8859-1, so every octet survives). */
    String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(128);
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            b.write(c);
        }
        if (c == -1) {
            throw new IOException("connection closed by the server after: " + b.toString(StandardCharsets.ISO_8859_1));
        }
        received += b.size() + 1;
        byte[] bytes = b.toByteArray();
        int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
    }

    /** Reads and drops {@code n} octets (an IMAP literal). */
    void skip(long n) throws IOException {
        byte[] buf = new byte[8192];
        long left = n;
        while (left > 0) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (r < 0) {
                throw new IOException("connection closed inside a literal");
            }
            left -= r;
        }
        received += n;
    }

    /** Octets read so far, as the protocol sees them (after decompression). */
    long received() {
        return received;
    }

    /** Octets read from the TLS layer so far: what the server sent, compressed or not. */
    long wireOctets() {
        return wire.count;
    }

    /**
     * Turns on RFC 4978 DEFLATE after the server's tagged OK to COMPRESS: raw DEFLATE both ways, every command
     * flushed with SYNC_FLUSH (as clients do, so that the server sees it whole).
     */
    void compress() {
        in = new BufferedInputStream(new InflaterInputStream(wire, new Inflater(true), 16 * 1024), 64 * 1024);
        out = new DeflaterOutputStream(out, new Deflater(Deflater.DEFAULT_COMPRESSION, true), 1024, true);
    }

    private static final class WireCount extends FilterInputStream {
        private long count;

        WireCount(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int c = super.read();
            if (c >= 0) {
                count++;
            }
            return c;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
