package io.sealmail.engine.imap;

import io.sealmail.config.Role;
import jakarta.mail.FetchProfile;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.UIDFolder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

import static io.sealmail.engine.imap.MailAccessTestServer.JOE;
import static io.sealmail.engine.imap.MailAccessTestServer.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

/** COMPRESS=DEFLATE (RFC 4978) with Angus Mail and on the wire, including its error cases and a decompression bomb. */
class ImapCompressTest {
    @TempDir
    static java.nio.file.Path dir;
    static MailAccessTestServer server;
    static final int MESSAGES = 200;

    @BeforeAll
    static void start() throws Exception {
        server = new MailAccessTestServer(dir);
        for (int i = 0; i < MESSAGES; i++) {
            server.deliver(JOE, "From: Carol Example <carol@example.com>\nTo: joe@example.test\nSubject: report " + i
                    + "\nDate: Thu, 3 Dec 2026 10:00:00 +0000\nMessage-ID: <" + i + "@example.com>\n\nbody " + i + "\n");
        }
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /**
     * Angus Mail turns COMPRESS on by itself ({@code mail.imaps.compress.enable}) and syncs the folder's headers;
     * bytes counted on the wire (TLS records) with and without it: the same answers, far fewer bytes.
     */
    @Test
    void angusMailSyncsHeadersCompressedWithTheSameResult() throws Exception {
        Sync plain = sync(false);
        Sync deflated = sync(true);
        assertThat(deflated.subjects).isEqualTo(plain.subjects);
        assertThat(deflated.subjects.lines()).hasSize(MESSAGES).contains("report 0", "report " + (MESSAGES - 1));
        System.out.printf("COMPRESS header sync of %d messages: %d octets from the server without, %d with%n",
                MESSAGES, plain.fromServer, deflated.fromServer);
        assertThat(deflated.fromServer).as("octets from the server").isLessThan(plain.fromServer / 2);
    }

    private record Sync(String subjects, long fromServer) {
    }

    private Sync sync(boolean compress) throws Exception {
        try (CountingProxy proxy = new CountingProxy(server.address(Role.IMAPS))) {
            Properties p = new Properties();
            p.put("mail.imaps.ssl.socketFactory", server.pki().clientContext().getSocketFactory());
            p.put("mail.imaps.ssl.checkserveridentity", "true");
            p.put("mail.imaps.timeout", "10000");
            p.put("mail.imaps.compress.enable", Boolean.toString(compress));
            StringBuilder subjects = new StringBuilder();
            Store store = Session.getInstance(p).getStore("imaps");
            store.connect("localhost", proxy.port(), JOE, PASSWORD);
            try {
                Folder inbox = store.getFolder("INBOX");
                inbox.open(Folder.READ_ONLY);
                Message[] all = inbox.getMessages();
                FetchProfile fp = new FetchProfile();
                fp.add(FetchProfile.Item.ENVELOPE);
                fp.add(FetchProfile.Item.FLAGS);
                fp.add(UIDFolder.FetchProfileItem.UID);
                fp.add("References");
                inbox.fetch(all, fp);
                for (Message m : all) {
                    subjects.append(m.getSubject()).append('\n');
                }
                inbox.close(false);
            } finally {
                store.close();
            }
            return new Sync(subjects.toString(), proxy.fromServer.get());
        }
    }

    @Test
    void refusedBeforeLoginUnknownMechanismBadTwiceRefusedAndCapabilityGone() throws Exception {
        try (Raw c = Raw.open()) {
            c.send("a COMPRESS DEFLATE");
            assertThat(c.line()).startsWith("a BAD");
            c.send("b LOGIN " + JOE + " \"" + PASSWORD + "\"");
            assertThat(c.until("b ")).startsWith("b OK").contains("COMPRESS=DEFLATE");
            c.send("c COMPRESS GZIP");
            assertThat(c.line()).startsWith("c BAD");
            c.send("d COMPRESS DEFLATE");
            assertThat(c.line()).isEqualTo("d OK DEFLATE active");
            c.deflate();
            c.send("e NOOP");
            assertThat(c.line()).startsWith("e OK");
            c.send("f COMPRESS DEFLATE");
            assertThat(c.line()).startsWith("f BAD [COMPRESSIONACTIVE]");
            c.send("g CAPABILITY");
            assertThat(c.until("g ")).doesNotContain("COMPRESS=").contains("g OK");
            c.send("h SELECT INBOX");
            assertThat(c.until("h ")).contains("* " + MESSAGES + " EXISTS").contains("h OK");
            c.send("i UID FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])");
            String fetched = c.until("i ");
            assertThat(fetched).contains("report 0").contains("report " + (MESSAGES - 1)).contains("i OK");
            c.send("j LOGOUT");
            assertThat(c.until("j ")).contains("* BYE");
        }
    }

    @Test
    void commandsSentBeforeTheReplyCloseTheConnection() throws Exception {
        try (Raw c = Raw.open()) {
            c.send("b LOGIN " + JOE + " \"" + PASSWORD + "\"");
            c.until("b ");
            // Framed with COMPRESS in one read, NOOP is already queued as a command when COMPRESS runs.
            c.send("c COMPRESS DEFLATE\r\nd NOOP");
            String rest = c.rest();
            assertThat(rest).contains("BYE").doesNotContain("c OK").doesNotContain("d OK");
        }
    }

    /** A 10 MB line that compresses to about 10 KB: refused at the line limit, connection closed, server healthy. */
    @Test
    void aDecompressionBombMeetsTheLineLimit() throws Exception {
        try (Raw c = Raw.open()) {
            c.send("b LOGIN " + JOE + " \"" + PASSWORD + "\"");
            c.until("b ");
            c.send("c COMPRESS DEFLATE");
            assertThat(c.line()).isEqualTo("c OK DEFLATE active");
            c.deflate();
            byte[] bomb = new byte[10 << 20];
            java.util.Arrays.fill(bomb, (byte) 'a');
            try {
                c.out.write("d NOOP ".getBytes(StandardCharsets.US_ASCII));
                c.out.write(bomb);
                c.out.flush();
            } catch (IOException closedMeanwhile) {
                // the server may close while we still write: that is the point
            }
            assertThat(c.rest()).contains("BYE [TOOBIG]");
        }
        try (Raw again = Raw.open()) {
            again.send("a NOOP");
            assertThat(again.line()).startsWith("a OK");
        }
    }

    /** A client that switches its own streams to raw DEFLATE after the OK, as RFC 4978 §4 describes. */
    private static final class Raw implements AutoCloseable {
        private final SSLSocket socket;
        private InputStream in;
        private OutputStream out;

        private Raw(SSLSocket socket) throws IOException {
            this.socket = socket;
            socket.setSoTimeout(20_000);
            in = new java.io.BufferedInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        }

        static Raw open() throws IOException {
            SSLSocket s = (SSLSocket) server.pki().clientContext().getSocketFactory().createSocket();
            s.connect(server.address(Role.IMAPS), 5000);
            s.startHandshake();
            Raw r = new Raw(s);
            assertThat(r.line()).startsWith("* OK");
            return r;
        }

        void deflate() {
            in = new InflaterInputStream(socket.isClosed() ? InputStream.nullInputStream() : in, new Inflater(true), 512);
            out = new DeflaterOutputStream(out, new Deflater(6, true), 8192, true);
        }

        void send(String line) throws IOException {
            out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        String line() throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) != -1 && c != '\n') {
                if (c != '\r') {
                    b.write(c);
                }
            }
            return b.toString(StandardCharsets.UTF_8);
        }

