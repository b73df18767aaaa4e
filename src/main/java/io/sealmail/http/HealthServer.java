package io.sealmail.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCountUtil;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.sealmail.config.ConfigException;
import io.sealmail.config.EngineConfig;
import org.jboss.logging.Logger;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The small HTTP/1.1 endpoint kubelet and Prometheus talk to, for the engine and the operator alike (Quarkus's own
 * HTTP server stays off, so {@code sealmail ca ...} never binds a port). It knows neither mail nor Kubernetes: each
 * side hands it a readiness check and a registry.
 * <ul>
 *   <li>{@code /healthz}: liveness, 200 while the process serves HTTP at all; the body is {@code ok}, or
 *   {@code degraded: <reason>} while the supplied health check reports a problem that a restart would not fix
 *   (an outbound queue older than its threshold), so monitoring sees it and kubelet does not restart the pod;</li>
 *   <li>{@code /readyz}: readiness, 200 when the supplied check is true, else 503;</li>
 *   <li>{@code /metrics}: Prometheus text exposition from the registry.</li>
 * </ul>
 * GET and HEAD only (405 otherwise), 404 for other paths. Requests are bounded (request line 4 KiB, headers 8 KiB,
 * no body) and idle connections close after 30 seconds; one event loop thread serves it all.
 */
