package io.sealmail.engine.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslHandler;
import io.sealmail.ca.CertificateAuthority;
import io.sealmail.ca.IssuedCertificate;
import io.sealmail.ca.KeyAlgorithm;

/** STARTTLS upgrades, and proof that plaintext pipelined behind STARTTLS is never executed (CVE-2011-0411). */
class StartTlsTest {
    static CertificateAuthority ca;
    static IssuedCertificate leaf;

    @BeforeAll
    static void issue() {
        ca = TestPki.authority("CN=StartTls Test CA");
        leaf = TestPki.leaf(ca, KeyAlgorithm.ECDSA_P256);
    }

    /**
     * A minimal line framer in the shape the protocol engines use. {@code greedy} emits every complete line of a
     * read in one decode call (so frames behind STARTTLS are already decoded and must be stopped by the gate);
     * otherwise one line per call (so they are still buffered and must be discarded by the framer).
     */
    static final class LineFramer extends ByteToMessageDecoder implements StartTls.Framer {
        private final boolean greedy;

        LineFramer(boolean greedy) {
            this.greedy = greedy;
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            do {
                int lf = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n');
                if (lf < 0) {
                    return;
                }
                String line = in.readCharSequence(lf - in.readerIndex(), StandardCharsets.US_ASCII).toString();
                in.skipBytes(1);
                out.add(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
            } while (greedy);
        }

        @Override
        public int discardBufferedInput() {
            ByteBuf buffered = internalBuffer();
            int n = buffered.readableBytes();
            buffered.skipBytes(n);
            return n;
        }
    }

    /** Executes commands by recording them; STARTTLS upgrades. */
    static final class Session extends SimpleChannelInboundHandler<String> {
        final List<String> executed;
        final ServerTls tls;

        Session(ServerTls tls, List<String> executed) {
            this.tls = tls;
            this.executed = executed;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, String line) {
            executed.add(line);
            if (line.equals("STARTTLS")) {
                if (StartTls.isActive(ctx.channel())) {
                    ctx.writeAndFlush(ascii("554 5.5.1 TLS already active\r\n"));
                } else {
                    StartTls.upgrade(ctx, tls, ascii("220 2.0.0 Ready to start TLS\r\n"));
                }
            } else {
                String tlsInfo = TlsSessionInfo.of(ctx.channel()).map(TlsSessionInfo::toString).orElse("plain");
                ctx.writeAndFlush(ascii("250 " + line + " (" + tlsInfo + ")\r\n"));
            }
        }
    }

    static ByteBuf ascii(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }

    static String readAscii(EmbeddedChannel ch) {
        ByteBuf out = ch.readOutbound();
        try {
            return out == null ? null : out.toString(StandardCharsets.US_ASCII);
        } finally {
            if (out != null) {
                out.release();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void plaintextPipelinedBehindStartTlsIsDiscarded(boolean greedyFramer) {
        List<String> executed = new CopyOnWriteArrayList<>();
        ServerTls tls = TestPki.serverTls(leaf, TlsProvider.JDK, null);
        EmbeddedChannel ch = new EmbeddedChannel(new LineFramer(greedyFramer), new Session(tls, executed));

        // One read, as a man in the middle would inject it: commands after STARTTLS plus a partial line.
        ch.writeInbound(ascii("EHLO client\r\nSTARTTLS\r\nRSET\r\nMAIL FROM:<attacker@evil.test>\r\nRCPT TO:<x"));

        assertThat(executed).containsExactly("EHLO client", "STARTTLS");
        assertThat(readAscii(ch)).isEqualTo("250 EHLO client (plain)\r\n");
        assertThat(readAscii(ch)).isEqualTo("220 2.0.0 Ready to start TLS\r\n"); // the reply leaves in clear
        assertThat(readAscii(ch)).isNull();
        assertThat(ch.pipeline().first()).isInstanceOf(SslHandler.class);
        assertThat(ch.pipeline().names()).startsWith(StartTls.HANDLER_NAME);
        ch.finishAndReleaseAll();
    }

    @Test
    void upgradeRequiresTheFramerFirst() {
        ServerTls tls = TestPki.serverTls(leaf, TlsProvider.JDK, null);
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        EmbeddedChannel ch = new EmbeddedChannel(new SimpleChannelInboundHandler<ByteBuf>() {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                try {
                    StartTls.upgrade(ctx, tls, ascii("220 go\r\n"));
                } catch (IllegalStateException e) {
                    errors.add(e);
                }
            }
        });
        ch.writeInbound(ascii("STARTTLS\r\n"));
        assertThat(errors).singleElement().extracting(Throwable::getMessage).asString()
                .contains("must be the framing decoder implementing StartTls.Framer");
        assertThat(ch.pipeline().get(SslHandler.class)).isNull();
        ch.finishAndReleaseAll();
    }

    @ParameterizedTest
    @EnumSource(TlsProvider.class)
    void injectedCommandsAreNotExecutedOverARealConnection(TlsProvider provider) throws Exception {
        List<String> executed = new CopyOnWriteArrayList<>();
        TlsCounters counters = new TlsCounters();
        ServerTls tls = TestPki.serverTls(leaf, provider, counters);
        EventLoopGroup group = new NioEventLoopGroup(1);
        try {
            Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast("framer", new LineFramer(false))
                                    .addLast("session", new Session(tls, executed));
                        }
                    }).bind("127.0.0.1", 0).sync().channel();
            int port = ((InetSocketAddress) server.localAddress()).getPort();

            Socket plain = new Socket();
            plain.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            plain.setSoTimeout(10_000);
            plain.setTcpNoDelay(true);
            // STARTTLS and the injection in one segment; the trailing partial line must not glue onto "NOOP".
            plain.getOutputStream().write("EHLO client\r\nSTARTTLS\r\nMAIL FROM:<attacker@evil.test>\r\nRSET"
                    .getBytes(StandardCharsets.US_ASCII));
            plain.getOutputStream().flush();
            assertThat(readLine(plain)).isEqualTo("250 EHLO client (plain)");
            assertThat(readLine(plain)).isEqualTo("220 2.0.0 Ready to start TLS");

            try (JdkTlsClient client = JdkTlsClient.handshake(plain, port, TestPki.HOST, ca.certificate(),
                    List.of(), List.of())) {
                assertThat(client.exchange("NOOP")).isEqualTo("250 NOOP (" + client.protocol() + " "
                        + client.cipherSuite() + ")");
                assertThat(client.exchange("STARTTLS")).isEqualTo("554 5.5.1 TLS already active");
            }
            assertThat(executed).containsExactly("EHLO client", "STARTTLS", "NOOP", "STARTTLS");
            await().atMost(Duration.ofSeconds(5)).until(() -> counters.handshakes() == 1);
            server.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
        }
    }

    /** Reads one CRLF line byte by byte, so no byte of the TLS handshake is consumed by a reader's buffer. */
    private static String readLine(Socket socket) throws java.io.IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = socket.getInputStream().read()) != -1 && c != '\n') {
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }
}
