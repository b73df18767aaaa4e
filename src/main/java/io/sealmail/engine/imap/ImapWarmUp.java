package io.sealmail.engine.imap;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.sealmail.config.WarmUp;
import io.sealmail.engine.auth.AccountDirectory;
import io.sealmail.engine.tls.ServerTls;
import io.sealmail.store.MaildirStore;
import io.sealmail.store.StoreOptions;
import io.sealmail.store.maildir.MaildirMailboxAccess;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;
import java.util.stream.Stream;

import javax.net.ssl.X509TrustManager;

/**
 * The engine's warm-up ({@link WarmUp}): before the listeners accept, a scratch mailbox of generated messages under
 * {@code <dataDir>/warm-up} is served by the engine's own IMAPS pipeline (TLS, command decoder, {@link ImapSession},
 * the engine's event loops and worker pool) on a loopback port of its own to an in-process client that sends what clients send
 * after a reconnect: SELECT and FETCH of flags, Thunderbird's header FETCH, ENVELOPE and BODYSTRUCTURE, header
 * SEARCH, one-message body FETCHes, and STORE of \Seen and back. Each round is one session.
 *
 * <p>Why: in a new JVM the first use of each of those paths runs interpreted while the JIT compiles it, which made
 * the first header FETCH of a 100,000-message folder after a restart cost 2-4x the CPU of the next one
 * (docs/benchmarks.md). After a pod restart every client reconnects at once and would pay that together; here the
 * engine pays it once, before it is ready. It never holds a real mailbox: the scratch directory is removed before
 * and after, and a failure only costs the warmth (logged; the engine starts anyway).
 */
public final class ImapWarmUp {
    private static final Logger LOG = Logger.getLogger(ImapWarmUp.class);
    static final String ACCOUNT = "warm-up@warm-up.invalid";
    /**
     * Sessions run, with a pause after each until the JIT's compilers are idle ({@link CompilerQuiet}). Each round
     * passes 2,000 messages through the per-message code, but the code that runs once per command (the FETCH loop
     * itself, the channel's write and flush, the buffer pool) is called a few hundred times per round, and HotSpot
     * compiles it fully only past thousands of calls, and recompiles it after the traps a later round's different
     * input sets off. Measured on 100,000 messages after a restart (engine CPU of the first header FETCH, of which
     * the C2 compiler thread; one quick run each, 2026-12-04): 6 rounds back to back 1,360 ms (C2 970); 12 rounds
     * back to back 1,190 ms (C2 890); 12 rounds with the pause 680 ms (C2 370); 14 with the pause 440 ms (C2 150).
     */
    public static final int ROUNDS = 12;
    /** STORE of \Seen and back this many times a round: see {@link #round}. */
    static final int STORE_PAIRS = 3;
    /** The longest pause for the compilers after a round: a queue that takes longer is not the warm-up's. */
    private static final long MAX_QUIET_WAIT_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final String HEADER_FIELDS =
            "BODY.PEEK[HEADER.FIELDS (From To Cc Subject Date Message-ID References In-Reply-To Content-Type)]";

    /** What a warm-up did: rounds finished, messages in its mailbox, how long it took, whether it ran to the end. */
    public record Result(int rounds, int messages, Duration took, boolean complete) {
    }

    /**
     * The engine's own sockets: its event loops and channel classes (epoll or NIO), its server TLS, and the
     * certificate it serves (the warm-up's client trusts exactly that one).
     */
    public record Transport(EventLoopGroup boss, EventLoopGroup workers, Class<? extends ServerChannel> serverType,
                            Class<? extends Channel> clientType, ServerTls tls, Path certificate) {
    }

    private final WarmUp settings;
    private final Path scratch;
    private final Executor workers;
    private final ImapLimits limits;
    private final Transport transport;
    private final IntConsumer roundDone;
    /** Where the scratch server listens while it runs (tests). */
    private volatile InetSocketAddress address;

    /**
     * @param scratch   a directory of its own (deleted before and after)
     * @param workers   where sessions run their commands: the engine's pool, as for real sessions
     * @param roundDone told after each finished round (its number, from 1)
     */
    public ImapWarmUp(WarmUp settings, Path scratch, Executor workers, ImapLimits limits, Transport transport,
                      IntConsumer roundDone) {
        this.settings = settings;
        this.scratch = scratch;
        this.workers = workers;
        this.limits = limits;
        this.transport = transport;
        this.roundDone = roundDone;
    }

