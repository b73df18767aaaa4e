package io.sealmail.engine.pop3;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.timeout.IdleStateEvent;
import io.sealmail.engine.EngineContext;
import io.sealmail.engine.auth.SaslServer;
import io.sealmail.engine.imap.AccessContext;
import io.sealmail.engine.imap.SessionExecutor;
import io.sealmail.engine.tls.StartTls;
import io.sealmail.store.mailbox.MailFolder.MessageInfo;
import io.sealmail.store.mailbox.MailFolder;
import io.sealmail.store.mailbox.Mailboxes;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * One POP3 connection (RFC 1939, CAPA RFC 2449, STLS RFC 2595, AUTH RFC 5034, response codes RFC 2449/3206).
 * Commands run in order on the shared worker pool; deletions are only marks until QUIT enters UPDATE.
 */
public final class Pop3Session extends SimpleChannelInboundHandler<ByteBuf> {
    private static final Logger LOG = Logger.getLogger(Pop3Session.class);

    enum State { AUTHORIZATION, TRANSACTION, UPDATE }

    private final AccessContext context;
    private final boolean plaintextPort;
    private final SessionExecutor executor;
    private ChannelHandlerContext ctx;
    private volatile boolean secure;
    private volatile State state = State.AUTHORIZATION;
    private String user;
    private SaslServer sasl;
    private int authFailures;
    private MailFolder inbox;
    private List<MessageInfo> messages = List.of();
    private boolean[] deleted = new boolean[0];

    /** @param plaintextPort true on 110, where STLS must come before any credential */
    public Pop3Session(AccessContext context, boolean plaintextPort) {
        this.context = context;
        this.plaintextPort = plaintextPort;
        this.secure = !plaintextPort;
        this.executor = new SessionExecutor(context.workers());
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        reply("+OK " + context.hostname() + " Sealmail POP3 ready");
        ctx.fireChannelActive();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
        String line = msg.toString(StandardCharsets.UTF_8);
        if (executor.pending() >= context.limits().maxCommandsInFlight()) {
            // Far more pipelined commands than any client sends (RFC 2449 PIPELINING): stop reading until caught up.
            ctx.channel().config().setAutoRead(false);
        }
        submit(() -> handle(line));
    }

    /**
     * Queues a task of this session. Every task goes through {@link #runTask}: whichever task runs last while input is
     * paused must be the one that resumes it, or the client waits forever for an answer to a line we never read
     * (an over-long line queued behind a login's answer did exactly that).
     */
    private void submit(Runnable task) {
        executor.submit(() -> runTask(task));
    }

