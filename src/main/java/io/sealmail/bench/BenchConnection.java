package io.sealmail.bench;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
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
    /** Where octets come from: the TLS socket, or the inflater over it after COMPRESS. */
    private InputStream in;
    private OutputStream out;
    private byte[] buf = new byte[64 * 1024];
    private int pos;
    private int limit;
    private long received;

    private BenchConnection(Socket socket) throws IOException {
        this(socket, socket.getInputStream(), socket.getOutputStream());
    }

    /** Over given streams (tests: a source that hands out a few octets per read); {@code socket} may be null. */
    BenchConnection(Socket socket, InputStream in, OutputStream out) {
        this.socket = socket;
        this.wire = new WireCount(in);
        this.in = wire;
        this.out = out;
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
        // Generous: the cold first SORT or THREAD of a 100,000-message folder reads every message file once (both
        // servers build their caches then), which takes minutes on a loaded machine.
        raw.setSoTimeout(900_000);
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

    /**
     * One line without its CRLF (ISO-8859-1, so every octet survives). Scanned in this connection's own buffer: a
     * {@code read()} per octet through a locked stream cost the client more than either server spent on a 100,000
     * message header FETCH, and how much more moved with the client's JIT, so the figure was the client's.
     */
    String line() throws IOException {
        int scanned = pos;
        while (true) {
            for (int i = scanned; i < limit; i++) {
                if (buf[i] == '\n') {
                    String line = text(buf, pos, i);
                    received += i - pos + 1;
                    pos = i + 1;
                    return line;
                }
            }
            scanned = limit - pos; // where the scan goes on once the part kept is moved to the start
            if (!fillMore()) {
                throw new IOException("connection closed by the server after: " + text(buf, pos, limit));
            }
        }
    }

    /** The octets from {@code from} to {@code end} as ISO-8859-1, without a CR before {@code end}. */
    private static String text(byte[] bytes, int from, int end) {
        int to = end > from && bytes[end - 1] == '\r' ? end - 1 : end;
        return new String(bytes, from, to - from, StandardCharsets.ISO_8859_1);
    }

    /** Reads and drops {@code n} octets (an IMAP literal). */
    void skip(long n) throws IOException {
        long left = n;
        while (left > 0) {
            if (pos == limit && !fill()) {
                throw new IOException("connection closed inside a literal");
            }
            int take = (int) Math.min(limit - pos, left);
            pos += take;
            left -= take;
        }
        received += n;
    }

    /** Reads what the source has into the buffer, which must be empty; false at its end. */
    private boolean fill() throws IOException {
        pos = 0;
        limit = 0;
        return fillMore();
    }

    /**
     * Reads more after what is buffered: the unread part is moved to the start first, and the buffer doubled when
     * that part fills it (a line longer than the buffer). False at the source's end.
     */
    private boolean fillMore() throws IOException {
        int kept = limit - pos;
        if (kept == buf.length) {
            buf = Arrays.copyOf(buf, buf.length * 2);
        } else if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, kept);
        }
        pos = 0;
        limit = kept;
        int n = in.read(buf, limit, buf.length - limit);
        if (n < 0) {
            return false;
        }
        limit += n;
        return true;
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
        // Anything already buffered past the OK is the compressed stream's start (servers send nothing there).
        InputStream rest = new SequenceInputStream(new ByteArrayInputStream(buf, pos, limit - pos), wire);
        pos = limit;
        in = new InflaterInputStream(rest, new Inflater(true), 16 * 1024);
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
            if (socket != null) {
                socket.close();
            }
        } catch (IOException ignored) {
            // closing
        }
    }
}