        String until(String tagPrefix) throws IOException {
            StringBuilder sb = new StringBuilder();
            String l;
            do {
                l = line();
                sb.append(l).append('\n');
            } while (!l.startsWith(tagPrefix));
            return sb.toString();
        }

        /** Everything until the server closes. */
        String rest() throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            try {
                in.transferTo(b);
            } catch (IOException reset) {
                // a reset after the BYE still ends the stream
            }
            return b.toString(StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** Forwards one port to another and counts the octets coming back from the server. */
    private static final class CountingProxy implements AutoCloseable {
        final AtomicLong fromServer = new AtomicLong();
        private final ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final ExecutorService threads = Executors.newCachedThreadPool();

        CountingProxy(InetSocketAddress target) throws IOException {
            threads.execute(() -> {
                while (!listener.isClosed()) {
                    try {
                        Socket client = listener.accept();
                        Socket upstream = new Socket(target.getAddress(), target.getPort());
                        threads.execute(() -> pump(client, upstream, null));
                        threads.execute(() -> pump(upstream, client, fromServer));
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
        }

        int port() {
            return listener.getLocalPort();
        }

        private static void pump(Socket from, Socket to, AtomicLong count) {
            byte[] buf = new byte[16384];
            try (from; to) {
                int n;
                while ((n = from.getInputStream().read(buf)) > 0) {
                    to.getOutputStream().write(buf, 0, n);
                    if (count != null) {
                        count.addAndGet(n);
                    }
                }
            } catch (IOException done) {
                // one side closed
            }
        }

        @Override
        public void close() throws IOException {
            listener.close();
            threads.shutdownNow();
        }
    }
}
