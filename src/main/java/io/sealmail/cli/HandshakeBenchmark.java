package io.sealmail.cli;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.sealmail.ca.IssuedCertificate;
import io.sealmail.engine.tls.CertificatePair;
import io.sealmail.engine.tls.ServerTls;
import io.sealmail.engine.tls.TlsPolicy;
import io.sealmail.engine.tls.TlsProvider;

/**
 * Full TLS handshakes per second against the engine's server context ({@link TlsPolicy#serverContext}) on loopback.
 * The server runs one event loop thread, as one engine connection does; the client is always netty-tcnative with
 * its own thread, so two results differ only by the server's provider. Every handshake is a new TCP connection and
 * a full handshake (the client keeps no session to resume). Connections close with RST (SO_LINGER 0) so the run
 * does not exhaust ephemeral ports with TIME_WAIT.
 */
final class HandshakeBenchmark {
    /**
     * @param handshakesPerSecond wall-clock rate (depends on everything else running on the machine)
     * @param meanMillis          mean time from connect to handshake done, as the client saw it
     * @param serverCpuMicros     CPU time of the server's event loop thread per handshake: the provider's own cost,
     *                            robust against other load (1e6 / this = handshakes per second per server core)
     * @param completed           handshakes completed in the whole run, warm-up and wind-down included
     * @param failures            failed handshakes or connects in the whole run (should be 0)
     */
    record Result(double handshakesPerSecond, double meanMillis, double serverCpuMicros, long completed,
            long failures) {
    }

    private HandshakeBenchmark() {
    }

    static Result run(IssuedCertificate cert, String protocol, TlsProvider serverProvider, Duration warmup,
            Duration measure, int connections) throws Exception {
        List<java.security.cert.X509Certificate> chain = new java.util.ArrayList<>();
        chain.add(cert.leaf());
        chain.addAll(cert.chain());
        ServerTls tls = ServerTls.of(TlsPolicy.serverContext(new CertificatePair(chain, cert.privateKey()),
                serverProvider), null);
        SslContext client = SslContextBuilder.forClient()
                .sslProvider(TlsProvider.OPENSSL.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
                .trustManager(cert.root())
                .protocols(protocol)
                .build();

        EventLoopGroup serverGroup = new NioEventLoopGroup(1);
        EventLoopGroup clientGroup = new NioEventLoopGroup(1);
        try {
            Channel server = new ServerBootstrap().group(serverGroup).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc())).addLast(Quiet.INSTANCE);
                        }
                    }).bind("127.0.0.1", 0).sync().channel();
            InetSocketAddress address = (InetSocketAddress) server.localAddress();

            Bootstrap bootstrap = new Bootstrap().group(clientGroup).channel(NioSocketChannel.class)
                    .option(ChannelOption.SO_LINGER, 0)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(client.newHandler(ch.alloc())).addLast(Quiet.INSTANCE);
                        }
                    });
            long serverThread = serverGroup.next().submit(() -> Thread.currentThread().getId()).get();
            java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
            Loop loop = new Loop(bootstrap, address, connections);
            loop.start();
            Thread.sleep(warmup.toMillis());
            long s0 = loop.successes.get();
            long n0 = loop.nanos.get();
            long t0 = System.nanoTime();
            long c0 = threads.getThreadCpuTime(serverThread);
            Thread.sleep(measure.toMillis());
            long s1 = loop.successes.get();
            long n1 = loop.nanos.get();
            long t1 = System.nanoTime();
            long c1 = threads.getThreadCpuTime(serverThread);
            loop.stop();
            server.close().sync();
            long count = s1 - s0;
            double seconds = (t1 - t0) / 1e9;
            return new Result(count / seconds, count == 0 ? 0 : (n1 - n0) / 1e6 / count,
                    count == 0 ? 0 : (c1 - c0) / 1e3 / count, loop.successes.get(), loop.failures.get());
        } finally {
            clientGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            serverGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** Keeps {@code connections} handshakes in flight: each finished one starts the next. */
    private static final class Loop {
        final AtomicLong successes = new AtomicLong();
        final AtomicLong failures = new AtomicLong();
        final AtomicLong nanos = new AtomicLong();
        private final Bootstrap bootstrap;
        private final InetSocketAddress address;
        private final int connections;
        private final CountDownLatch finished;
        private volatile boolean stopping;

        Loop(Bootstrap bootstrap, InetSocketAddress address, int connections) {
            this.bootstrap = bootstrap;
            this.address = address;
            this.connections = connections;
            this.finished = new CountDownLatch(connections);
        }

        void start() {
            for (int i = 0; i < connections; i++) {
                next();
            }
        }

        void stop() throws InterruptedException {
            stopping = true;
            finished.await(10, TimeUnit.SECONDS);
        }

        private void next() {
            if (stopping) {
                finished.countDown();
                return;
            }
            long start = System.nanoTime();
            bootstrap.connect(address).addListener((ChannelFutureListener) connected -> {
                if (!connected.isSuccess()) {
                    failures.incrementAndGet();
                    next();
                    return;
                }
                Channel ch = connected.channel();
                ch.pipeline().get(SslHandler.class).handshakeFuture().addListener(handshake -> {
                    if (handshake.isSuccess()) {
                        successes.incrementAndGet();
                        nanos.addAndGet(System.nanoTime() - start);
                    } else {
                        failures.incrementAndGet();
                    }
                    ch.close();
                    next();
                });
            });
        }
    }

    /** Ends the pipeline silently: resets from the RST closes are expected here. */
    @io.netty.channel.ChannelHandler.Sharable
    private static final class Quiet extends ChannelInboundHandlerAdapter {
        static final Quiet INSTANCE = new Quiet();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            io.netty.util.ReferenceCountUtil.release(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
