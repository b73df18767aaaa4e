package io.sealmail.engine;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.sealmail.config.ConfigException;
import io.sealmail.config.EngineConfig;
import io.sealmail.config.Limits;
import io.sealmail.config.Listener;
import io.sealmail.config.Role;
import io.sealmail.engine.auth.AccountDirectory;
import io.sealmail.engine.auth.AuthThrottle;
import io.sealmail.engine.auth.LoginGate;
import io.sealmail.engine.auth.PasswordCheckQueue;
import io.sealmail.engine.imap.ImapLimits;
import io.sealmail.engine.imap.ImapWarmUp;
import io.sealmail.engine.imap.MailAccessProtocols;
import io.sealmail.engine.proxy.ProxyProtocolInitializer;
import io.sealmail.engine.smtp.MessageAuthentication;
import io.sealmail.engine.tls.ServerTls;
import io.sealmail.engine.tls.TlsListener;
import io.sealmail.config.Outbound;
import io.sealmail.engine.delivery.OutboundDelivery;
import io.sealmail.engine.delivery.dns.DnsLookup;
import io.sealmail.engine.delivery.policy.TransportPolicies;
import io.sealmail.store.DiskOutboundQueue;
import io.sealmail.store.MailStore;
import io.sealmail.store.OutboundQueue;
import org.jboss.logging.Logger;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * The mail engine: opens every configured listener and serves it with its protocol. Start it with
 * {@link #start(EngineConfig)} (everything from the configuration) or {@link #builder(EngineConfig)} to supply
 * components (tests, {@code sealmail demo}). Listeners with port 0 get a free port: ask {@link #port(Role)}.
 * {@link #close()} stops accepting, lets sessions finish briefly, then closes everything.
 */
public final class MailEngine implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(MailEngine.class);

    /** One open listener: its configuration and the address it actually bound. */
    public record BoundListener(Listener listener, InetSocketAddress address) {
    }

    private final EngineContext context;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final List<Channel> serverChannels = new ArrayList<>();
    private final List<BoundListener> bound = new ArrayList<>();
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final Duration shutdownGrace;
    private final List<AutoCloseable> owned;
    private final OutboundDelivery delivery;
    private volatile boolean ready;
    private Optional<ImapWarmUp.Result> warmUp = Optional.empty();
    private volatile boolean closed;

    private MailEngine(EngineContext context, Duration shutdownGrace, List<AutoCloseable> owned, OutboundDelivery delivery) {
        this.context = context;
        this.delivery = delivery;
        this.shutdownGrace = shutdownGrace;
        this.owned = owned;
        boolean epoll = Epoll.isAvailable();
        this.boss = epoll ? new EpollEventLoopGroup(1) : new NioEventLoopGroup(1);
        this.workers = epoll ? new EpollEventLoopGroup() : new NioEventLoopGroup();
    }

    public static MailEngine start(EngineConfig config) throws InterruptedException {
        return builder(config).start();
    }

    public static Builder builder(EngineConfig config) {
        return new Builder(config);
    }

    /** Components not given to the builder are made from the configuration. */
    public static final class Builder {
        private final EngineConfig config;
        private ServerTls serverTls;
        private TlsListener tlsListener = TlsListener.NONE;
        private AccountDirectory accounts;
        private MailStore store;
        private OutboundQueue outbound;
        private MeterRegistry meters;
        private Clock clock = Clock.systemUTC();
        private Duration shutdownGrace = Duration.ofSeconds(10);
        private TransportPolicies transportPolicies;
        private DnsLookup dns;
        private Duration authFailureDelay = Duration.ofSeconds(1);
        private final Map<Role, ListenerInitializerFactory> protocols = ListenerProtocols.standard();
        private IntConsumer warmUpRounds = round -> { };

        private Builder(EngineConfig config) {
            this.config = Objects.requireNonNull(config);
        }

        public Builder serverTls(ServerTls serverTls) {
            this.serverTls = serverTls;
            return this;
        }

        /** Also observes certificate reloads and handshakes of the TLS made from the configuration (the engine's metrics always do). */
        public Builder tlsListener(TlsListener listener) {
            this.tlsListener = listener;
            return this;
        }

        public Builder accounts(AccountDirectory accounts) {
            this.accounts = accounts;
            return this;
        }

        public Builder store(MailStore store) {
            this.store = store;
            return this;
        }

        public Builder outbound(OutboundQueue outbound) {
            this.outbound = outbound;
            return this;
        }

        /** Where the engine's meters ({@link MailMetrics}) are registered; a private registry when not given. */
        public Builder meters(MeterRegistry meters) {
            this.meters = meters;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** How long {@link MailEngine#close()} lets open sessions finish before cutting them. */
        public Builder shutdownGrace(Duration grace) {
            this.shutdownGrace = grace;
            return this;
        }

        /** The transport-security policies of outbound delivery (MTA-STS and DANE from {@code outbound:} when not given). */
        public Builder transportPolicies(TransportPolicies policies) {
            this.transportPolicies = Objects.requireNonNull(policies);
            return this;
        }

        /**
         * The resolver of outbound delivery (from {@code outbound.dns} when not given) and of the inbound
         * SPF/DKIM/DMARC checks (off when not given: {@code sealmail engine} passes the configured one).
         */
        public Builder dns(DnsLookup lookup) {
            this.dns = lookup;
            return this;
        }

        /**
         * How long the answer to a failed login is held back (default 1 s, Dovecot's is 2 s): scheduled on the
         * connection's event loop, never slept, so it costs the attacker time and the server nothing.
         */
        public Builder authFailureDelay(Duration delay) {
            this.authFailureDelay = delay;
            return this;
        }

        /**
         * Told after each round of the warm-up ({@code warmUp:} in the configuration) with the round's number; it runs
         * on the starting thread, before any listener is bound. A throw ends the warm-up, never the start.
         */
        public Builder warmUpRounds(IntConsumer rounds) {
            this.warmUpRounds = Objects.requireNonNull(rounds);
            return this;
        }

        /** Serves a role with this protocol (replacing the standard one). */
        public Builder protocol(Role role, ListenerInitializerFactory factory) {
            protocols.put(role, factory);
            return this;
        }

        /** Binds every listener; returns once all accept connections. On failure nothing stays open. */
        public MailEngine start() throws InterruptedException {
            if (config.listeners().isEmpty()) {
                throw new ConfigException("listeners: at least one listener is required");
            }
            java.util.Set<String> endpoints = new java.util.HashSet<>();
            for (Listener l : config.listeners()) {
                if (l.port() != 0 && !endpoints.add(l.address() + ":" + l.port())) {
                    throw new ConfigException("listener " + l.role().id() + ": " + l.address() + ":" + l.port() + " is used by two listeners");
                }
                if (!protocols.containsKey(l.role())) {
                    throw new ConfigException("listener " + l.role().id() + ": this build has no " + l.role().id() + " engine yet");
                }
            }
            List<AutoCloseable> owned = new ArrayList<>();
            EngineContext context;
            OutboundDelivery delivery = null;
            try {
                EngineComponents defaults = new EngineComponents(config);
                MailMetrics metrics = new MailMetrics(meters != null ? meters : new SimpleMeterRegistry());
                ServerTls tls = serverTls != null ? serverTls : defaults.serverTls(owned, metrics.andThen(tlsListener));
                AccountDirectory dir = accounts != null ? accounts : defaults.accounts(owned);
                MailStore mailStore = store != null ? store : defaults.store(owned);
                OutboundQueue queue = outbound != null ? outbound : defaults.outbound(owned);
                if (queue instanceof DiskOutboundQueue disk && config.outbound().mode() != Outbound.Mode.HOLD) {
                    delivery = defaults.delivery(owned, disk, mailStore, dir, dns, transportPolicies, metrics);
                    queue = delivery;
                }
                Limits limits = config.limits();
                AtomicInteger authThreads = new AtomicInteger();
                // Bounded on both sides: a flood of AUTH attempts queues up to 192 and is then told to come back;
                // the last 64 places, and the front of the queue, are for addresses that have not failed.
                // Password hashing (Argon2id, memory-hard on purpose) gets at most half the cores: a flood of wrong
                // passwords then leaves the other half to TLS, IMAP/POP3/SMTP work and the users already logged in
                // (on 2 cores, 2 hashing threads took all the CPU and a bystander's LOGIN+SELECT p95 was 277 ms).
                int hashThreads = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
                ThreadPoolExecutor authExecutor = new ThreadPoolExecutor(hashThreads, hashThreads,
                        30, TimeUnit.SECONDS, new PasswordCheckQueue(256, 192), r -> {
                            Thread t = new Thread(r, "sealmail-auth-" + authThreads.incrementAndGet());
                            t.setDaemon(true);
                            return t;
                        });
                AuthThrottle throttle = new AuthThrottle(limits, clock);
                // IMAP and POP3 commands (disk work) of every session; idle threads time out, close() stops them all.
                AtomicInteger mailThreads = new AtomicInteger();
                ThreadPoolExecutor mailWorkers = new ThreadPoolExecutor(32, 32, 60, TimeUnit.SECONDS,
                        new LinkedBlockingQueue<>(), r -> {
                            Thread t = new Thread(r, "sealmail-mailaccess-" + mailThreads.incrementAndGet());
                            t.setDaemon(true);
                            return t;
                        });
                mailWorkers.allowCoreThreadTimeOut(true);
                // Signing and inbound checks on a bounded pool of their own, closed with the engine.
                MessageAuthentication mailAuth = MessageAuthentication.create(config, dns, clock);
                owned.add(mailAuth);
                context = new EngineContext(config, tls, dir, mailStore, queue,
                        new ConnectionLimiter(limits.maxConnections(), limits.maxConnectionsPerAddress()),
                        throttle, authExecutor, metrics, new LoginGate(dir, throttle, authExecutor, authFailureDelay),
                        MailAccessProtocols.access(mailStore, owned), mailWorkers, mailAuth);
            } catch (RuntimeException e) {
                // Nothing stays open when a component cannot be made (watch threads, store, pollers).
                closeAll(owned);
                throw e;
            }
            MailEngine engine = new MailEngine(context, shutdownGrace, owned, delivery);
            try {
                engine.warmUp = engine.warmUp(warmUpRounds);
                engine.bindAll(protocols);
            } catch (RuntimeException | InterruptedException e) {
                engine.close();
                throw e;
            }
            return engine;
        }
    }

    /**
     * Before the listeners accept (so readiness waits for it, and no client meets a half-warm engine): the IMAP
     * paths are exercised on a scratch mailbox under {@code <dataDir>/warm-up} when an IMAP or POP3 listener is
     * configured and {@code warmUp.enabled} is true. Never fails the start.
     */
    private Optional<ImapWarmUp.Result> warmUp(IntConsumer rounds) {
        EngineConfig config = context.config();
        if (!warmUpConfigured(config) || context.mailboxes() == null) {
            return Optional.empty();
        }
        boolean epoll = Epoll.isAvailable();
        // The engine's TLS context without its listener: the warm-up's handshakes are no clients' and must not
        // count in sealmail_tls_handshakes_total (a failed one would look like a client's failure to alerts).
        ServerTls quietTls = ServerTls.of(context.serverTls().current(), TlsListener.NONE);
        ImapWarmUp.Transport transport = new ImapWarmUp.Transport(boss, workers,
                epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class,
                epoll ? EpollSocketChannel.class : NioSocketChannel.class, quietTls, Path.of(config.tls().certFile()));
        return new ImapWarmUp(config.warmUp(), Path.of(config.dataDir()).resolve("warm-up"), context.mailWorkers(),
                ImapLimits.from(config.limits()), transport, rounds).runQuietly();
    }

    /** Whether a start warms up: {@code warmUp.enabled} and an IMAP or POP3 listener to warm up for. */
    public static boolean warmUpConfigured(EngineConfig config) {
        return config.warmUp().enabled() && config.listeners().stream().anyMatch(l -> l.role() == Role.IMAP
                || l.role() == Role.IMAPS || l.role() == Role.POP3 || l.role() == Role.POP3S);
    }

    /** What the warm-up did; empty when it was off, not needed (no IMAP or POP3 listener) or failed. */
    public Optional<ImapWarmUp.Result> warmUpResult() {
        return warmUp;
    }

    private void bindAll(Map<Role, ListenerInitializerFactory> protocols) throws InterruptedException {
        Class<? extends ServerChannel> channelType = Epoll.isAvailable() ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        for (Listener listener : context.config().listeners()) {
            ChannelInitializer<Channel> direct = protocols.get(listener.role()).create(listener, context);
            ChannelInitializer<Channel> protocol = listener.proxyProtocol() == null ? direct
                    : new ProxyProtocolInitializer(listener, direct, context.metrics());
            ServerBootstrap bootstrap = new ServerBootstrap()
                    .group(boss, workers)
                    .channel(channelType)
                    .option(ChannelOption.SO_BACKLOG, 512)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            connections.add(ch);
                            ch.pipeline().addLast(protocol);
                        }
                    });
            Channel server;
            try {
                server = bootstrap.bind(listener.address(), listener.port()).sync().channel();
            } catch (Exception e) {
                if (e instanceof InterruptedException ie) {
                    throw ie;
                }
                throw new ConfigException("listener " + listener.role().id() + ": cannot bind " + listener.address() + ":"
                        + listener.port() + ": " + e.getMessage(), e);
            }
            serverChannels.add(server);
            InetSocketAddress address = (InetSocketAddress) server.localAddress();
            bound.add(new BoundListener(listener, address));
            LOG.infof("listening: %s on %s:%d%s%s", listener.role().id(), address.getHostString(), address.getPort(),
                    listener.role().implicitTls() ? " (implicit TLS)" : "",
                    listener.proxyProtocol() == null ? "" : " (PROXY protocol from " + listener.proxyProtocol().trustedProxies() + ")");
        }
        ready = true;
    }

    public EngineContext context() {
        return context;
    }

    /** The queue runner sending mail for other domains on; empty in {@code outbound.mode: hold} or with a test queue. */
    public Optional<OutboundDelivery> delivery() {
        return Optional.ofNullable(delivery);
    }

    /** True once the warm-up has run, every listener is bound, and until {@link #close()} starts. */
    public boolean isReady() {
        return ready && !closed;
    }

    public List<BoundListener> listeners() {
        return Collections.unmodifiableList(bound);
    }

    /** The bound address of the (first) listener with this role. */
    public InetSocketAddress address(Role role) {
        return bound.stream().filter(b -> b.listener().role() == role).map(BoundListener::address).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no " + role.id() + " listener"));
    }

    /** Where {@code listener} (one of the configuration's) is bound. */
    public InetSocketAddress address(Listener listener) {
        return bound.stream().filter(b -> b.listener().equals(listener)).map(BoundListener::address).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no listener " + listener));
    }

    public int port(Role role) {
        return address(role).getPort();
    }

    /** Bound ports by role (first listener of each role). */
    public Map<Role, Integer> ports() {
        Map<Role, Integer> ports = new EnumMap<>(Role.class);
        bound.forEach(b -> ports.putIfAbsent(b.listener().role(), b.address().getPort()));
        return ports;
    }

    /**
     * Graceful stop: no new connections; every open session is asked to finish (a delivery in flight completes
     * and is acknowledged) and say goodbye; after the grace period the rest are closed; then the components.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Channel server : serverChannels) {
            server.close().awaitUninterruptibly();
        }
        for (Channel ch : connections) {
            ch.pipeline().fireUserEventTriggered(EngineShutdown.REQUESTED);
        }
        long deadline = System.nanoTime() + shutdownGrace.toNanos();
        while (!connections.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        io.netty.util.concurrent.Future<?> bossDone = boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        bossDone.awaitUninterruptibly(5, TimeUnit.SECONDS);
        context.authExecutor().shutdownNow();
        // Queued IMAP/POP3 tasks (releasing folders of closed sessions) still run; their writes go nowhere.
        context.mailWorkers().shutdown();
        awaitTermination(context.authExecutor());
        awaitTermination(context.mailWorkers());
        closeAll(owned);
        LOG.info("engine stopped");
    }

    /** Closes in reverse order of making: what uses the store closes before the store. */
    private static void closeAll(List<AutoCloseable> owned) {
        for (int i = owned.size() - 1; i >= 0; i--) {
            try {
                owned.get(i).close();
            } catch (Exception e) {
                LOG.warnf("closing %s: %s", owned.get(i).getClass().getSimpleName(), e.toString());
            }
        }
    }

    private static void awaitTermination(ExecutorService pool) {
        try {
            if (!pool.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("a worker pool did not stop within 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Blocks until {@link #close()} has run (for the CLI's main thread). */
    public void awaitClose() throws InterruptedException {
        for (Channel server : serverChannels) {
            server.closeFuture().sync();
        }
    }

}