    /** Runs it; never throws (a failure is logged and answered empty), and always removes the scratch directory. */
    public Optional<Result> runQuietly() {
        long start = System.nanoTime();
        try {
            Result result = run();
            LOG.infof("warm-up: %d rounds over %d messages in %d ms%s", result.rounds(), result.messages(),
                    result.took().toMillis(), result.complete() ? "" : " (stopped at warmUp.maxTime)");
            return Optional.of(result);
        } catch (Exception | LinkageError | AssertionError e) {
            LOG.warnf("warm-up failed after %d ms, starting without it: %s",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), e.toString());
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return Optional.empty();
        } finally {
            try {
                deleteTree(scratch);
            } catch (IOException e) {
                LOG.warnf("warm-up: cannot remove %s: %s", scratch, e.toString());
            }
        }
    }

    InetSocketAddress address() {
        return address;
    }

    Result run() throws Exception {
        long start = System.nanoTime();
        long deadline = start + settings.maxTime().toNanos();
        deleteTree(scratch);
        int messages = settings.messages();
        byte[] secret = new byte[24];
        new SecureRandom().nextBytes(secret);
        String password = HexFormat.of().formatHex(secret);
        int rounds = 0;
        AtomicReference<AccessContext> context = new AtomicReference<>();
        SslContext clientTls = SslContextBuilder.forClient().trustManager(new PinnedCertificate(transport.certificate()))
                .protocols("TLSv1.3", "TLSv1.2").build();
        // Every connection the scratch server accepted, closed with it: anything local may connect to a loopback
        // port while it is open, and closing the listening socket alone would leave such a session open (outside
        // the engine's connection limits, for the 30-minute idle timeout) after the warm-up.
        ChannelGroup accepted = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
        CompilerQuiet quiet = CompilerQuiet.ofThisJvm();
        try (MaildirStore store = new MaildirStore(scratch, StoreOptions.DEFAULTS)) {
            Path inbox = store.inbox(ACCOUNT);
            writeMessages(inbox.resolve("new"), messages);
            // The engine's own pipeline (TLS, command decoder, autologout timer, session) on its own event loops
            // and socket type, so that what the JIT learns here is what real connections run; on loopback, an
            // ephemeral port, open only while the warm-up runs, for an account that exists only here.
            Channel server = new ServerBootstrap().group(transport.boss(), transport.workers())
                    .channel(transport.serverType())
                    .childHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            accepted.add(ch);
                            ch.pipeline().addLast(new MailAccessChannelInitializer(context.get(), true,
                                    MailAccessProtocols.imapProtocol(limits)));
                        }
                    }).bind(InetAddress.getLoopbackAddress(), 0).sync().channel();
            address = (InetSocketAddress) server.localAddress();
            try {
                while (rounds < ROUNDS && System.nanoTime() < deadline) {
                    // Each round opens the folder anew, as the first session after a restart does: the first from
                    // its files in new/ (initial indexing, the cache filled), the others from the snapshot the
                    // previous one left (restored columns until the round's STORE, the folder's first change).
                    long roundStart = System.nanoTime();
                    long busyBefore = quiet.busy();
                    try (MaildirMailboxAccess mailboxes = new MaildirMailboxAccess(store, MessageSummary.CACHE_ENTRIES)) {
                        context.set(new AccessContext("warm-up.invalid", new OneAccount(password), mailboxes,
                                transport.tls(), workers, limits, Duration.ZERO));
                        round(clientTls, (InetSocketAddress) server.localAddress(), password, messages, rounds, deadline,
                                mailboxes);
                        mailboxes.settle();
                        // Nothing else writes here, so cur/'s time can be set back past the snapshot's quiet
                        // interval (FolderSnapshot.QUIET_MILLIS) rather than waited out: the close writes it.
                        Files.setLastModifiedTime(inbox.resolve("cur"),
                                FileTime.fromMillis(System.currentTimeMillis() - 10_000));
                    }
                    rounds++;
                    roundDone.accept(rounds);
                    // Let the compiler catch up before the next round (and, after the last, before the listeners
                    // bind): see CompilerQuiet for why the queue it leaves matters.
                    long roundEnd = System.nanoTime();
                    long busyDuring = quiet.busy() - busyBefore;
                    quiet.await(Math.min(deadline, System.nanoTime() + MAX_QUIET_WAIT_NANOS));
                    LOG.debugf("warm-up round %d: %d ms, compilers busy %d ticks during it, then %d ms waiting for them",
                            rounds, (roundEnd - roundStart) / 1_000_000, busyDuring,
                            (System.nanoTime() - roundEnd) / 1_000_000);
                }
            } finally {
                server.close().syncUninterruptibly();
                accepted.close().syncUninterruptibly();
            }
        }
        return new Result(rounds, messages, Duration.ofNanos(System.nanoTime() - start), rounds == ROUNDS);
    }

    /** One session: what a client sends when it reconnects to a large folder, then flags changed and changed back. */
    private void round(SslContext clientTls, InetSocketAddress address, String password, int messages, int round,
                       long deadline, MaildirMailboxAccess mailboxes) throws Exception {
        Client client = new Client();
        Channel ch = new Bootstrap().group(transport.workers()).channel(transport.clientType())
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel c) {
                        c.pipeline().addLast(clientTls.newHandler(c.alloc()), client);
                    }
                }).connect(address).sync().channel();
        try {
            // Quoted, as clients send it: the argument type the parser makes for it is then loaded here, not at the
            // first client's LOGIN.
            client.command(ch, "LOGIN \"" + ACCOUNT + "\" \"" + password + "\"", deadline);
            client.command(ch, "SELECT INBOX", deadline);
            client.command(ch, "FETCH 1:* (UID FLAGS RFC822.SIZE)", deadline);
            client.command(ch, "FETCH 1:* (UID RFC822.SIZE FLAGS " + HEADER_FIELDS + ")", deadline);
            client.command(ch, "FETCH 1:* (UID FLAGS ENVELOPE BODYSTRUCTURE INTERNALDATE)", deadline);
            client.command(ch, "UID SEARCH FROM nobody-matches-" + round, deadline);
            client.command(ch, "UID SEARCH SUBJECT warm-" + (round * 37 % messages), deadline);
            // Bodies in one command too, as a client downloads a batch: one response of many message buffers, whose
            // write path (composite buffers, the pool's larger runs, the outbound queue growing) the one-by-one
            // FETCHes below never take; left cold, its first real use deoptimised and recompiled Netty's write and
            // read loops after a restart (two C2 compiles of about 200 ms each, seen with JFR).
            client.command(ch, "FETCH 1:" + Math.min(messages, 1000) + " (BODY.PEEK[])", deadline);
            for (int n = 1; n <= Math.min(messages, 500); n++) {
                client.command(ch, (n % 2 == 0 ? "UID FETCH " : "FETCH ") + n + " (BODY.PEEK[])", deadline);
            }
            // The first STORE is the folder's first change (restored columns to map), the others run the loops over
            // the folder's messages again: HotSpot compiles such a loop with C2 (on-stack replacement) only past
            // about 40,000 turns of it (Tier4BackEdgeThreshold, more while the compiler is busy), which one pair a
            // round (24 x 2,000) left the first STORE 1:* after a restart to do (docs/store.md).
            // The files are renamed after each answer, here in this thread (settle), as the renamer would: a pair
            // answered back to back renames nothing, and the first real STORE after a start would run that code cold.
            for (int pair = 0; pair < STORE_PAIRS; pair++) {
                client.command(ch, "STORE 1:* +FLAGS.SILENT (\\Seen)", deadline);
                mailboxes.settle();
                client.command(ch, "STORE 1:* -FLAGS.SILENT (\\Seen)", deadline);
                mailboxes.settle();
            }
            client.command(ch, "LOGOUT", deadline);
        } finally {
            ch.close().syncUninterruptibly();
        }
    }

    /** Sends one command at a time and waits for its tagged answer, which must be OK. */
    private static final class Client extends SimpleChannelInboundHandler<ByteBuf> {
        private final StringBuilder line = new StringBuilder();
        private int tags;
        private volatile String tag;
        private volatile CompletableFuture<String> answer;

        void command(Channel ch, String command, long deadline) throws Exception {
            tag = "W" + (++tags);
            CompletableFuture<String> done = new CompletableFuture<>();
            answer = done;
            ch.writeAndFlush(Unpooled.copiedBuffer(tag + " " + command + "\r\n", StandardCharsets.US_ASCII));
            String reply = done.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (!reply.startsWith(tag + " OK")) {
                throw new IOException("warm-up: " + command.split(" ", 2)[0] + " answered " + reply);
            }
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf in) {
            // Only the start of each line matters (the tagged answer is short): long lines are not kept whole.
            for (int i = in.readerIndex(), end = in.writerIndex(); i < end; i++) {
                byte b = in.getByte(i);
                if (b == '\n') {
                    String t = tag;
                    if (t != null && line.length() > t.length() && line.indexOf(t + " ") == 0) {
                        answer.complete(line.toString().strip());
                    }
                    line.setLength(0);
                } else if (line.length() < 200) {
                    line.append((char) b);
                }
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            CompletableFuture<String> a = answer;
            if (a != null) {
                a.completeExceptionally(new IOException("warm-up: the session closed"));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            CompletableFuture<String> a = answer;
            if (a != null) {
                a.completeExceptionally(cause);
            }
            ctx.close();
        }
    }

    /**
     * Generated messages of the shapes clients list: plain text and multipart/alternative, a thread of replies,
     * an encoded-word subject now and then, Cc on some; 1-5 KB each, Maildir names with {@code ,S=} as delivery
     * writes them.
     */
    static void writeMessages(Path newDir, int count) throws IOException {
        Random random = new Random(20261204L);
        ZonedDateTime date = ZonedDateTime.of(2026, 1, 1, 8, 0, 0, 0, ZoneOffset.UTC);
        long seconds = date.toEpochSecond();
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < count; i++) {
            ZonedDateTime sent = date.plusMinutes(7L * i);
            StringBuilder m = new StringBuilder(4096);
            m.append("Return-Path: <user").append(i % 50).append("@example.invalid>\r\n");
            m.append("Received: from client.example.invalid by warm-up.invalid with ESMTPSA id ").append(i)
                    .append("; ").append(DateTimeFormatter.RFC_1123_DATE_TIME.format(sent)).append("\r\n");
            m.append("From: \"User ").append(i % 50).append("\" <user").append(i % 50).append("@example.invalid>\r\n");
            m.append("To: ").append(ACCOUNT).append("\r\n");
            if (i % 3 == 0) {
                m.append("Cc: team").append(i % 7).append("@example.invalid, \"Other\" <other@example.invalid>\r\n");
            }
            m.append(i % 10 == 0 ? "Subject: =?UTF-8?B?V8Okcm0=?= warm-" + i : "Subject: Re: warm-" + i).append("\r\n");
            m.append("Date: ").append(DateTimeFormatter.RFC_1123_DATE_TIME.format(sent)).append("\r\n");
            m.append("Message-ID: <").append(i).append(".warm@example.invalid>\r\n");
            if (i % 4 != 0 && i > 0) {
                m.append("In-Reply-To: <").append(i - 1).append(".warm@example.invalid>\r\n");
                m.append("References: <").append(i - (i % 4)).append(".warm@example.invalid> <").append(i - 1)
                        .append(".warm@example.invalid>\r\n");
            }
            m.append("MIME-Version: 1.0\r\n");
            body.setLength(0);
            int lines = 15 + random.nextInt(60);
            for (int l = 0; l < lines; l++) {
                body.append("Line ").append(l).append(" of message ").append(i)
                        .append(": the quick brown fox jumps over the lazy dog.\r\n");
            }
            if (i % 5 == 0) {
                m.append("Content-Type: multipart/alternative; boundary=\"b").append(i).append("\"\r\n\r\n");
                m.append("--b").append(i).append("\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n").append(body);
                m.append("--b").append(i).append("\r\nContent-Type: text/html; charset=utf-8\r\n")
                        .append("Content-Transfer-Encoding: quoted-printable\r\n\r\n<p>").append(body).append("</p>\r\n");
                m.append("--b").append(i).append("--\r\n");
            } else {
                m.append("Content-Type: text/plain; charset=utf-8\r\n\r\n").append(body);
            }
            byte[] octets = m.toString().getBytes(StandardCharsets.UTF_8);
            String name = (seconds + i * 420L) + ".M" + i + "P0.warm-up.invalid,S=" + octets.length;
            Files.write(newDir.resolve(name), octets);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Trusts exactly the certificate the engine serves (the first in its certificate file). */
    private static final class PinnedCertificate implements X509TrustManager {
        private final X509Certificate pinned;

        PinnedCertificate(Path file) throws IOException, CertificateException {
            try (var in = Files.newInputStream(file)) {
                pinned = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            if (chain.length == 0 || !chain[0].equals(pinned)) {
                throw new CertificateException("not the engine's own certificate");
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("client side only");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }

    /** The scratch account alone, with a password made for this warm-up. */
    private record OneAccount(String password) implements AccountDirectory {
        @Override
        public Optional<String> authenticate(String username, char[] given) {
            boolean match = ACCOUNT.equals(username.toLowerCase(Locale.ROOT)) && MessageDigest.isEqual(
                    password.getBytes(StandardCharsets.US_ASCII), new String(given).getBytes(StandardCharsets.US_ASCII));
            return match ? Optional.of(ACCOUNT) : Optional.empty();
        }

        @Override
        public Optional<String> canonical(String username) {
            return ACCOUNT.equals(username.toLowerCase(Locale.ROOT)) ? Optional.of(ACCOUNT) : Optional.empty();
        }

        @Override
        public Optional<String> resolveRecipient(String address) {
            return canonical(address);
        }

        @Override
        public boolean isLocalDomain(String domain) {
            return "warm-up.invalid".equalsIgnoreCase(domain);
        }

        @Override
        public boolean maySendAs(String account, String address) {
            return false;
        }
    }
}
