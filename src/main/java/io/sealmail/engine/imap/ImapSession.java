package io.sealmail.engine.imap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.sealmail.engine.EngineContext;
import io.sealmail.engine.auth.SaslServer;
import io.sealmail.engine.tls.StartTls;
import io.sealmail.store.mailbox.MailboxException;
import io.sealmail.store.mailbox.Mailboxes;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * One IMAP connection. Commands are parsed on the event loop and run, in order, on the shared worker pool (they
 * may hash passwords or touch the disk). State is an explicit {@link ImapState}; each command declares the states
 * it is valid in. Updates caused by other sessions or by delivery are reported before a command's tagged response,
 * and pushed at once during IDLE.
 */
public final class ImapSession extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = Logger.getLogger(ImapSession.class);

    /** Commands during which EXPUNGE responses are not allowed (RFC 9051 §7.5.1; SORT and THREAD as SEARCH). */
    private static final Set<String> NO_EXPUNGE_REPORTS = Set.of("FETCH", "STORE", "SEARCH", "SORT", "THREAD");

    private final AccessContext context;
    private final boolean plaintextPort;
    private final SessionExecutor executor;
    private ChannelHandlerContext ctx;
    private volatile ImapState state = ImapState.NOT_AUTHENTICATED;
    private volatile boolean secure;
    private String account;
    private Mailboxes mailboxes;
    private SelectedMailbox selected;
    private final Set<String> enabled = new HashSet<>();
    private volatile String idleTag;
    private String saslTag;
    private SaslServer sasl;
    private int authFailures;
    private String currentCommand = "";
    private final Object writable = new Object();
    /** COMPRESS=DEFLATE is on (RFC 4978); never a second layer. */
    private volatile boolean compressed;

    public ImapSession(AccessContext context, boolean plaintextPort) {
        this.context = context;
        this.plaintextPort = plaintextPort;
        this.secure = !plaintextPort;
        this.executor = new SessionExecutor(context.workers());
    }

    // ---- accessors for commands ----

    public AccessContext context() {
        return context;
    }

    public ImapState state() {
        return state;
    }

    public boolean secure() {
        return secure;
    }

    public boolean plaintextPort() {
        return plaintextPort;
    }

    public String account() {
        return account;
    }

    public Mailboxes mailboxes() {
        return mailboxes;
    }

    SelectedMailbox selected() {
        return selected;
    }

    public Set<String> enabled() {
        return enabled;
    }

    /**
     * Mailbox names in UTF-8 once the client enabled UTF8=ACCEPT (RFC 6855) or IMAP4rev2 (RFC 9051 §5.1; modified
     * UTF-7 is for IMAP4rev1 only, and UTF-8 quoted strings only after ENABLE IMAP4rev2, Appendix A).
     */
    public boolean utf8() {
        return enabled.contains("UTF8=ACCEPT") || enabled.contains("IMAP4rev2");
    }

    /**
     * The client enabled IMAP4rev2 (RFC 9051 Appendix A): both revisions are advertised, so until then the answers
     * are IMAP4rev1's.
     */
    public boolean rev2() {
        return enabled.contains("IMAP4rev2");
    }

    public ChannelHandlerContext channelContext() {
        return ctx;
    }

    public String capabilities() {
        StringBuilder sb = new StringBuilder("IMAP4rev1 IMAP4rev2 LITERAL+ SASL-IR ID ENABLE IDLE");
        if (state == ImapState.NOT_AUTHENTICATED) {
            if (secure) {
                SaslServer.MECHANISMS.forEach(m -> sb.append(" AUTH=").append(m));
            } else {
                sb.append(" STARTTLS LOGINDISABLED");
            }
        } else {
            sb.append(" NAMESPACE UIDPLUS MOVE UNSELECT CHILDREN SPECIAL-USE LIST-EXTENDED LIST-STATUS BINARY UTF8=ACCEPT")
                    .append(" SORT SORT=DISPLAY THREAD=ORDEREDSUBJECT THREAD=REFERENCES THREAD=REFS I18NLEVEL=1")
                    .append(" CONDSTORE QRESYNC ESEARCH ESORT SEARCHRES WITHIN SAVEDATE STATUS=SIZE QUOTA QUOTA=RES-STORAGE QUOTA=RES-MESSAGE PREVIEW MULTIAPPEND")
                    .append(compressed ? "" : " COMPRESS=DEFLATE")
                    .append(" APPENDLIMIT=").append(context.limits().maxLiteralSize());
        }
        return sb.toString();
    }

    // ---- state changes, called by commands ----

    void loggedIn(String account, Mailboxes mailboxes) {
        this.account = account;
        this.mailboxes = mailboxes;
        this.state = ImapState.AUTHENTICATED;
        ImapCommandDecoder framer = ctx == null ? null : ctx.pipeline().get(ImapCommandDecoder.class);
        if (framer != null) {
            framer.authenticated(); // before the tagged OK goes out: the client's next command gets the full limits
        }
    }

    void select(SelectedMailbox mailbox) {
        deselect();
        this.selected = mailbox;
        this.state = ImapState.SELECTED;
    }

    void deselect() {
        if (selected != null) {
            selected.close();
            selected = null;
        }
        if (state == ImapState.SELECTED) {
            state = ImapState.AUTHENTICATED;
        }
    }

    void logout() {
        deselect();
        state = ImapState.LOGOUT;
    }

    /** @return true when the connection must close (too many failures) */
    boolean authFailed() {
        return ++authFailures >= context.limits().maxAuthFailures();
    }

    /**
     * Runs a step of the login exchange without holding a worker: the session is held (input paused, later commands
     * queued) until the step's answer, which for a failure comes after the delay scheduled on this connection's
     * event loop; then the challenge or the outcome is written as this session's next task.
     */
    void sasl(String tag, BiConsumer<SaslServer, Consumer<SaslServer.Step>> action) {
        if (sasl == null) {
            sasl = new SaslServer(context.logins(), EngineContext.clientAddress(ctx.channel()), ctx.executor());
        }
        SessionExecutor.Hold hold = executor.hold();
        ctx.channel().config().setAutoRead(false);
        action.accept(sasl, step -> hold.resume(() -> runTask(() -> {
            if (step instanceof SaslServer.Challenge challenge) {
                saslTag = tag;
                write("+ " + challenge.base64() + "\r\n");
            } else {
                SessionCommands.saslDone(this, tag, ((SaslServer.Done) step).result());
            }
        })));
    }

    void startIdle(String tag) {
        idleTag = tag;
    }

    /**
     * RFC 9051 §6.2.1 through the engine's one STARTTLS path ({@link StartTls#upgrade}), which must run on the event
     * loop: the session is held meanwhile, so nothing queued behind STARTTLS runs; on the event loop the queue is
     * emptied (commands framed from plaintext pipelined behind STARTTLS are never executed), the framer drops
     * what it buffered, TLS goes in front, and the OK leaves in clear. Commands after that arrive decrypted.
     */
    void startTls(String tag) {
        SessionExecutor.Hold hold = executor.hold();
        ctx.executor().execute(() -> {
            executor.clearPending();
            secure = true;
            StartTls.upgrade(ctx, context.tls(), Unpooled.copiedBuffer(tag + " OK Begin TLS negotiation now\r\n",
                    StandardCharsets.US_ASCII));
            hold.resume(() -> runTask(() -> { }));
        });
    }

    boolean compressed() {
        return compressed;
    }

    /**
     * RFC 4978 COMPRESS, like STARTTLS: the session is held (nothing queued runs) while the event loop sends the OK
     * in the clear and puts the codecs in; commands after that arrive inflated.
     */
    void compress(String tag) {
        SessionExecutor.Hold hold = executor.hold();
        compressed = true;
        ctx.executor().execute(() -> {
            // On the event loop no command is being framed: what is queued now was sent before our reply.
            if (ImapCompression.start(ctx, tag + " OK DEFLATE active\r\n", executor.pending() > 1)) {
                hold.resume(() -> runTask(() -> { }));
            } else {
                executor.clearPending();
                hold.resume(() -> state = ImapState.LOGOUT);
            }
        });
    }

    // ---- output ----

    public void untagged(String text) {
        write("* " + text + "\r\n");
    }

    public void write(String text) {
        write(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    }

    /** Writes without flushing; waits while the socket is not keeping up, so a large FETCH holds bounded memory. */
    public void write(ByteBuf buf) {
        ctx.write(buf);
        if (!ctx.channel().isWritable() && !ctx.executor().inEventLoop()) {
            ctx.flush();
            synchronized (writable) {
                long deadline = System.currentTimeMillis() + 60_000;
                while (!ctx.channel().isWritable() && ctx.channel().isActive() && System.currentTimeMillis() < deadline) {
                    try {
                        writable.wait(1000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
    }

    public ResponseWriter response() {
        return new ResponseWriter(ctx.alloc(), utf8());
    }

    /** Reports pending mailbox updates, then the tagged OK. */
    public void ok(ImapRequest request, String text) throws IOException {
        reportUpdates();
        write(request.tag() + " OK " + text + "\r\n");
    }

    public void no(ImapRequest request, String text) {
        write(request.tag() + " NO " + text + "\r\n");
    }

    public void bad(ImapRequest request, String text) {
        write(request.tag() + " BAD " + text + "\r\n");
    }

    void reportUpdates() throws IOException {
        if (selected != null) {
            selected.condstore = CondStore.on(this);
            selected.qresync = CondStore.qresync(this);
            boolean expunges = !NO_EXPUNGE_REPORTS.contains(currentCommand);
            for (String line : selected.sync(expunges)) {
                untagged(line);
            }
        }
    }

    // ---- Netty ----

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        ctx.writeAndFlush(Unpooled.copiedBuffer("* OK [CAPABILITY " + capabilities() + "] " + context.hostname()
                + " Sealmail IMAP ready\r\n", StandardCharsets.US_ASCII));
        ctx.fireChannelActive();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        synchronized (writable) {
            writable.notifyAll();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ImapInput.Rejected rejected) {
            submit(() -> {
                write(rejected.response() + "\r\n");
                if (rejected.close()) {
                    closeAfterFlush();
                }
            });
            return;
        }
        if (!(msg instanceof ImapInput.Command command)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (executor.pending() + 1 >= context.limits().maxCommandsInFlight()) {
            // Pipelining bound: stop reading until the queue drains; the client simply waits (TCP backpressure).
            ctx.channel().config().setAutoRead(false);
        }
        submit(() -> process(command));
    }

    /**
     * Queues a task of this session. Every task goes through {@link #runTask}: whichever task runs last while input is
     * paused must be the one that resumes it, or the client waits forever for an answer to a command we never read
     * (a refused literal queued behind a LOGIN's answer did exactly that).
     */
    private void submit(Runnable task) {
        executor.submit(() -> runTask(task));
    }

    /** One task of this session; afterwards reading resumes unless the queue is still long or the session held. */
    private void runTask(Runnable task) {
        try {
            task.run();
        } finally {
            ctx.flush();
            if (!ctx.channel().config().isAutoRead() && !executor.held() && executor.pending() <= 1
                    && state != ImapState.LOGOUT) {
                ctx.channel().config().setAutoRead(true);
                ctx.read();
            }
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            ctx.writeAndFlush(Unpooled.copiedBuffer("* BYE Autologout; idle for too long\r\n", StandardCharsets.US_ASCII))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        submit(() -> {
            idleTag = null;
            deselect();
        });
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debugf("IMAP connection error: %s", cause.toString());
        ctx.close();
    }

    /** Called by the selected folder's listener, on any thread. */
    void folderChanged() {
        if (idleTag != null) {
            submit(() -> {
                if (idleTag != null && selected != null && selected.changed) {
                    try {
                        reportUpdates();
                    } catch (IOException e) {
                        LOG.debugf("IDLE update failed: %s", e.getMessage());
                    }
                }
            });
        }
    }

    private void process(ImapInput.Command command) {
        if (state == ImapState.LOGOUT) {
            return;
        }
        if (idleTag != null) {
            String tag = idleTag;
            idleTag = null;
            if (command.literals().isEmpty() && command.firstLine().equalsIgnoreCase("DONE")) {
                write(tag + " OK IDLE terminated\r\n");
            } else {
                write(tag + " BAD Expected DONE\r\n");
            }
            return;
        }
        if (saslTag != null) {
            String tag = saslTag;
            saslTag = null;
            SessionCommands.saslResponse(this, tag, command.firstLine());
            return;
        }
        ImapRequest request;
        try {
            request = ImapRequest.parse(command, context.limits());
        } catch (ImapRequest.TaggedSyntaxException e) {
            write(e.tag() + " BAD " + codePrefix(e) + respText(e.getMessage()) + "\r\n");
            return;
        } catch (ImapSyntaxException e) {
            write(ImapCommandDecoder.tagOf(command.firstLine()) + " BAD " + codePrefix(e) + respText(e.getMessage()) + "\r\n");
            return;
        }
        ImapCommand.Registered registered = ImapCommands.lookup(request.name());
        if (registered == null) {
            write(request.tag() + " BAD Unknown command " + printable(request.name()) + "\r\n");
            return;
        }
        if (!registered.states().contains(state)) {
            write(request.tag() + " BAD " + request.name() + " not allowed " + switch (state) {
                case NOT_AUTHENTICATED -> "before login";
                case AUTHENTICATED -> "without a selected mailbox";
                default -> "now";
            } + "\r\n");
            return;
        }
        currentCommand = request.name();
        try {
            registered.command().execute(this, request);
        } catch (ImapSyntaxException e) {
            write(request.tag() + " BAD " + codePrefix(e) + respText(e.getMessage()) + "\r\n");
        } catch (MailboxException e) {
            write(request.tag() + " NO " + (e.code() != null ? "[" + e.code() + "] " : "") + respText(e.getMessage()) + "\r\n");
        } catch (IOException e) {
            LOG.warnf("IMAP %s failed for %s: %s", request.name(), account, e.toString());
            write(request.tag() + " NO [UNAVAILABLE] " + request.name() + " failed; try again later\r\n");
        } catch (RuntimeException e) {
            LOG.errorf(e, "IMAP %s failed for %s", request.name(), account);
            write(request.tag() + " NO [SERVERBUG] " + request.name() + " failed\r\n");
        } catch (InternalError e) {
            // A mapped file cut shorter under the engine by another program (the JVM's page-fault error): answer
            // rather than leave the client waiting for a tagged reply that never comes.
            LOG.errorf("IMAP %s failed for %s: %s", request.name(), account, e.toString());
            write(request.tag() + " NO [SERVERBUG] " + request.name() + " failed\r\n");
        } catch (StackOverflowError e) {
            // A bound that should have refused the command earlier is missing: answer, and log one line, not 1,000.
            LOG.errorf("IMAP %s failed for %s: stack overflow", request.name(), account);
            write(request.tag() + " NO [SERVERBUG] " + request.name() + " failed\r\n");
        } finally {
            currentCommand = "";
        }
        if (state == ImapState.LOGOUT) {
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static String codePrefix(ImapSyntaxException e) {
        return e.code() != null ? "[" + e.code() + "] " : "";
    }

    /**
     * Text for a response that may quote what the client sent: RFC 9051 §9 resp-text is TEXT-CHAR, which has no NUL,
     * CR, LF or other control octet, so those are shown as {@code \xNN} rather than sent back raw.
     */
    static String respText(String s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                if (sb == null) {
                    sb = new StringBuilder(s.length() + 8).append(s, 0, i);
                }
                sb.append(String.format("\\x%02x", (int) c));
            } else if (sb != null) {
                sb.append(c);
            }
        }
        return sb == null ? s : sb.toString();
    }

    private static String printable(String s) {
        String t = s.length() > 40 ? s.substring(0, 40) : s;
        return t.replaceAll("[^\\x21-\\x7e ]", "?");
    }

    /** Closes the connection after what was written. */
    void closeAfterFlush() {
        state = ImapState.LOGOUT;
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
}
