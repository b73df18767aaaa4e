package io.sealmail.engine.delivery;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small SMTP server whose answers a test scripts (for what a real Postfix cannot be made to do on cue: 451
 * then 250, a reply line of 10 MB, silence). One thread per connection; everything it received is kept.
 */
final class ScriptedPeer implements AutoCloseable {
    /** One received transaction. */
    record Received(String mailFrom, List<String> rcptTo, byte[] data, String tls) {
        String text() {
            return new String(data, StandardCharsets.UTF_8);
        }
    }

    /** What the peer does right after accepting a connection. */
    enum Opening { GREET, SILENT, HUGE_LINE, REFUSE_554 }

    private final ServerSocket server;
    private final Thread acceptor;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    final List<Received> received = new CopyOnWriteArrayList<>();
    final List<String> commands = new CopyOnWriteArrayList<>();
    final AtomicInteger connections = new AtomicInteger();
    final ConcurrentLinkedDeque<String> dataReplies = new ConcurrentLinkedDeque<>();
    final Map<String, String> rcptReplies = new ConcurrentHashMap<>();
    volatile Opening opening = Opening.GREET;
    volatile boolean pipelining = true;
    volatile SSLContext startTls;
    volatile SSLContext implicitTls;
    /** When set, MAIL needs a prior AUTH PLAIN or LOGIN with exactly these. */
    volatile String requiredLogin;
    volatile String extraCapabilities = "";
    volatile String authMechanisms = "PLAIN LOGIN";
    /** After its 354 the peer stops reading (until it is closed): the client's write of the message blocks. */
    volatile boolean stopReadingAtData;
    private final java.util.concurrent.CountDownLatch closing = new java.util.concurrent.CountDownLatch(1);
    private volatile boolean closed;

    ScriptedPeer(InetAddress address, int port) throws IOException {
        server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(address, port));
        acceptor = new Thread(this::accept, "scripted-peer-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Closes every connection from this side, as a remote's idle timeout would. */
    void hangUpAll() throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
    }

    int port() {
        return server.getLocalPort();
    }

    InetAddress address() {
        return server.getInetAddress();
    }

