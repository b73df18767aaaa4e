package io.sealmail.engine.smtp;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.sealmail.config.Limits;
import io.sealmail.config.Role;
import io.sealmail.engine.EngineContext;
import io.sealmail.engine.EngineShutdown;
import io.sealmail.engine.MailMetrics;
import io.sealmail.engine.auth.SaslServer;
import io.sealmail.engine.tls.StartTls;
import io.sealmail.engine.tls.TlsSessionInfo;
import org.jboss.logging.Logger;

import java.net.InetAddress;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One SMTP connection (RFC 5321): the session state machine. All state lives here; the frame decoder in front
 * of it delivers one command line (or content piece) at a time, in order. Slow work — password checks and
 * durable delivery — runs elsewhere while the decoder is paused, so replies keep the order of the pipelined
 * commands (RFC 2920) and nothing else is read meanwhile.
 */
public final class SmtpSession extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = Logger.getLogger(SmtpSession.class);

    /** RFC 5321 §4.1.4 command sequencing. */
    enum State {
        /** Connected; HELO/EHLO not yet given (again, after STARTTLS). */
        CONNECTED,
        /** Greeted; no transaction. */
        READY,
        /** MAIL accepted. */
        MAIL,
        /** At least one RCPT accepted. */
        RCPT,
        /** Receiving DATA content. */
        DATA,
        /** Between BDAT chunks of one message (RFC 3030). */
        BDAT,
        /** 221 or 421 sent; ignoring input. */
        CLOSING
    }

    private final EngineContext engine;
    private final Role role;
    private final Limits limits;
    private final String hostname;
    private final SmtpFrameDecoder decoder;
    private final boolean admitted;
    private final MailMetrics metrics;
    private final RecipientPolicy recipients;
    private final DeliveryFanOut fanOut;

    private ChannelHandlerContext ctx;
    private InetAddress clientAddress;
    private State state = State.CONNECTED;
    private boolean esmtp;
    private String helo;
    private boolean tls;
    private TlsSessionInfo tlsInfo;
    private String account;
    private SmtpTransaction tx;
    /** A refused BDAT chunk is being read; its content goes nowhere. */
    private boolean droppingChunk;
    /** The reply once the dropped chunk is read, or null when it was sent already. */
    private SmtpReply droppedChunkReply;
    /** The AUTH exchange; created on first AUTH. */
    private SaslServer sasl;
    private int errors;
    private int authFailures;
    private long lastActivityNanos = System.nanoTime();
    private ScheduledFuture<?> idleCheck;
    private volatile boolean shuttingDown;

    /**
     * @param admitted false when the connection limits refused this connection: it only gets 421 and is closed
     */
    public SmtpSession(EngineContext engine, Role role, SmtpFrameDecoder decoder, boolean admitted) {
        this.engine = engine;
        this.role = role;
        this.limits = engine.config().limits();
        this.hostname = engine.config().hostname();
        this.decoder = decoder;
        this.admitted = admitted;
        this.metrics = engine.metrics();
        this.recipients = new RecipientPolicy(engine.accounts(), engine.store());
        this.fanOut = new DeliveryFanOut(MessageHandoff.authenticated(engine), role, metrics);
    }

    State state() {
        return state;
    }

    // ---------------------------------------------------------------- connection life

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        clientAddress = EngineContext.clientAddress(ctx.channel());
        if (!admitted) {
            state = State.CLOSING;
            ctx.writeAndFlush(SmtpReplies.TOO_MANY_CONNECTIONS.encode(ctx.alloc())).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        scheduleIdleCheck(limits.idleTimeout().toNanos());
        SslHandler implicit = ctx.pipeline().get(SslHandler.class);
        if (role.implicitTls() && implicit != null) {
            // RFC 8314 §3.3: the greeting is the first thing sent inside TLS.
            implicit.handshakeFuture().addListener(f -> {
                if (f.isSuccess()) {
                    tlsEstablished(implicit);
                    greet();
                }
            });
        } else {
            greet();
        }
        ctx.fireChannelActive();
    }

    private void greet() {
        reply(new SmtpReply(220, null, List.of(hostname + (role == Role.LMTP ? " LMTP Sealmail" : " ESMTP Sealmail"))));
        ctx.flush();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (idleCheck != null) {
            idleCheck.cancel(false);
        }
        if (tx != null && !decoder.isPaused()) {
            // A delivery in flight closes its own spool when it completes.
            tx.discard();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // TLS handshake failures (including plaintext sent after STARTTLS) and resets end up here: close, quietly.
        LOG.debugf("closing SMTP connection from %s: %s", clientAddress, cause.toString());
        ctx.close();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
        ctx.fireChannelReadComplete();
    }

    /** Stops reading and framing until {@link #resume()}: nothing is read while a slow check or a delivery runs. */
    private void pause() {
        decoder.pause();
        ctx.channel().config().setAutoRead(false);
    }

    private void resume() {
        lastActivityNanos = System.nanoTime();
        if (state == State.CLOSING || !ctx.channel().isActive()) {
            return;
        }
        if (shuttingDown) {
            closeWith(SmtpReplies.SHUTTING_DOWN);
            return;
        }
        ctx.channel().config().setAutoRead(true);
        decoder.resume();
        ctx.flush();
    }

    /** Runs on the event loop; when that is gone (shutdown), runs the fallback (which must be thread-safe). */
    private void onEventLoop(Runnable task, Runnable fallback) {
        try {
            ctx.executor().execute(task);
        } catch (RejectedExecutionException e) {
            fallback.run();
        }
    }

    private void scheduleIdleCheck(long delayNanos) {
        idleCheck = ctx.executor().schedule(this::checkIdle, delayNanos, TimeUnit.NANOSECONDS);
    }

    /** RFC 5321 §4.5.3.2: 5 minutes between commands, 10 minutes inside DATA; then 421 4.4.2 and close. */
    private void checkIdle() {
        if (state == State.CLOSING || !ctx.channel().isActive()) {
            return;
        }
        long timeout = (state == State.DATA || state == State.BDAT ? limits.dataTimeout() : limits.idleTimeout()).toNanos();
        long idle = System.nanoTime() - lastActivityNanos;
        if (decoder.isPaused() || idle < timeout) {
            // Waiting for our own slow work never counts against the client. The next check comes no later than
            // one command timeout, so a session that leaves DATA is not left with DATA's longer deadline.
            long next = decoder.isPaused() ? timeout : timeout - idle;
            scheduleIdleCheck(Math.min(next, limits.idleTimeout().toNanos()));
            return;
        }
        LOG.debugf("SMTP idle timeout for %s in state %s", clientAddress, state);
        closeWith(SmtpReplies.IDLE_TIMEOUT);
    }

    private void closeWith(SmtpReply reply) {
        state = State.CLOSING;
        decoder.pause();
        if (tx != null) {
            tx.discard();
            tx = null;
        }
        ctx.writeAndFlush(reply.encode(ctx.alloc())).addListener(ChannelFutureListener.CLOSE);
    }

    // ---------------------------------------------------------------- input

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            lastActivityNanos = System.nanoTime();
            if (state == State.CLOSING) {
                return;
            }
            if (msg instanceof SmtpFrame.CommandLine line) {
                if (sasl != null && sasl.awaitingResponse()) {
                    saslResponse(line.text());
                } else {
                    command(line.text());
                }
            } else if (msg instanceof SmtpFrame.CommandTooLong) {
                if (sasl != null) {
                    sasl.abandon();
                }
                decoder.expectSaslResponse(false);
                reply(SmtpReplies.LINE_TOO_LONG);
            } else if (msg instanceof SmtpFrame.Content content) {
                content(content);
            } else if (msg instanceof SmtpFrame.ContentEnd end) {
                contentEnd(end.violation());
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    /** Sends a reply (flushed at the end of the read batch, RFC 2920) and counts errors towards the limit. */
    private void reply(SmtpReply reply) {
        if (state == State.CLOSING) {
            return;
        }
        ctx.write(reply.encode(ctx.alloc()));
        // Refusals the client cannot avoid (452 too many recipients, 4xx local trouble) are not its errors.
        if (reply.code() >= 500 && ++errors >= limits.maxErrors()) {
            LOG.debugf("SMTP client %s reached %d errors", clientAddress, errors);
            closeWith(SmtpReplies.TOO_MANY_ERRORS);
        }
    }

    private void command(String line) {
        int space = line.indexOf(' ');
        String verb = (space < 0 ? line : line.substring(0, space)).toUpperCase(Locale.ROOT);
        String args = space < 0 ? "" : line.substring(space + 1);
        if (role == Role.LMTP && (verb.equals("EHLO") || verb.equals("HELO"))) {
            // RFC 2033 §4.1: an LMTP server must not accept HELO or EHLO, so an SMTP client never mistakes it.
            reply(SmtpReplies.UNKNOWN_COMMAND.withText("Error: this is LMTP, say LHLO (RFC 2033)"));
            return;
        }
        switch (verb) {
            case "EHLO" -> hello(args, true);
            case "HELO" -> hello(args, false);
            case "LHLO" -> {
                if (role == Role.LMTP) {
                    hello(args, true);
                } else {
                    reply(SmtpReplies.UNKNOWN_COMMAND);
                }
            }
            case "MAIL" -> mail(args);
            case "RCPT" -> rcpt(args);
            case "DATA" -> data(args);
            case "BDAT" -> bdat(args);
            case "RSET" -> rset(args);
            case "NOOP" -> reply(SmtpReplies.NOOP_OK);
            case "QUIT" -> quit();
            case "VRFY" -> reply(args.isBlank() ? SmtpReplies.SYNTAX : SmtpReplies.CANNOT_VRFY);
            case "HELP" -> reply(SmtpReplies.HELP);
            case "STARTTLS" -> startTls(args);
            case "AUTH" -> auth(args);
            case "EXPN", "TURN", "ETRN", "SEND", "SOML", "SAML" -> reply(SmtpReplies.NOT_IMPLEMENTED);
            default -> reply(SmtpReplies.UNKNOWN_COMMAND);
        }
    }

    // ---------------------------------------------------------------- commands

    private void hello(String args, boolean extended) {
        String name = args.trim();
        if (name.isEmpty() || name.contains(" ")) {
            reply(SmtpReplies.SYNTAX.withText("Syntax: " + (role == Role.LMTP ? "LHLO" : extended ? "EHLO" : "HELO") + " hostname"));
            return;
        }
        if (state == State.BDAT || state == State.DATA) {
            reply(SmtpReplies.BDAT_PENDING);
            return;
        }
        abortTransaction();
        helo = name;
        esmtp = extended;
        state = State.READY;
        if (!extended) {
            reply(new SmtpReply(250, null, List.of(hostname)));
            return;
        }
        List<String> lines = new ArrayList<>();
        lines.add(hostname);
        lines.add("PIPELINING");
        lines.add("SIZE " + limits.maxMessageSize());
        lines.add("8BITMIME");
        lines.add("ENHANCEDSTATUSCODES");
        lines.add("SMTPUTF8");
        lines.add("CHUNKING");
        if (!tls && engine.serverTls() != null) {
            lines.add("STARTTLS");
        }
        if (tls && requiresAuth()) {
            // RFC 4954 §4: no mechanisms that send passwords in clear; we only offer AUTH once TLS is up.
            lines.add("AUTH " + String.join(" ", SaslServer.MECHANISMS));
        }
        reply(new SmtpReply(250, null, lines));
    }

    /** The submission roles (587, 465) require a TLS-protected, authenticated session before MAIL. */
    private boolean requiresAuth() {
        return role == Role.SUBMISSION || role == Role.SMTPS;
    }

    /**
     * True when the session is in one of {@code allowed}; otherwise replies why not (no EHLO yet, BDAT chunks
     * pending, or {@code outOfOrder}) and returns false.
     */
    private boolean inState(SmtpReply outOfOrder, State... allowed) {
        for (State s : allowed) {
            if (state == s) {
                return true;
            }
        }
        reply(state == State.CONNECTED ? SmtpReplies.NEED_HELO : state == State.BDAT ? SmtpReplies.BDAT_PENDING : outOfOrder);
        return false;
    }

    private void mail(String args) {
        if (!inState(SmtpReplies.NESTED_MAIL, State.READY)) {
            return;
        }
        if (requiresAuth() && !tls) {
            reply(SmtpReplies.MUST_STARTTLS);
            return;
        }
        if (requiresAuth() && account == null) {
            reply(SmtpReplies.AUTH_REQUIRED);
            return;
        }
        EnvelopeParser.Parsed parsed;
        try {
            parsed = EnvelopeParser.parse(args, "FROM");
        } catch (EnvelopeParser.SyntaxException e) {
            reply(SmtpReplies.BAD_SENDER_SYNTAX.withText("Syntax: MAIL FROM:<address> (" + e.getMessage() + ")"));
            return;
        }
        MailParameters.Outcome checked = MailParameters.check(parsed.params(), limits.maxMessageSize());
        if (checked instanceof MailParameters.Refused refused) {
            reply(refused.reply());
            return;
        }
        boolean smtputf8 = ((MailParameters.Accepted) checked).parameters().smtputf8();
        MailAddress sender = parsed.address();
        if (sender != null && !sender.isAscii() && !smtputf8) {
            reply(SmtpReplies.UTF8_NEEDS_SMTPUTF8);
            return;
        }
        if (account != null && (sender == null || !engine.accounts().maySendAs(account, sender.lookupKey()))) {
            // An authenticated user sends only as itself or one of its aliases (Postfix reject_sender_login_mismatch).
            reply(SmtpReplies.SENDER_NOT_OWNED.withText("<" + (sender == null ? "" : sender) + ">: Sender address rejected: not owned by user " + account));
            return;
        }
        tx = new SmtpTransaction(sender, smtputf8);
        state = State.MAIL;
        reply(SmtpReplies.SENDER_OK);
    }

    private void rcpt(String args) {
        if (!inState(SmtpReplies.NEED_MAIL, State.MAIL, State.RCPT)) {
            return;
        }
        tx.recipientAttempts++;
        EnvelopeParser.Parsed parsed;
        if (args.trim().equalsIgnoreCase("TO:<postmaster>")) {
            // RFC 5321 §4.5.1: the bare postmaster address must be accepted; it means our first domain.
            parsed = new EnvelopeParser.Parsed(new MailAddress("postmaster", engine.config().domains().get(0)), null, Map.of());
        } else {
            try {
                parsed = EnvelopeParser.parse(args, "TO");
            } catch (EnvelopeParser.SyntaxException e) {
                reply(SmtpReplies.BAD_ADDRESS_SYNTAX.withText("Syntax: RCPT TO:<address> (" + e.getMessage() + ")"));
                return;
            }
        }
        if (parsed.address() == null) {
            reply(SmtpReplies.BAD_ADDRESS_SYNTAX.withText("Syntax: RCPT TO:<address> (empty address)"));
            return;
        }
        if (!parsed.params().isEmpty()) {
            reply(SmtpReplies.PARAM_NOT_RECOGNIZED);
            return;
        }
        if (tx.recipients.size() >= limits.maxRecipients()) {
            reply(SmtpReplies.TOO_MANY_RECIPIENTS);
            return;
        }
        RecipientPolicy.Decision decision = recipients.decide(parsed, tx.smtputf8, role, account);
        if (decision instanceof RecipientPolicy.Refuse refuse) {
            if (refuse.metricReason() != null) {
                metrics.recipientRefused(role, refuse.metricReason());
            }
            reply(refuse.reply());
            return;
        }
        tx.recipients.add(((RecipientPolicy.Accept) decision).recipient());
        state = State.RCPT;
        reply(SmtpReplies.RECIPIENT_OK);
    }

    /** Common sequence checks of DATA and BDAT; returns the refusal, or null when a message may start. */
    private SmtpReply contentRefusal() {
        return switch (state) {
            case CONNECTED -> SmtpReplies.NEED_HELO;
            case READY -> SmtpReplies.NEED_MAIL;
            case MAIL -> tx.recipientAttempts > 0 ? SmtpReplies.NO_VALID_RECIPIENTS : SmtpReplies.NEED_RCPT;
            default -> null;
        };
    }

    private void data(String args) {
        if (!args.isBlank()) {
            reply(SmtpReplies.SYNTAX);
            return;
        }
        if (state == State.BDAT) {
            reply(SmtpReplies.DATA_AFTER_BDAT);
            return;
        }
        SmtpReply refusal = contentRefusal();
        if (refusal != null) {
            reply(refusal);
            return;
        }
        if (!openSpool()) {
            return;
        }
        state = State.DATA;
        decoder.expectData();
        reply(SmtpReplies.START_DATA);
    }

    /** Creates the spool and writes our Received header into it; false (and 451 sent) when the disk says no. */
    private boolean openSpool() {
        try {
            String single = tx.recipients.size() == 1 ? tx.recipients.get(0).address().toString() : null;
            String protocol = ReceivedHeader.protocol(role == Role.LMTP, esmtp, tx.smtputf8, tls, account != null);
            tx.reception = MessageReception.open(engine.store(), limits.maxMessageSize(), id -> ReceivedHeader.format(
                    helo, clientAddress.getHostAddress(), tlsInfo, hostname, protocol, id, single, ZonedDateTime.now(ZoneOffset.UTC)));
            return true;
        } catch (Exception e) {
            LOG.errorf("cannot spool a message: %s", e.toString());
            abortTransaction();
            state = State.READY;
            reply(SmtpReplies.LOCAL_ERROR);
            return false;
        }
    }

    private void bdat(String args) {
        MessageReception.Chunk chunk = MessageReception.Chunk.parse(args);
        if (chunk == null) {
            // Without a size we cannot know where the chunk ends; the client is out of sync either way.
            reply(SmtpReplies.SYNTAX.withText("Syntax: BDAT size [LAST]"));
            return;
        }
        SmtpReply refusal = state == State.DATA ? SmtpReplies.DATA_AFTER_BDAT : contentRefusal();
        if (refusal == null && state != State.BDAT && !openSpool()) {
            // openSpool replied 451; the chunk still follows and must be consumed.
            dropChunk(chunk.size(), null);
            return;
        }
        if (refusal != null) {
            dropChunk(chunk.size(), refusal);
            return;
        }
        boolean first = state != State.BDAT;
        state = State.BDAT;
        tx.reception.chunk(chunk);
        if (chunk.size() == 0) {
            contentEnd(null);
        } else {
            decoder.expectChunk(chunk.size(), first);
        }
    }

    /**
     * RFC 3030 §2: the octets of a refused chunk follow the command anyway. They are read and dropped, and the
     * refusal is the reply to the chunk.
     *
     * @param refusal the reply once the chunk is read, or null when it was already sent
     */
    private void dropChunk(long size, SmtpReply refusal) {
        if (size == 0) {
            if (refusal != null) {
                reply(refusal);
            }
            return;
        }
        droppingChunk = true;
        droppedChunkReply = refusal;
        decoder.expectChunk(size, false);
    }

    private void content(SmtpFrame.Content content) {
        if (!droppingChunk && tx != null && tx.reception != null) {
            tx.reception.write(content.content());
        }
    }

    private void contentEnd(SmtpFrame.ContentViolation violation) {
        if (droppingChunk) {
            droppingChunk = false;
            if (droppedChunkReply != null) {
                reply(droppedChunkReply);
                droppedChunkReply = null;
            }
            return;
        }
        if (tx == null || tx.reception == null) {
            return;
        }
        MessageReception.End end = tx.reception.end(violation);
        if (end instanceof MessageReception.Refused refused) {
            // The whole message is refused; a BDAT transfer ends with it (RFC 3030 §2: the client must RSET).
            LOG.infof("SMTP %s refused a message from %s: %s", role.id(), clientAddress.getHostAddress(), refused.reply());
            metrics.messageRejected(role, refused.metricReason());
            int replies = role == Role.LMTP ? tx.recipients.size() : 1;
            abortTransaction();
            state = State.READY;
            // RFC 2033 §4.2: after the final dot an LMTP client reads one reply per accepted recipient.
            for (int i = 0; i < replies && state != State.CLOSING; i++) {
                reply(refused.reply());
            }
        } else if (end instanceof MessageReception.ChunkAccepted chunk) {
            reply(SmtpReplies.OK.withText(chunk.size() + " octets received"));
        } else {
            deliver();
        }
    }

    /** Hands the message to {@link DeliveryFanOut}; nothing is read until its replies are written. */
    private void deliver() {
        SmtpTransaction done = tx;
        tx = null;
        state = State.READY;
        MessageReception received = done.reception;
        ReceivedMessage message = new ReceivedMessage(received.queueId(), received.spool(), done.returnPath(),
                done.localAccounts(), done.remoteRecipients(), role, clientAddress, helo, account, tlsInfo,
                received.receivedHeaderSize());
        pause();
        fanOut.start(message, List.copyOf(done.recipients))
                .thenAccept(outcome -> onEventLoop(() -> delivered(outcome), message.content()::close));
    }

    /** The replies once the hand-off has completed (on the event loop). */
    private void delivered(DeliveryFanOut.Outcome outcome) {
        outcome.message().content().close();
        if (!ctx.channel().isActive()) {
            return;
        }
        for (SmtpReply r : fanOut.replies(outcome)) {
            if (role == Role.LMTP) {
                // Written directly: a full mailbox is not the client's protocol error (no maxErrors count).
                ctx.write(r.encode(ctx.alloc()));
            } else {
                reply(r);
            }
        }
        resume();
    }

    private void rset(String args) {
        if (!args.isBlank()) {
            reply(SmtpReplies.SYNTAX);
            return;
        }
        abortTransaction();
        if (state != State.CONNECTED) {
            state = State.READY;
        }
        reply(SmtpReplies.RESET_OK);
    }

    private void abortTransaction() {
        if (tx != null) {
            tx.discard();
            tx = null;
        }
        if (state == State.MAIL || state == State.RCPT || state == State.BDAT || state == State.DATA) {
            state = State.READY;
        }
    }

    private void quit() {
        state = State.CLOSING;
        abortTransaction();
        state = State.CLOSING;
        ctx.writeAndFlush(SmtpReplies.BYE.encode(ctx.alloc())).addListener(ChannelFutureListener.CLOSE);
    }

    // ---------------------------------------------------------------- STARTTLS (RFC 3207)

    private void startTls(String args) {
        if (!args.isBlank()) {
            reply(SmtpReplies.SYNTAX);
            return;
        }
        if (tls) {
            reply(SmtpReplies.TLS_ALREADY_ACTIVE);
            return;
        }
        if (engine.serverTls() == null) {
            reply(SmtpReplies.TLS_UNAVAILABLE);
            return;
        }
        if (state == State.DATA || state == State.BDAT) {
            reply(SmtpReplies.BDAT_PENDING);
            return;
        }
        // RFC 3207 §4.2: forget everything learned before TLS, including the EHLO name.
        abortTransaction();
        state = State.CONNECTED;
        esmtp = false;
        helo = null;
        account = null;
        // Anything the client pipelined behind STARTTLS was sent in clear and could have been injected by a
        // man in the middle (CVE-2011-0411): StartTls drops it unread, and later plaintext fails the handshake.
        // The 220 is written through the new handler's startTls mode, so it alone leaves in clear.
        ctx.flush();
        StartTls.upgrade(ctx, engine.serverTls(), SmtpReplies.READY_FOR_TLS.encode(ctx.alloc())).addListener(f -> {
            if (f.isSuccess()) {
                tlsEstablished(ctx.pipeline().get(SslHandler.class));
            }
        });
    }

    private void tlsEstablished(SslHandler ssl) {
        tls = true;
        tlsInfo = TlsSessionInfo.of(ssl);
        lastActivityNanos = System.nanoTime();
    }

    // ---------------------------------------------------------------- AUTH (RFC 4954)

    private void auth(String args) {
        if (!requiresAuth()) {
            reply(SmtpReplies.AUTH_NOT_ENABLED);
            return;
        }
        if (!tls) {
            reply(SmtpReplies.MUST_STARTTLS);
            return;
        }
        if (state == State.CONNECTED) {
            reply(SmtpReplies.NEED_HELO);
            return;
        }
        if (account != null) {
            reply(SmtpReplies.ALREADY_AUTHENTICATED);
            return;
        }
        if (tx != null) {
            reply(SmtpReplies.AUTH_IN_TRANSACTION);
            return;
        }
        if (engine.logins().blocked(clientAddress)) {
            metrics.authThrottled(role);
            reply(SmtpReplies.AUTH_THROTTLED);
            return;
        }
        String[] parts = args.trim().split(" +");
        if (parts.length > 2 || parts[0].isEmpty()) {
            reply(SmtpReplies.SYNTAX);
            return;
        }
        if (sasl == null) {
            sasl = new SaslServer(engine.logins(), clientAddress, ctx.executor());
        }
        pause();
        sasl.start(parts[0], parts.length > 1 ? parts[1] : null, this::saslStep);
    }

    private void saslResponse(String line) {
        decoder.expectSaslResponse(false);
        pause();
        sasl.respond(line, this::saslStep);
    }

    /** RFC 4954 §4: a challenge is a 334 reply; the outcome ends the exchange. Called on any thread. */
    private void saslStep(SaslServer.Step step) {
        onEventLoop(() -> {
            if (step instanceof SaslServer.Challenge challenge) {
                decoder.expectSaslResponse(true);
                reply(new SmtpReply(334, null, List.of(challenge.base64())));
            } else {
                authOutcome(((SaslServer.Done) step).result());
            }
            resume();
        }, () -> { });
    }

    private void authOutcome(SaslServer.Result result) {
        if (result.gateOutcome() != null) {
            metrics.auth(role, result.gateOutcome());
        }
        switch (result.outcome()) {
            case SUCCESS -> {
                account = result.account();
                LOG.debugf("SMTP %s: %s authenticated from %s", role.id(), account, clientAddress.getHostAddress());
                reply(SmtpReplies.AUTH_OK);
            }
            case THROTTLED -> reply(SmtpReplies.AUTH_THROTTLED);
            case BUSY -> reply(SmtpReplies.AUTH_BUSY);
            case CANCELLED -> reply(SmtpReplies.AUTH_ABORTED);
            case MALFORMED -> reply(SmtpReplies.AUTH_BAD_RESPONSE);
            case UNSUPPORTED_MECHANISM -> reply(SmtpReplies.AUTH_MECHANISM);
            case FAILURE, AUTHORIZATION_REFUSED -> {
                // Acting for another user is refused like a wrong password (535).
                authFailures++;
                LOG.infof("SMTP %s: authentication failed from %s", role.id(), clientAddress.getHostAddress());
                reply(SmtpReplies.AUTH_FAILED);
                if (state != State.CLOSING && authFailures >= limits.maxAuthFailuresPerConnection()) {
                    closeWith(SmtpReplies.TOO_MANY_AUTH_FAILURES);
                }
            }
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == EngineShutdown.REQUESTED) {
            // A session mid-delivery finishes it (and gets its 250) first: see resume().
            shuttingDown = true;
            if (state != State.CLOSING && !decoder.isPaused()) {
                closeWith(SmtpReplies.SHUTTING_DOWN);
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }
}
