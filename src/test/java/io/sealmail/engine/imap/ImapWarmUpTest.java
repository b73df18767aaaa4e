package io.sealmail.engine.imap;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContextBuilder;
import io.sealmail.config.WarmUp;
import io.sealmail.engine.tls.ServerTls;
import io.sealmail.engine.tls.TestPki;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import javax.net.ssl.SSLSocket;

import static org.assertj.core.api.Assertions.assertThat;

class ImapWarmUpTest {
    @TempDir
    Path dir;

    /**
     * Anything local may connect to the scratch server's loopback port while the warm-up runs; such a session must
     * end with the warm-up rather than stay open (outside the engine's connection limits) for the idle timeout.
     */
    @Test
    void aSessionOpenedFromOutsideEndsWithTheWarmUp() throws Exception {
        TestPki pki = TestPki.create(dir.resolve("tls"));
        EventLoopGroup boss = new NioEventLoopGroup(1);
        EventLoopGroup loops = new NioEventLoopGroup(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        SSLSocket[] outsider = new SSLSocket[1];
        String[] greeting = new String[1];
        try {
            ServerTls tls = ServerTls.of(SslContextBuilder.forServer(pki.tlsCrt().toFile(), pki.tlsKey().toFile()).build(), null);
            ImapWarmUp[] warmUp = new ImapWarmUp[1];
            warmUp[0] = new ImapWarmUp(new WarmUp(true, 100, Duration.ofMinutes(2)), dir.resolve("data/warm-up"), pool,
                    ImapLimits.DEFAULTS, new ImapWarmUp.Transport(boss, loops, NioServerSocketChannel.class,
                    NioSocketChannel.class, tls, pki.tlsCrt()), round -> {
                        if (round == 1) {
                            try {
                                InetSocketAddress at = warmUp[0].address();
                                outsider[0] = (SSLSocket) pki.clientContext().getSocketFactory()
                                        .createSocket(at.getAddress(), at.getPort());
                                outsider[0].setSoTimeout(60_000);
                                greeting[0] = new BufferedReader(new InputStreamReader(outsider[0].getInputStream(),
                                        StandardCharsets.US_ASCII)).readLine();
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        }
                    });
            assertThat(warmUp[0].runQuietly()).get().extracting(ImapWarmUp.Result::complete).isEqualTo(true);
            assertThat(greeting[0]).startsWith("* OK");
            int read;
            try {
                read = outsider[0].getInputStream().read();
            } catch (java.net.SocketException closed) {
                read = -1;
            }
            assertThat(read).as("the outside session was closed with the warm-up").isEqualTo(-1);
            assertThat(dir.resolve("data/warm-up")).doesNotExist();
        } finally {
            if (outsider[0] != null) {
                outsider[0].close();
            }
            pool.shutdownNow();
            boss.shutdownGracefully();
            loops.shutdownGracefully();
        }
    }
}
