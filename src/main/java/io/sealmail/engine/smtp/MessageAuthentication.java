package io.sealmail.engine.smtp;

import io.sealmail.config.ConfigException;
import io.sealmail.config.DkimKey;
import io.sealmail.config.EngineConfig;
import io.sealmail.config.Role;
import io.sealmail.engine.delivery.dns.DnsLookup;
import io.sealmail.engine.delivery.dns.CachingDnsLookup;
import io.sealmail.engine.mailauth.DkimAlgorithm;
import io.sealmail.engine.mailauth.DkimSigner;
import io.sealmail.engine.mailauth.DkimSigningKey;
import io.sealmail.engine.mailauth.InboundChecks;
import io.sealmail.engine.mailauth.InboundVerdict;
import io.sealmail.engine.mailauth.MessageSource;
import io.sealmail.store.EditedSpool;
import io.sealmail.store.Spool;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Mail authentication between receiving a message and handing it over: DKIM signing of mail submitted by
 * authenticated users (587, 465), and SPF/DKIM/DMARC checks of mail received on port 25. Both read the whole
 * message and the checks wait for DNS, so they run on a small bounded pool of their own, never on an event loop;
 * when the pool and its queue are full the session answers 451 and the client retries.
 */
public final class MessageAuthentication implements AutoCloseable {
    /** Messages waiting for a signing or checking thread before new ones are told to come back later. */
    static final int QUEUE = 256;

    private final DkimSigner signer;
    private final InboundChecks checks;
    private final ThreadPoolExecutor pool;
    private final Duration timeout;

    private MessageAuthentication(DkimSigner signer, InboundChecks checks, Duration timeout, int threads) {
        this.signer = signer;
        this.checks = checks;
        this.timeout = timeout;
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
            Thread t = new Thread(r, "sealmail-mailauth-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
    }

    /**
     * Loads the DKIM keys of {@code config.dkim()} (an unreadable key stops the engine with the file named) and
     * sets up the inbound checks on {@code dns} (through the DNS cache outbound delivery uses: answers for their TTL, negatives per RFC 2308) when {@code config.inbound().checks()}.
     */
    public static MessageAuthentication create(EngineConfig config, DnsLookup dns, Clock clock) {
        List<DkimSigningKey> keys = new ArrayList<>();
        for (DkimKey k : config.dkim()) {
            try {
                keys.add(DkimSigningKey.load(k.domain(), k.selector(), DkimAlgorithm.of(k.algorithm()), Path.of(k.keyFile())));
            } catch (IOException e) {
                throw new ConfigException("dkim " + k.domain() + " " + k.selector() + ": cannot use " + k.keyFile() + ": " + e.getMessage(), e);
            }
        }
        DkimSigner signer = keys.isEmpty() ? null : new DkimSigner(keys, clock);
        InboundChecks checks = config.inbound().checks() && dns != null
                ? new InboundChecks(config.hostname(), new CachingDnsLookup(dns), config.inbound(), clock) : null;
        // DNS waits dominate the checks: more threads than cores, still bounded.
        int threads = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
        return new MessageAuthentication(signer, checks, config.inbound().checkTimeout(), threads);
    }

    /** Where a message goes once signed or checked: the store (into {@code folder}) and the outbound queue. */
    @FunctionalInterface
    interface Delivery {
        CompletableFuture<Void> deliver(Spool content, String folder);
    }

    /** The folder DMARC quarantine sends mail to under {@code inbound.dmarc: enforce}. */
    static final String JUNK = "Junk";
    static final String INBOX = "INBOX";

    /**
     * Hands a received message to {@code next}: signed first when submitted by an authenticated user of a domain
     * with keys; checked first on port 25, then delivered with its Authentication-Results (to Junk for a DMARC
     * quarantine under enforce) or refused with {@link MessageRefusedException} (550 5.7.1, or 451 when DNS
     * failed, under enforce). Never blocks the caller.
     *
     * @param ourHeaderLength octets of our own Received field at the start of {@code content}
     */
    CompletableFuture<Void> deliver(Role role, String account, InetAddress client, String helo, String returnPath,
                                    Spool content, long ourHeaderLength, Delivery next) {
        if (signs(role, account)) {
            return sign(content).thenCompose(signed -> next.deliver(signed, INBOX));
        }
        if (!checks(role)) {
            return next.deliver(content, INBOX);
        }
        return check(client, helo, returnPath, content, ourHeaderLength).thenCompose(verdict -> switch (verdict.action()) {
            case DELIVER -> next.deliver(edited(content, verdict, ourHeaderLength), INBOX);
            // Port 25 takes mail for local accounts only: the Junk copy is all there is to deliver.
            case JUNK -> next.deliver(edited(content, verdict, ourHeaderLength), JUNK);
            case REJECT, DEFER -> CompletableFuture.failedFuture(new MessageRefusedException(reply(verdict.reply())));
        });
    }

    /** "550 5.7.1 text" as a reply. */
    static SmtpReply reply(String text) {
        String[] parts = text.split(" ", 3);
        return SmtpReply.of(Integer.parseInt(parts[0]), parts[1], parts[2]);
    }

    /** True when a message submitted by {@code account} on {@code role} goes through {@link #sign}. */
    boolean signs(Role role, String account) {
        return signer != null && account != null && (role == Role.SUBMISSION || role == Role.SMTPS);
    }

    /** True when messages received on {@code role} go through {@link #check}. */
    boolean checks(Role role) {
        return checks != null && role == Role.SMTP;
    }

    /**
     * The message with its DKIM-Signature fields on top (or unchanged when its From domain has no key). Fails
     * with {@link java.util.concurrent.RejectedExecutionException} when busy.
     */
    CompletableFuture<Spool> sign(Spool content) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                String header = signer.sign(source(content, 0));
                return header.isEmpty() ? content
                        : (Spool) new EditedSpool(content, header.getBytes(StandardCharsets.ISO_8859_1), List.of());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, pool);
    }

    /**
     * The verdict on a message received on port 25; {@code ourHeaderLength} octets at its start are our own
     * Received field, which the checks do not see.
     */
    CompletableFuture<InboundVerdict> check(InetAddress client, String helo, String mailFrom, Spool content, long ourHeaderLength) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return checks.check(client, helo, mailFrom, source(content, ourHeaderLength));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, pool).orTimeout(timeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
    }

    /**
     * The message for delivery after the checks: their Authentication-Results on top and forged ones left out
     * (the verdict's ranges are counted from after our own Received field).
     */
    static Spool edited(Spool content, InboundVerdict verdict, long ourHeaderLength) {
        List<EditedSpool.Cut> cuts = new ArrayList<>();
        for (InboundVerdict.Range r : verdict.removals()) {
            cuts.add(new EditedSpool.Cut(ourHeaderLength + r.offset(), r.length()));
        }
        return new EditedSpool(content, verdict.authenticationResults().getBytes(StandardCharsets.ISO_8859_1), cuts);
    }

    /** The spool's content from {@code skip} on, as the checks and the signer read it. */
    private static MessageSource source(Spool content, long skip) {
        return out -> content.copyTo(Channels.newChannel(new OutputStream() {
            private long skipped;

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (skipped < skip) {
                    int n = (int) Math.min(len, skip - skipped);
                    skipped += n;
                    off += n;
                    len -= n;
                }
                if (len > 0) {
                    out.write(b, off, len);
                }
            }
        }));
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