public final class HealthServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(HealthServer.class);
    public static final String LIVENESS_PATH = "/healthz";
    public static final String READINESS_PATH = "/readyz";
    public static final String METRICS_PATH = "/metrics";
    static final int MAX_LINE = 4096;
    static final int MAX_HEADERS = 8192;
    static final int MAX_BODY = 0;
    static final int IDLE_SECONDS = 30;
    /** The Prometheus text format version 0.0.4 content type, which every scraper accepts. */
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final EventLoopGroup group;
    private final Channel server;

    private HealthServer(EventLoopGroup group, Channel server) {
        this.group = group;
        this.server = server;
    }

    /**
     * Binds the configuration's {@code httpAddress}/{@code httpPort}; empty when {@code httpPort} is -1 (disabled).
     *
     * @throws ConfigException when the address cannot be bound
     */
    public static Optional<HealthServer> start(EngineConfig config, BooleanSupplier readiness, PrometheusMeterRegistry registry) {
        return start(config, readiness, Optional::empty, registry);
    }

    /** As above, with a degradation check for {@code /healthz} (empty: healthy). */
    public static Optional<HealthServer> start(EngineConfig config, BooleanSupplier readiness,
                                               Supplier<Optional<String>> degradation, PrometheusMeterRegistry registry) {
        if (config.httpPort() < 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(start(config.httpAddress(), config.httpPort(), readiness, degradation, registry));
        } catch (ConfigException e) {
            throw new ConfigException("httpPort: " + e.getMessage(), e.getCause());
        }
    }

    /**
     * Binds {@code address:port} (port 0 picks a free one; see {@link #port()}).
     *
     * @throws ConfigException "cannot bind address:port: reason"
     */
    public static HealthServer start(String address, int port, BooleanSupplier readiness, PrometheusMeterRegistry registry) {
        return start(address, port, readiness, Optional::empty, registry);
    }

    /** As above, with a degradation check for {@code /healthz} (empty: healthy). */
    public static HealthServer start(String address, int port, BooleanSupplier readiness,
                                     Supplier<Optional<String>> degradation, PrometheusMeterRegistry registry) {
        EventLoopGroup group = new NioEventLoopGroup(1, r -> {
            Thread t = new Thread(r, "sealmail-http");
            t.setDaemon(true);
            return t;
        });
        Handler handler = new Handler(readiness, degradation, registry);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.SO_BACKLOG, 64)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        // Idle first so a silent client is dropped; then the bounded codec; then one whole request.
                        ch.pipeline()
                                .addLast(new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS))
                                .addLast(new HttpServerCodec(MAX_LINE, MAX_HEADERS, 8192))
                                .addLast(new NoBody())
                                .addLast(new HttpObjectAggregator(MAX_BODY))
                                .addLast(handler);
                    }
                });
        try {
            Channel server = bootstrap.bind(address, port).sync().channel();
            HealthServer health = new HealthServer(group, server);
            LOG.infof("http: /healthz /readyz /metrics on %s:%d", health.address().getHostString(), health.port());
            return health;
        } catch (Exception e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new ConfigException("cannot bind " + address + ":" + port + ": " + e.getMessage(), e);
        }
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    public int port() {
        return address().getPort();
    }

    @Override
    public void close() {
        server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }

    /**
     * None of our endpoints takes a body: a request announcing one gets 413 and the connection closes (the
     * aggregator alone would answer 413 but keep reading the body on a keep-alive connection).
     */
    private static final class NoBody extends ChannelInboundHandlerAdapter {
        private boolean refused;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (refused) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (msg instanceof HttpRequest request && request.decoderResult().isSuccess()
                    && (HttpUtil.isTransferEncodingChunked(request) || HttpUtil.getContentLength(request, 0L) > 0)) {
                refused = true;
                ReferenceCountUtil.release(msg);
                FullHttpResponse response = Handler.response(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                        "request body not accepted\n", "text/plain; charset=utf-8", false);
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
                return;
            }
            ctx.fireChannelRead(msg);
        }
    }

    @io.netty.channel.ChannelHandler.Sharable
    private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final BooleanSupplier readiness;
        private final Supplier<Optional<String>> degradation;
        private final PrometheusMeterRegistry registry;

        Handler(BooleanSupplier readiness, Supplier<Optional<String>> degradation, PrometheusMeterRegistry registry) {
            this.readiness = readiness;
            this.degradation = degradation;
            this.registry = registry;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            if (request.decoderResult().isFailure()) {
                Throwable cause = request.decoderResult().cause();
                HttpResponseStatus status = cause instanceof TooLongHttpLineException ? HttpResponseStatus.REQUEST_URI_TOO_LONG
                        : cause instanceof TooLongHttpHeaderException ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                        : cause instanceof TooLongFrameException ? HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE
                        : HttpResponseStatus.BAD_REQUEST;
                send(ctx, request, status, status.reasonPhrase() + "\n", "text/plain; charset=utf-8", false, true);
                return;
            }
            boolean head = HttpMethod.HEAD.equals(request.method());
            if (!head && !HttpMethod.GET.equals(request.method())) {
                FullHttpResponse response = response(HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed\n", "text/plain; charset=utf-8", false);
                response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
                write(ctx, request, response, true);
                return;
            }
            String path = new QueryStringDecoder(request.uri()).path();
            switch (path) {
                case LIVENESS_PATH, "/livez" -> send(ctx, request, HttpResponseStatus.OK, health(), "text/plain; charset=utf-8", head, false);
                case READINESS_PATH -> {
                    boolean ready = isReady();
                    send(ctx, request, ready ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                            ready ? "ready\n" : "not ready\n", "text/plain; charset=utf-8", head, false);
                }
                case METRICS_PATH -> send(ctx, request, HttpResponseStatus.OK, registry.scrape(), PROMETHEUS_TEXT, head, false);
                default -> send(ctx, request, HttpResponseStatus.NOT_FOUND, "not found\n", "text/plain; charset=utf-8", head, false);
            }
        }

        private String health() {
            try {
                return degradation.get().map(reason -> "degraded: " + reason + "\n").orElse("ok\n");
            } catch (RuntimeException e) {
                LOG.warnf("http: health check failed: %s", e.toString());
                return "ok\n";
            }
        }

        private boolean isReady() {
            try {
                return readiness.getAsBoolean();
            } catch (RuntimeException e) {
                LOG.warnf("http: readiness check failed: %s", e.toString());
                return false;
            }
        }

        private static void send(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status, String body,
                                 String contentType, boolean head, boolean close) {
            write(ctx, request, response(status, body, contentType, head), close);
        }

        private static FullHttpResponse response(HttpResponseStatus status, String body, String contentType, boolean head) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ByteBuf content = head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes);
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
            response.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                    .set(HttpHeaderNames.CONTENT_LENGTH, bytes.length)
                    .set(HttpHeaderNames.CACHE_CONTROL, "no-store");
            return response;
        }

        private static void write(ChannelHandlerContext ctx, FullHttpRequest request, FullHttpResponse response, boolean close) {
            boolean keepAlive = !close && HttpUtil.isKeepAlive(request);
            if (keepAlive) {
                if (request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
                    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
                }
                ctx.writeAndFlush(response);
            } else {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) {
                ctx.close();
            } else {
                ctx.fireUserEventTriggered(evt);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debugf("http: %s", cause.toString());
            ctx.close();
        }
    }
}
