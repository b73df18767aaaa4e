package io.sealmail.engine.delivery;

import io.sealmail.engine.tls.TlsPolicy;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One SMTP client connection, blocking, on a thread of the bounded delivery pool (as a Postfix {@code smtp}
 * process): the caller's thread is the only one that ever waits on this remote.
 *
 * <p>Every wait is bounded. Each reply has a deadline (RFC 5321 §4.5.3.2: the command timeout, or the data timeout
 * for the final dot); reads take the time left as their socket timeout, and a watchdog closes the socket when a
 * deadline passes in a write (a peer that stops reading cannot hold the thread, since socket timeouts do not cover
 * writes). A reply is bounded too: lines of at most {@value #MAX_LINE} octets, {@value #MAX_LINES} lines per reply.
 * Any breach is a {@link SmtpProtocolException}: the message is deferred with that reason.
 */
final class SmtpClientConnection implements Closeable {
    /** Longest reply line accepted including CRLF (RFC 5321 §4.5.3.1.5 sets 512; real servers send more). */
    static final int MAX_LINE = 2048;
    /** Most lines of one reply (a long EHLO reply has a dozen or two). */
    static final int MAX_LINES = 100;

    private final String host;
    private final InetSocketAddress address;
    private final ScheduledExecutorService watchdog;
    private volatile Socket socket;
    /** When the write in progress must have finished (System.nanoTime), 0 when none is in progress. */
    private volatile long writeDeadline;
    /** The watchdog's alarm for this connection, while one is set (guarded by this). */
    private ScheduledFuture<?> alarm;
    /** The alarm closed the socket: a write failed by timeout. */
    private volatile boolean timedOut;
    private InputStream in;
    private OutputStream out;
    private final byte[] buf = new byte[8192];
    private int pos;
    private int limit;
    private SSLSession tls;

    private SmtpClientConnection(String host, InetSocketAddress address, ScheduledExecutorService watchdog) {
        this.host = host;
        this.address = address;
        this.watchdog = watchdog;
    }

    /** Connects within {@code timeout}; with {@code implicitTls} the handshake happens at once (RFC 8314). */
    static SmtpClientConnection connect(String host, InetSocketAddress address, Duration timeout,
                                        ScheduledExecutorService watchdog) throws IOException {
        SmtpClientConnection c = new SmtpClientConnection(host, address, watchdog);
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(address, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        } catch (IOException e) {
            s.close();
            throw e;
        }
        c.attach(s);
        return c;
    }

    private void attach(Socket s) throws IOException {
        this.socket = s;
        this.in = s.getInputStream();
        this.out = new BufferedOutputStream(s.getOutputStream(), 16 * 1024);
    }

    String host() {
        return host;
    }

    InetSocketAddress address() {
        return address;
    }

    /** The TLS session once a handshake happened, else null. */
    SSLSession tls() {
        return tls;
    }

    boolean isOpen() {
        return socket != null && !socket.isClosed();
    }

    /** Reads one whole reply within {@code timeout}. */
    RemoteReply read(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> lines = new ArrayList<>();
        int code = -1;
        while (true) {
            String line = readLine(deadline);
            if (line.length() < 3 || !Character.isDigit(line.charAt(0)) || !Character.isDigit(line.charAt(1))
                    || !Character.isDigit(line.charAt(2)) || (line.length() > 3 && line.charAt(3) != ' ' && line.charAt(3) != '-')) {
                throw new SmtpProtocolException("malformed reply line from " + host + ": " + printable(line));
            }
            int lineCode = Integer.parseInt(line.substring(0, 3));
            if (code >= 0 && lineCode != code) {
                throw new SmtpProtocolException("reply from " + host + " changes its code within one reply");
            }
            code = lineCode;
            if (code < 200 || code > 599) {
                throw new SmtpProtocolException("reply code " + code + " from " + host + " is outside 2xx-5xx");
            }
            lines.add(line.length() > 4 ? line.substring(4) : "");
            if (line.length() == 3 || line.charAt(3) == ' ') {
                return new RemoteReply(code, lines);
            }
            if (lines.size() >= MAX_LINES) {
                throw new SmtpProtocolException("reply from " + host + " has more than " + MAX_LINES + " lines");
            }
        }
    }

    private String readLine(long deadline) throws IOException {
        byte[] line = new byte[256];
        int n = 0;
        while (true) {
            if (pos == limit) {
                fill(deadline);
            }
            byte b = buf[pos++];
            if (b == '\n') {
                int len = n > 0 && line[n - 1] == '\r' ? n - 1 : n;
                return new String(line, 0, len, StandardCharsets.UTF_8);
            }
            if (n + 1 >= MAX_LINE) {
                throw new SmtpProtocolException("reply line from " + host + " longer than " + MAX_LINE + " octets");
            }
            if (n == line.length) {
                line = java.util.Arrays.copyOf(line, Math.min(MAX_LINE, n * 2));
            }
            line[n++] = b;
        }
    }

    private void fill(long deadline) throws IOException {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
            throw new SocketTimeoutException("no complete reply from " + host + " in time");
        }
        socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(1, left)));
        int r;
        try {
            r = in.read(buf, 0, buf.length);
        } catch (SocketTimeoutException e) {
            throw new SocketTimeoutException("timeout waiting for a reply from " + host);
        }
        if (r < 0) {
            throw new SmtpProtocolException("connection closed by " + host);
        }
        pos = 0;
        limit = r;
    }

    /** Sends command lines (several at once when pipelining, RFC 2920) and flushes, within {@code timeout}. */
    void send(Duration timeout, String... commands) throws IOException {
        for (String c : commands) {
            out.write(c.getBytes(StandardCharsets.UTF_8));
            out.write('\r');
            out.write('\n');
        }
        guarded(timeout, out::flush);
    }

    /**
     * Sends the message (CRLF lines as spooled) with dot-stuffing (RFC 5321 §4.5.2) and the final
     * {@code CRLF.CRLF}, within {@code timeout}.
     */
    void sendData(InputStream message, Duration timeout) throws IOException {
        guarded(timeout, () -> {
            byte[] chunk = new byte[16 * 1024];
            boolean lineStart = true;
            int last = -1;
            int r;
            while ((r = message.read(chunk)) > 0) {
                int from = 0;
                for (int i = 0; i < r; i++) {
                    byte b = chunk[i];
                    if (lineStart && b == '.') {
                        out.write(chunk, from, i - from);
                        out.write('.');
                        from = i;
                    }
                    lineStart = b == '\n';
                    last = b;
                }
                out.write(chunk, from, r - from);
            }
            if (last != '\n') {
                out.write('\r');
                out.write('\n');
            }
            out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        });
    }

    private interface Io {
        void run() throws IOException;
    }

    /**
     * Runs a write with a watchdog that closes the socket at the deadline (writes ignore SO_TIMEOUT). The alarm is
     * not scheduled and cancelled per write (each would wake the watchdog thread, twice per message): a write
     * publishes its deadline, and one alarm per connection, set for the earliest deadline it has to watch, looks
     * when it rings and either closes the socket or sets itself for the deadline now in force.
     */
    private void guarded(Duration timeout, Io io) throws IOException {
        Socket s = socket;
        long delay = timeout.toNanos();
        writeDeadline = System.nanoTime() + delay | 1; // never 0, which means "no write in progress"
        armAlarm(delay);
        try {
            io.run();
        } catch (IOException e) {
            if (s.isClosed() && timedOut) {
                throw new SocketTimeoutException("timeout sending to " + host + " (the peer stopped reading)");
            }
            throw e;
        } finally {
            writeDeadline = 0;
        }
    }

    private synchronized void armAlarm(long delayNanos) {
        if (alarm != null && alarm.getDelay(TimeUnit.NANOSECONDS) <= delayNanos) {
            return; // rings before this write's deadline, and will look again then
        }
        if (alarm != null) {
            alarm.cancel(false);
        }
        alarm = watchdog.schedule(this::alarmRang, delayNanos, TimeUnit.NANOSECONDS);
    }

    /** On the watchdog thread: closes the socket when the write in progress is past its deadline. */
    private void alarmRang() {
        synchronized (this) {
            long deadline = writeDeadline;
            long left = deadline - System.nanoTime();
            if (deadline == 0 || left > 0) {
                alarm = deadline == 0 ? null : watchdog.schedule(this::alarmRang, left, TimeUnit.NANOSECONDS);
                return;
            }
            alarm = null;
            timedOut = true;
        }
        close();
    }

    /**
     * Upgrades to TLS after a 220 to STARTTLS (RFC 3207), or at once for implicit TLS. Anything the server sent
     * after its 220 and before the handshake is refused (RFC 3207 §5: plaintext must not leak into the TLS session).
     *
     * @param verifyName the name to check the certificate against (RFC 6125), or null when the caller checks the
     *                   chain itself (the transport policy)
     */
    void startTls(SSLContext context, String verifyName, Duration timeout) throws IOException {
        if (pos != limit) {
            throw new SmtpProtocolException(host + " sent data after its STARTTLS reply (command injection attempt?)");
        }
        SSLSocket ssl = (SSLSocket) context.getSocketFactory().createSocket(socket, host, address.getPort(), true);
        ssl.setUseClientMode(true);
        SSLParameters p = ssl.getSSLParameters();
        p.setProtocols(TlsPolicy.PROTOCOLS.toArray(String[]::new));
        List<String> supported = List.of(ssl.getSupportedCipherSuites());
        p.setCipherSuites(TlsPolicy.CIPHER_SUITES.stream().filter(supported::contains).toArray(String[]::new));
        if (isDnsName(host)) {
            p.setServerNames(List.of(new SNIHostName(host)));
        }
        if (verifyName != null) {
            p.setEndpointIdentificationAlgorithm("HTTPS");
        }
        ssl.setSSLParameters(p);
        attach(ssl);
        pos = limit = 0;
        ssl.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        guarded(timeout, ssl::startHandshake);
        tls = ssl.getSession();
    }

    static boolean isDnsName(String host) {
        return host != null && host.indexOf(':') < 0 && !host.matches("[0-9.]+") && host.contains(".");
    }

    /** Sends QUIT and waits briefly for its reply, then closes (RFC 5321 §4.1.1.10); never throws. */
    void quit(Duration timeout) {
        try {
            if (isOpen()) {
                send(timeout, "QUIT");
                read(timeout);
            }
        } catch (IOException ignored) {
            // the remote may close first; we are leaving anyway
        } finally {
            close();
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (alarm != null) {
                alarm.cancel(false);
                alarm = null;
            }
        }
        try {
            if (socket != null) {
                socket.close();
            }
        } catch (IOException ignored) {
            // nothing left to do
        }
    }

    private static String printable(String s) {
        String cut = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