    private void accept() {
        while (!closed) {
            try {
                Socket s = server.accept();
                sockets.add(s);
                connections.incrementAndGet();
                Thread t = new Thread(() -> serve(s), "scripted-peer-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (Socket s0 = socket) {
            Socket s = socket;
            String tls = null;
            if (implicitTls != null) {
                s = upgrade(socket, implicitTls);
                tls = ((SSLSocket) s).getSession().getProtocol();
            }
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            switch (opening) {
                case SILENT -> {
                    while (in.read() >= 0) {
                        // say nothing, ever
                    }
                    return;
                }
                case HUGE_LINE -> {
                    byte[] chunk = new byte[64 * 1024];
                    java.util.Arrays.fill(chunk, (byte) 'x');
                    out.write("220-".getBytes(StandardCharsets.US_ASCII));
                    for (int i = 0; i < 160; i++) {
                        out.write(chunk); // 10 MB on one line
                    }
                    out.write("\r\n220 done\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    return;
                }
                case REFUSE_554 -> {
                    write(out, "554 5.7.1 no mail from you");
                    readLine(in);
                    write(out, "221 bye");
                    return;
                }
                default -> write(out, "220 peer.test ESMTP scripted");
            }
            boolean authenticated = requiredLogin == null;
            String from = null;
            List<String> rcpts = new ArrayList<>();
            int accepted = 0;
            while (true) {
                String line = readLine(in);
                if (line == null) {
                    return;
                }
                commands.add(line);
                String upper = line.toUpperCase(java.util.Locale.ROOT);
                if (upper.startsWith("EHLO")) {
                    StringBuilder caps = new StringBuilder("250-peer.test\r\n");
                    if (pipelining) {
                        caps.append("250-PIPELINING\r\n");
                    }
                    if (startTls != null && tls == null) {
                        caps.append("250-STARTTLS\r\n");
                    }
                    if (requiredLogin != null) {
                        caps.append("250-AUTH ").append(authMechanisms).append("\r\n");
                    }
                    caps.append(extraCapabilities);
                    caps.append("250-8BITMIME\r\n250 SIZE 10240000");
                    write(out, caps.toString());
                } else if (upper.equals("STARTTLS") && startTls != null) {
                    write(out, "220 2.0.0 go ahead");
                    s = upgrade(s, startTls);
                    tls = ((SSLSocket) s).getSession().getProtocol();
                    in = s.getInputStream();
                    out = s.getOutputStream();
                } else if (upper.startsWith("AUTH PLAIN ")) {
                    String[] parts = new String(Base64.getDecoder().decode(line.substring(11).trim()), StandardCharsets.UTF_8).split("\0");
                    authenticated = parts.length == 3 && (parts[1] + ":" + parts[2]).equals(requiredLogin);
                    write(out, authenticated ? "235 2.7.0 ok" : "535 5.7.8 bad credentials");
                } else if (upper.equals("AUTH LOGIN")) {
                    write(out, "334 VXNlcm5hbWU6");
                    String user = new String(Base64.getDecoder().decode(readLine(in).trim()), StandardCharsets.UTF_8);
                    write(out, "334 UGFzc3dvcmQ6");
                    String pass = new String(Base64.getDecoder().decode(readLine(in).trim()), StandardCharsets.UTF_8);
                    authenticated = (user + ":" + pass).equals(requiredLogin);
                    write(out, authenticated ? "235 2.7.0 ok" : "535 5.7.8 bad credentials");
                } else if (upper.startsWith("MAIL FROM:")) {
                    if (!authenticated) {
                        write(out, "530 5.7.0 authentication required");
                        continue;
                    }
                    from = line.substring(10);
                    rcpts = new ArrayList<>();
                    accepted = 0;
                    write(out, "250 2.1.0 Ok");
                } else if (upper.startsWith("RCPT TO:")) {
                    String addr = line.substring(8).replaceAll("^<|>.*$", "");
                    String reply = rcptReplies.getOrDefault(addr, "250 2.1.5 Ok");
                    if (reply.startsWith("2")) {
                        rcpts.add(addr);
                        accepted++;
                    }
                    write(out, reply);
                } else if (upper.equals("DATA")) {
                    if (from == null || accepted == 0) {
                        write(out, "554 5.5.1 no valid recipients");
                        continue;
                    }
                    write(out, "354 End data with <CR><LF>.<CR><LF>");
                    if (stopReadingAtData) {
                        closing.await(); // this connection's own thread; the client's socket buffers fill up
                        return;
                    }
                    byte[] data = readData(in);
                    String reply = dataReplies.isEmpty() ? "250 2.0.0 Ok: queued" : dataReplies.poll();
                    if (reply.startsWith("2")) {
                        received.add(new Received(from, List.copyOf(rcpts), data, tls));
                    }
                    write(out, reply);
                    from = null;
                } else if (upper.equals("RSET")) {
                    from = null;
                    write(out, "250 2.0.0 Ok");
                } else if (upper.equals("QUIT")) {
                    write(out, "221 2.0.0 Bye");
                    return;
                } else {
                    write(out, "502 5.5.2 unknown command");
                }
            }
        } catch (IOException e) {
            // the client went away
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Socket upgrade(Socket s, SSLContext context) throws IOException {
        SSLSocket ssl = (SSLSocket) context.getSocketFactory().createSocket(s, null, s.getPort(), true);
        ssl.setUseClientMode(false);
        ssl.startHandshake();
        return ssl;
    }

    private static void write(OutputStream out, String reply) throws IOException {
        out.write((reply + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                byte[] l = line.toByteArray();
                int n = l.length > 0 && l[l.length - 1] == '\r' ? l.length - 1 : l.length;
                return new String(l, 0, n, StandardCharsets.UTF_8);
            }
            line.write(b);
        }
        return null;
    }

    /** Reads until CRLF.CRLF and undoes dot-stuffing: the message as the client spooled it. */
    private static byte[] readData(InputStream raw) throws IOException {
        // Buffered here only (megabytes octet by octet take longer than a short data timeout): a client sends nothing
        // after the final dot before its reply, so nothing of the next command is read ahead and lost.
        InputStream in = new java.io.BufferedInputStream(raw, 64 * 1024);
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        while (true) {
            String line = readLineRaw(in);
            if (line == null || line.equals(".\r\n")) {
                return data.toByteArray();
            }
            data.write((line.startsWith(".") ? line.substring(1) : line).getBytes(StandardCharsets.ISO_8859_1));
        }
    }

    private static String readLineRaw(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            line.write(b);
            if (b == '\n') {
                return line.toString(StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    List<String> commands() {
        return Collections.unmodifiableList(commands);
    }

    @Override
    public void close() throws IOException {
        closed = true;
        closing.countDown();
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