    /** One task of this session; afterwards reading resumes unless the queue is still long or the session held. */
    private void runTask(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            LOG.warnf("POP3 command failed: %s", e.toString());
            reply("-ERR [SYS/TEMP] Internal error");
        } finally {
            if (!ctx.channel().config().isAutoRead() && !executor.held() && executor.pending() <= 1) {
                ctx.channel().config().setAutoRead(true);
                ctx.read();
            }
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            // In turn with the commands read before it (RFC 2449 PIPELINING: replies in the order of commands).
            submit(() -> reply("-ERR Line longer than " + Pop3LineDecoder.MAX_LINE + " octets"));
            return;
        }
        LOG.debugf("POP3 connection error: %s", cause.toString());
        ctx.close();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            // RFC 1939 §3: an autologout timer ends the session without entering UPDATE: nothing is deleted.
            ctx.writeAndFlush(buf("-ERR Autologout; idle for too long\r\n")).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        submit(this::release);
        ctx.fireChannelInactive();
    }

    private void release() {
        if (inbox != null) {
            inbox.close();
            inbox = null;
        }
    }

    void handle(String line) {
        if (sasl != null && sasl.awaitingResponse()) {
            sasl((s, next) -> s.respond(line, next));
            return;
        }
        String[] words = line.split(" ", -1);
        String verb = words[0].toUpperCase(Locale.ROOT);
        List<String> args = new ArrayList<>(Arrays.asList(words).subList(1, words.length));
        args.removeIf(String::isEmpty);
        switch (verb) {
            case "CAPA" -> capa();
            case "NOOP" -> reply("+OK");
            case "QUIT" -> quit();
            case "STLS" -> stls();
            case "USER" -> user(args);
            case "PASS" -> pass(line);
            case "AUTH" -> auth(args);
            case "STAT", "LIST", "RETR", "DELE", "RSET", "TOP", "UIDL" -> transaction(verb, args);
            default -> reply("-ERR Unknown command");
        }
    }

    private boolean tls() {
        return secure;
    }

    private void capa() {
        StringBuilder sb = new StringBuilder("+OK Capability list follows\r\n");
        sb.append("TOP\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\n");
        if (state == State.AUTHORIZATION) {
            if (tls()) {
                sb.append("USER\r\nSASL ").append(String.join(" ", SaslServer.MECHANISMS)).append("\r\n");
            } else if (plaintextPort) {
                sb.append("STLS\r\n");
            }
        }
        sb.append("IMPLEMENTATION Sealmail\r\n.\r\n");
        write(sb.toString());
    }

    private void stls() {
        if (state != State.AUTHORIZATION || tls() || !plaintextPort) {
            reply("-ERR STLS not available now");
            return;
        }
        if (context.tls() == null) {
            reply("-ERR [SYS/TEMP] TLS is not available");
            return;
        }
        user = null;
        // RFC 2595 §4 through the engine's one STARTTLS path, which runs on the event loop: the session is held
        // meanwhile, and there the queue is emptied, so lines pipelined in clear behind STLS never run.
        SessionExecutor.Hold hold = executor.hold();
        ctx.executor().execute(() -> {
            executor.clearPending();
            secure = true;
            StartTls.upgrade(ctx, context.tls(), buf("+OK Begin TLS negotiation\r\n"));
            hold.resume(() -> runTask(() -> { }));
        });
    }

    /** RFC 2595 §2.1 spirit: no credentials in clear. */
    private boolean refuseBeforeTls() {
        if (!tls()) {
            reply("-ERR [AUTH] TLS required: use STLS first");
            return true;
        }
        return false;
    }

    private void user(List<String> args) {
        if (state != State.AUTHORIZATION) {
            reply("-ERR Already authenticated");
            return;
        }
        if (refuseBeforeTls()) {
            return;
        }
        if (args.size() != 1) {
            reply("-ERR Usage: USER name");
            return;
        }
        user = args.get(0);
        reply("+OK Send PASS");
    }

    private void pass(String line) {
        if (state != State.AUTHORIZATION) {
            reply("-ERR Already authenticated");
            return;
        }
        if (refuseBeforeTls()) {
            return;
        }
        if (user == null) {
            reply("-ERR USER first");
            return;
        }
        // RFC 1939 §7: the password is the rest of the line and may contain spaces.
        String password = line.length() > 5 ? line.substring(5) : "";
        String name = user;
        user = null;
        sasl((s, next) -> s.password(name, password.toCharArray(), next));
    }

    private void auth(List<String> args) {
        if (state != State.AUTHORIZATION) {
            reply("-ERR Already authenticated");
            return;
        }
        if (args.isEmpty()) {
            // RFC 5034 §4 leaves bare AUTH undefined; list mechanisms as many servers do.
            write("+OK\r\n" + (tls() ? String.join("\r\n", SaslServer.MECHANISMS) + "\r\n" : "") + ".\r\n");
            return;
        }
        if (refuseBeforeTls()) {
            return;
        }
        if (args.size() > 2) {
            reply("-ERR Usage: AUTH mechanism [initial-response]");
            return;
        }
        // RFC 5034 §4: "=" is an empty initial response; SaslServer knows.
        sasl((s, next) -> s.start(args.get(0), args.size() == 2 ? args.get(1) : null, next));
    }

    /**
     * Runs a step of the login exchange without holding a worker: this session waits (input paused, later commands
     * queued) for the answer; a failure's answer comes after the delay scheduled on the connection's event loop.
     */
    private void sasl(BiConsumer<SaslServer, Consumer<SaslServer.Step>> action) {
        if (sasl == null) {
            sasl = new SaslServer(context.logins(), EngineContext.clientAddress(ctx.channel()), ctx.executor());
        }
        SessionExecutor.Hold hold = executor.hold();
        ctx.channel().config().setAutoRead(false);
        action.accept(sasl, step -> hold.resume(() -> runTask(() -> {
            if (step instanceof SaslServer.Challenge challenge) {
                write("+ " + challenge.base64() + "\r\n");
            } else {
                loginOutcome(((SaslServer.Done) step).result());
            }
        })));
    }

    /** RFC 5034 §6 and RFC 3206 response codes: [AUTH] for credentials, [SYS/TEMP] for our trouble. */
    private void loginOutcome(SaslServer.Result result) {
        if (result.gateOutcome() != null) {
            context.loginOutcome(result.gateOutcome());
        }
        switch (result.outcome()) {
            case THROTTLED -> reply("-ERR [SYS/TEMP] Too many failed logins from your address; try again later");
            case BUSY -> reply("-ERR [SYS/TEMP] Too many logins in progress; try again later");
            case CANCELLED -> reply("-ERR Authentication cancelled");
            case MALFORMED -> reply("-ERR [AUTH] " + result.reason());
            case UNSUPPORTED_MECHANISM -> reply("-ERR Unsupported mechanism; " + String.join(", ", SaslServer.MECHANISMS) + " only");
            case FAILURE, AUTHORIZATION_REFUSED -> {
                if (++authFailures >= context.limits().maxAuthFailures()) {
                    ctx.writeAndFlush(buf("-ERR [AUTH] Too many authentication failures\r\n"))
                            .addListener(ChannelFutureListener.CLOSE);
                    return;
                }
                reply(result.outcome() == SaslServer.Outcome.FAILURE ? "-ERR [AUTH] Invalid credentials"
                        : "-ERR [AUTH] Authorization identity must be empty or the user itself");
            }
            case SUCCESS -> {
                try {
                    Mailboxes boxes = context.mailboxes().forAccount(result.account());
                    inbox = boxes.open("INBOX");
                    messages = inbox.messages();
                    deleted = new boolean[messages.size()];
                } catch (IOException e) {
                    LOG.warnf("POP3 maildrop of %s not available: %s", result.account(), e.getMessage());
                    reply("-ERR [SYS/TEMP] Maildrop not available");
                    return;
                }
                state = State.TRANSACTION;
                reply("+OK Logged in; " + messages.size() + " messages");
            }
        }
    }

    private void transaction(String verb, List<String> args) {
        if (state != State.TRANSACTION) {
            reply("-ERR Not logged in");
            return;
        }
        switch (verb) {
            case "STAT" -> {
                int count = 0;
                long size = 0;
                for (int i = 0; i < messages.size(); i++) {
                    if (!deleted[i]) {
                        count++;
                        size += messages.get(i).size();
                    }
                }
                reply("+OK " + count + " " + size);
            }
            case "LIST", "UIDL" -> listing(verb.equals("UIDL"), args);
            case "RETR" -> {
                Integer n = message(args, 1);
                if (n != null) {
                    retrieve(n, -1);
                }
            }
            case "TOP" -> {
                Integer n = message(args, 2);
                if (n != null) {
                    Integer lines = number(args.get(1));
                    if (lines == null) {
                        reply("-ERR Invalid line count");
                    } else {
                        retrieve(n, lines);
                    }
                }
            }
            case "DELE" -> {
                Integer n = message(args, 1);
                if (n != null) {
                    deleted[n - 1] = true;
                    reply("+OK Message " + n + " deleted");
                }
            }
            case "RSET" -> {
                Arrays.fill(deleted, false);
                reply("+OK");
            }
            default -> reply("-ERR Unknown command");
        }
    }

    /** Dovecot's default UIDL shape: UID and UIDVALIDITY in hex, stable for as long as the message is. */
    private String uidl(MessageInfo m) {
        return String.format("%08x%08x", m.uid(), inbox.uidValidity());
    }

    private void listing(boolean uidl, List<String> args) {
        if (!args.isEmpty()) {
            Integer n = message(args, 1);
            if (n != null) {
                MessageInfo m = messages.get(n - 1);
                reply("+OK " + n + " " + (uidl ? uidl(m) : Long.toString(m.size())));
            }
            return;
        }
        StringBuilder sb = new StringBuilder("+OK\r\n");
        for (int i = 0; i < messages.size(); i++) {
            if (!deleted[i]) {
                MessageInfo m = messages.get(i);
                sb.append(i + 1).append(' ').append(uidl ? uidl(m) : Long.toString(m.size())).append("\r\n");
            }
        }
        write(sb.append(".\r\n").toString());
    }

    /** The message number in args[0], checked; null after an -ERR reply. */
    private Integer message(List<String> args, int expected) {
        if (args.size() != expected) {
            reply("-ERR Wrong number of arguments");
            return null;
        }
        Integer n = number(args.get(0));
        if (n == null || n < 1 || n > messages.size()) {
            reply("-ERR No such message");
            return null;
        }
        if (deleted[n - 1]) {
            reply("-ERR Message " + n + " already deleted");
            return null;
        }
        return n;
    }

    private static Integer number(String s) {
        if (s.isEmpty() || s.length() > 9 || !s.chars().allMatch(Character::isDigit)) {
            return null;
        }
        return Integer.parseInt(s);
    }

    private void retrieve(int n, int topLines) {
        MessageInfo m = messages.get(n - 1);
        byte[] content;
        try {
            content = inbox.read(m.uid());
        } catch (IOException e) {
            reply("-ERR [SYS/TEMP] Message " + n + " cannot be read now");
            return;
        }
        ByteBuf out = ctx.alloc().buffer(content.length + content.length / 50 + 64);
        out.writeCharSequence(topLines < 0 ? "+OK " + m.size() + " octets\r\n" : "+OK\r\n", StandardCharsets.US_ASCII);
        DotStuffing.write(content, topLines, out);
        ctx.writeAndFlush(out);
    }

    private void quit() {
        if (state == State.TRANSACTION) {
            state = State.UPDATE;
            List<Long> gone = new ArrayList<>();
            for (int i = 0; i < messages.size(); i++) {
                if (deleted[i]) {
                    gone.add(messages.get(i).uid());
                }
            }
            try {
                if (!gone.isEmpty()) {
                    inbox.expunge(gone);
                }
            } catch (IOException e) {
                LOG.warnf("POP3 deletions failed: %s", e.getMessage());
                ctx.writeAndFlush(buf("-ERR [SYS/TEMP] Some deleted messages not removed\r\n"))
                        .addListener(ChannelFutureListener.CLOSE);
                return;
            }
            release();
            ctx.writeAndFlush(buf("+OK Bye; " + gone.size() + (gone.size() == 1 ? " message" : " messages") + " deleted\r\n"))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ctx.writeAndFlush(buf("+OK Bye\r\n")).addListener(ChannelFutureListener.CLOSE);
    }

    private void reply(String line) {
        write(line + "\r\n");
    }

    private void write(String text) {
        ctx.writeAndFlush(buf(text));
    }

    private static ByteBuf buf(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
    }
}
