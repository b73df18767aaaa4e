package io.sealmail.engine.delivery;

import io.sealmail.config.EngineConfig;
import io.sealmail.config.Outbound;
import io.sealmail.engine.delivery.dns.DnsLookup;
import io.sealmail.engine.delivery.policy.TransportPolicies;
import io.sealmail.store.DeliveryStatus;
import io.sealmail.store.DiskOutboundQueue;
import io.sealmail.store.MailStore;
import io.sealmail.store.OutboundQueue;
import io.sealmail.store.QueueId;
import io.sealmail.store.QueuedMessage;
import io.sealmail.store.RecipientStatus;
import io.sealmail.store.Spool;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The queue runner: sends the durable outbound queue on, and is the engine's {@link OutboundQueue} (a message
 * queued through it is scheduled at once).
 *
 * <p>One scheduler thread plans: it groups due recipients by destination (recipient domain, or the relay) and starts
 * destination runs on a bounded delivery pool ({@code outbound.maxConnections} threads, at most
 * {@code maxConnectionsPerDestination} per destination). A run owns one SMTP connection at a time and takes work
 * for its destination until none is left: several recipients of one message and domain in one transaction, several
 * messages over one connection. Only delivery threads ever wait on a remote; nothing here sleeps on a shared one.
 *
 * <p>Every outcome is recorded durably before anything else happens to the entry (the next transaction on the
 * connection, the next attempt, the DSN, the removal): 2xx delivered, 4xx deferred (retried after
 * {@link Backoff}, bounced once older than {@code maxLifetime}), 5xx bounced. An entry is removed only when every
 * recipient is final and the bounce (RFC 3464 DSN) for its failed ones is durable. So after a crash at any point
 * nothing is lost; a recipient is sent to again only when the crash fell between the remote's 250 and our record.
 */
public final class OutboundDelivery implements OutboundQueue, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(OutboundDelivery.class);
    /** Longest reply kept in the queue state (and quoted in a DSN). */
    static final int MAX_RECORDED_REPLY = 1000;
    private static final String RELAY_KEY = "[relay]";

    private final EngineConfig engineConfig;
    private final Outbound config;
    private final DiskOutboundQueue queue;
    private final MailStore store;
    private final LocalRecipients local;
    private final DeliveryListener listener;
    private final Clock clock;
    private final Backoff backoff;
    final MxRouting routing;
    final TransportPolicies policies;
    final ClientTls tls;

    private final Map<String, QueueEntry> entries = new ConcurrentHashMap<>();
    private final Map<String, Destination> destinations = new HashMap<>();
    private int activeRuns;
    private final ScheduledExecutorService scheduler;
    private final ScheduledExecutorService watchdog;
    private final ThreadPoolExecutor pool;
    private final AtomicBoolean planQueued = new AtomicBoolean();
    private ScheduledFuture<?> nextPlan;
    private long nextPlanAt = Long.MAX_VALUE;
    private final Set<SmtpClientConnection> open = ConcurrentHashMap.newKeySet();
    /** Sessions between runs (guarded by this); they count against {@code maxConnections}. */
    private final IdleSessions idle;
    private volatile boolean closed;
    private volatile QueueRequestHandler requests;

    /** Work for one destination: these recipients of this entry. */
    record Work(QueueEntry entry, List<String> recipients) {
    }

    static final class Destination {
        final String key;
        final Deque<Work> pending = new ArrayDeque<>();
        int active;

        Destination(String key) {
            this.key = key;
        }
    }

    public OutboundDelivery(EngineConfig engineConfig, DiskOutboundQueue queue, MailStore store, LocalRecipients local,
                            DnsLookup dns, TransportPolicies policies, DeliveryListener listener, Clock clock) {
        this.engineConfig = engineConfig;
        this.config = engineConfig.outbound();
        this.queue = queue;
        this.store = store;
        this.local = local;
        this.listener = listener;
        this.clock = clock;
        this.backoff = new Backoff(config.firstRetry(), config.maxRetryInterval());
        this.routing = new MxRouting(dns);
        this.policies = policies;
        this.tls = new ClientTls(config.trustedCaFile());
        ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, daemon("sealmail-outbound-scheduler"));
        s.setRemoveOnCancelPolicy(true);
        this.scheduler = s;
        ScheduledThreadPoolExecutor w = new ScheduledThreadPoolExecutor(1, daemon("sealmail-outbound-watchdog"));
        w.setRemoveOnCancelPolicy(true);
        this.watchdog = w;
        this.pool = new ThreadPoolExecutor(config.maxConnections(), config.maxConnections(), 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), daemon("sealmail-outbound"));
        this.pool.allowCoreThreadTimeOut(true);
        this.idle = new IdleSessions(this, watchdog, pool, this::quit);
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Loads the queue from disk and starts sending (and answering {@code sealmail queue} requests). */
    public OutboundDelivery start() throws IOException {
        for (QueuedMessage m : queue.list()) {
            entries.put(m.id(), new QueueEntry(m, queue.status(m)));
        }
        LOG.infof("outbound: %s delivery, %d queued messages", config.mode().id(), entries.size());
        requests = new QueueRequestHandler(this, queue.root());
        scheduler.scheduleWithFixedDelay(() -> requests.poll(), 1, 1, TimeUnit.SECONDS);
        wake();
        return this;
    }

    // ------------------------------------------------------------------ OutboundQueue

    @Override
    public CompletableFuture<QueuedMessage> enqueue(String id, Spool message, String returnPath, List<String> recipients) {
        return queue.enqueue(id, message, returnPath, recipients).thenApply(m -> {
            planNew(new QueueEntry(m, DeliveryStatus.initial(m)));
            return m;
        });
    }

    @Override
    public List<QueuedMessage> list() throws IOException {
        return queue.list();
    }

    /** Queued messages now (tracked in memory). */
    public int queueSize() {
        return entries.size();
    }

    /** Age of the oldest queued message in seconds, 0 when the queue is empty. */
    public long oldestAgeSeconds() {
        long now = clock.millis();
        return entries.values().stream().mapToLong(e -> e.message.queuedAt().toEpochMilli()).min()
                .stream().map(t -> Math.max(0, (now - t) / 1000)).findFirst().orElse(0);
    }

    /** Why health is degraded (the oldest message is older than {@code queueAgeWarning}), or empty. */
    public Optional<String> degradation() {
        long age = oldestAgeSeconds();
        return age > config.queueAgeWarning().toSeconds()
                ? Optional.of("outbound queue: oldest message waits for " + Duration.ofSeconds(age) + " (over "
                + config.queueAgeWarning() + ")")
                : Optional.empty();
    }

    // ------------------------------------------------------------------ planning

    /** Plans soon, on the scheduler thread (coalesced). */
    void wake() {
        if (!closed && planQueued.compareAndSet(false, true)) {
            try {
                scheduler.execute(this::plan);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                planQueued.set(false);
            }
        }
    }

    private void plan() {
        planQueued.set(false);
        if (closed) {
            return;
        }
        long now = clock.millis();
        long earliest = Long.MAX_VALUE;
        synchronized (this) {
            for (QueueEntry e : entries.values()) {
                if (e.finishing) {
                    continue;
                }
                if (e.status.allFinal()) {
                    if (e.inFlight.isEmpty()) {
                        if (e.finishAfter <= now) {
                            e.finishing = true;
                            pool.execute(() -> finishQuietly(e));
                        } else {
                            earliest = Math.min(earliest, e.finishAfter);
                        }
                    }
                    continue;
                }
                earliest = Math.min(earliest, planDelayNotice(e, now));
                Map<String, List<String>> due = new LinkedHashMap<>();
                for (RecipientStatus r : e.status.recipients()) {
                    if (r.isFinal() || e.inFlight.contains(r.recipient())) {
                        continue;
                    }
                    if (r.nextAttemptMillis() <= now) {
                        due.computeIfAbsent(destinationKey(r.recipient()), k -> new ArrayList<>()).add(r.recipient());
                    } else {
                        earliest = Math.min(earliest, r.nextAttemptMillis());
                    }
                }
                due.forEach((key, recipients) -> {
                    destinations.computeIfAbsent(key, Destination::new).pending.add(new Work(e, recipients));
                    e.inFlight.addAll(recipients);
                });
            }
            destinations.values().forEach(this::startRuns);
            destinations.values().removeIf(d -> d.active == 0 && d.pending.isEmpty());
            scheduleAt(earliest, now);
        }
    }

    /**
     * Tracks a newly queued entry, on the thread that queued it: every recipient is due now, so its work joins its
     * destinations' at once and runs start if needed, without a plan (which looks at every entry) on the scheduler
     * thread. Its delay notice needs no timer yet: only a deferral makes one due, and a deferral plans.
     */
    private void planNew(QueueEntry e) {
        synchronized (this) { // with the entry's put, so plan() cannot take its recipients too
            entries.put(e.id(), e);
            if (closed) {
                return;
            }
            Map<String, List<String>> due = new LinkedHashMap<>();
            for (String r : e.message.recipients()) {
                due.computeIfAbsent(destinationKey(r), k -> new ArrayList<>()).add(r);
            }
            due.forEach((key, recipients) -> {
                Destination d = destinations.computeIfAbsent(key, Destination::new);
                d.pending.add(new Work(e, recipients));
                e.inFlight.addAll(recipients);
                startRuns(d);
            });
        }
    }

    /** Starts runs for the destination while it has more waiting than its open runs take next (guarded by this). */
    private void startRuns(Destination d) {
        // Idle sessions count against the total: one of another destination is closed to make room.
        while (!d.pending.isEmpty() && d.active < config.maxConnectionsPerDestination()
                && (d.active == 0 || d.pending.size() > d.active)
                && (activeRuns + idle.size() < config.maxConnections()
                || activeRuns < config.maxConnections() && (idle.has(d.key) || idle.evictOldest()))) {
            d.active++;
            activeRuns++;
            try {
                pool.execute(new DestinationRun(this, d, config, engineConfig.hostname()));
            } catch (java.util.concurrent.RejectedExecutionException stopping) {
                // Closing: the work stays queued on disk for the next start (and an enqueue still succeeds).
                d.active--;
                activeRuns--;
                return;
            }
        }
    }

    /**
     * Starts the entry's delay notice when it is due (guarded by this): once per message, to a sender that is not
     * null, when {@code delayWarning} has passed since it was queued and a recipient has been deferred.
     *
     * @return when to look again, or Long.MAX_VALUE
     */
    private long planDelayNotice(QueueEntry e, long now) {
        long delay = config.delayWarning().toMillis();
        DeliveryStatus s = e.status;
        if (delay <= 0 || s.delayNoticeSent() || e.noticing || e.message.returnPath().isEmpty()) {
            return Long.MAX_VALUE;
        }
        long at = e.message.queuedAt().toEpochMilli() + delay;
        if (at > now) {
            return at;
        }
        if (!s.delayed().isEmpty()) {
            e.noticing = true;
            pool.execute(() -> sendDelayNotice(e));
        }
        return Long.MAX_VALUE; // else the next deferral wakes the planner
    }

    private void scheduleAt(long at, long now) {
        if (at == Long.MAX_VALUE) {
            return;
        }
        if (nextPlan != null && !nextPlan.isDone() && nextPlanAt <= at) {
            return;
        }
        if (nextPlan != null) {
            nextPlan.cancel(false);
        }
        nextPlanAt = at;
        nextPlan = scheduler.schedule(this::wake, Math.max(0, at - now), TimeUnit.MILLISECONDS);
    }

    private String destinationKey(String recipient) {
        if (config.mode() == Outbound.Mode.RELAY) {
            return RELAY_KEY;
        }
        return domainOf(recipient);
    }

    static String domainOf(String address) {
        int at = address.lastIndexOf('@');
        return (at < 0 ? "" : address.substring(at + 1)).toLowerCase(Locale.ROOT);
    }

    /**
     * The next work for a run, or null, in which case the run has ended (its slot is freed here, atomically) and
     * its session, when still usable, is parked for the destination's next run ({@link IdleSessions}).
     */
    synchronized Work next(Destination d, DestinationRun run) {
        Work w = closed ? null : d.pending.poll();
        if (w == null) {
            RemoteSession s = run.session();
            if (s != null && s.usable() && !closed) {
                idle.park(d.key, s);
                run.handedOver();
            }
            d.active--;
            activeRuns--;
            wake();
        }
        return w;
    }

    /** Tests only: how long a session waits for the next message ({@link IdleSessions#IDLE_TIME}). */
    synchronized void idleTime(Duration time) {
        idle.idleTime(time);
    }

    /** A parked session to the destination, or null. */
    synchronized RemoteSession takeIdle(String destination) {
        return idle.take(destination);
    }

    /** QUIT and forget (delivery pool). */
    private void quit(RemoteSession s) {
        s.close();
        closed(s.connection());
    }

    boolean isRelay() {
        return config.mode() == Outbound.Mode.RELAY;
    }

    /** The message file of an entry. */
    java.nio.file.Path messageFile(QueueEntry e) {
        return queue.messageFile(e.id());
    }

    void opened(SmtpClientConnection c) {
        open.add(c);
        if (closed) {
            c.close();
        }
    }

    void closed(SmtpClientConnection c) {
        open.remove(c);
    }

    /** Closes sockets whose deadline passed (see {@link SmtpClientConnection}). */
    ScheduledExecutorService watchdog() {
        return watchdog;
    }

    // ------------------------------------------------------------------ recording outcomes

    /**
     * Records a transaction's (or a failure's) outcomes for these recipients of the entry, durably, before the
     * caller goes on; then finishes the entry when every recipient is final. When every recipient was delivered,
     * the record is the entry's removal ({@link DiskOutboundQueue#remove}), here and now.
     */
    void record(QueueEntry e, List<RecipientOutcome> outcomes, String remote, String policy, String tlsUsed) {
        long now = clock.millis();
        DeliveryStatus updated;
        List<String> logLines = new ArrayList<>();
        List<String> results = new ArrayList<>();
        boolean removed = false;
        synchronized (e) {
            updated = e.status;
            for (RecipientOutcome o : outcomes) {
                RecipientStatus before = updated.recipients().stream().filter(r -> r.recipient().equals(o.recipient()))
                        .findFirst().orElse(null);
                if (before == null || before.isFinal()) {
                    continue;
                }
                String reply = truncate(o.reply().toString());
                RecipientStatus after;
                String result;
                if (o.reply().positive()) {
                    after = before.after(RecipientStatus.State.DELIVERED, now, 0, reply, remote, policy, tlsUsed);
                    result = "delivered";
                } else if (o.reply().permanentFailure()) {
                    after = before.after(RecipientStatus.State.BOUNCED, now, 0, reply, remote, policy, tlsUsed);
                    result = "bounced";
                } else if (now - e.message.queuedAt().toEpochMilli() >= config.maxLifetime().toMillis()) {
                    String expired = truncate("554 5.4.7 message expired after " + config.maxLifetime()
                            + " in the queue; last reply: " + reply);
                    after = before.after(RecipientStatus.State.BOUNCED, now, 0, expired, remote, policy, tlsUsed);
                    result = "bounced";
                } else {
                    long next = now + backoff.after(before.attempts() + 1).toMillis();
                    after = before.after(RecipientStatus.State.DEFERRED, now, next, reply, remote, policy, tlsUsed);
                    result = "deferred";
                }
                updated = updated.with(after);
                results.add(result);
                logLines.add(String.format("outbound %s: to=<%s> relay=%s policy=%s tls=%s attempts=%d status=%s (%s)",
                        e.id(), o.recipient(), remote == null ? "none" : remote, policy == null ? "none" : policy,
                        tlsUsed == null ? "none" : tlsUsed, after.attempts(), result, after.lastReply()));
            }
            try {
                if (!updated.allFinal()) {
                    queue.saveStatus(updated).join();
                } else if (!updated.anyBounced()) {
                    // Everything delivered: removing the entry is the record. Should it fail, the planner finds the
                    // entry all final and removes it (finish), retrying every minute.
                    queue.remove(e.id());
                    removed = true;
                } else {
                    // Bounces to send: record them first, the DSN and removal follow (finish).
                    queue.saveStatus(updated).join();
                }
            } catch (CompletionException | IllegalArgumentException | IOException ex) {
                LOG.errorf("outbound %s: cannot record the delivery state: %s (a restart may send it again)", e.id(), ex.toString());
            }
            e.status = updated;
        }
        logLines.forEach(LOG::info);
        results.forEach(listener::attempted);
        synchronized (this) {
            outcomes.forEach(o -> e.inFlight.remove(o.recipient()));
            if (removed) {
                e.finishing = true; // in the same step, so plan() never takes it for a removal of its own
                entries.remove(e.id());
            }
        }
        if (!removed) {
            wake(); // nothing left to plan for a removed entry: no wake-up of the scheduler per delivered message
        }
    }

    private static String truncate(String s) {
        String flat = s.replaceAll("[\\r\\n]+", " ");
        return flat.length() > MAX_RECORDED_REPLY ? flat.substring(0, MAX_RECORDED_REPLY) + "..." : flat;
    }

    private void finishQuietly(QueueEntry e) {
        try {
            finish(e);
        } catch (RuntimeException | IOException ex) {
            LOG.errorf("outbound %s: cannot finish (bounce and remove): %s; trying again in a minute", e.id(), ex.toString());
            synchronized (this) {
                e.finishing = false;
                e.finishAfter = clock.millis() + Duration.ofMinutes(1).toMillis();
            }
            wake();
        }
    }

    /** Every recipient is final: the bounce (once, durably), then the entry goes. */
    private void finish(QueueEntry e) throws IOException {
        synchronized (e) {
            DeliveryStatus s = e.status;
            if (s.anyBounced() && !s.dsnSent()) {
                sendBounce(e, s);
                s = s.withDsnSent();
                e.status = s;
            }
            queue.remove(e.id());
        }
        entries.remove(e.id());
    }

    private void sendBounce(QueueEntry e, DeliveryStatus s) throws IOException {
        QueuedMessage m = e.message;
        List<RecipientStatus> failed = s.recipients().stream().filter(r -> r.state() == RecipientStatus.State.BOUNCED).toList();
        if (m.returnPath().isEmpty()) {
            // RFC 5321 §4.5.5 / RFC 3464 §2: never a bounce of a bounce.
            LOG.infof("outbound %s: %d recipients bounced; the sender is null, so no notification", m.id(), failed.size());
            return;
        }
        byte[] dsn = DeliveryStatusNotification.build(engineConfig.hostname(), m, queue.messageFile(m.id()), failed,
                Instant.ofEpochMilli(clock.millis()));
        notifySender(m, dsn, dsnId(m.id()), "bounce for " + failed.size() + " recipients");
    }

    /** On a delivery thread: the delay notice of an entry, once (recorded durably after it is stored or queued). */
    private void sendDelayNotice(QueueEntry e) {
        try {
            synchronized (e) {
                DeliveryStatus s = e.status;
                List<RecipientStatus> waiting = s.delayed();
                if (s.delayNoticeSent() || s.allFinal() || waiting.isEmpty() || !queue.hasEntry(e.id())) {
                    return;
                }
                QueuedMessage m = e.message;
                Instant now = Instant.ofEpochMilli(clock.millis());
                byte[] notice = DeliveryStatusNotification.delayed(engineConfig.hostname(), m, queue.messageFile(m.id()),
                        waiting, now, m.queuedAt().plus(config.maxLifetime()));
                notifySender(m, notice, noticeId("delay:", m.id()), "delay notice for " + waiting.size() + " recipients");
                DeliveryStatus sent = e.status.withDelayNoticeSent();
                queue.saveStatus(sent).join();
                e.status = sent;
            }
        } catch (IOException | RuntimeException ex) {
            // Advisory only: the message itself is untouched; the next plan tries again.
            LOG.warnf("outbound %s: cannot send the delay notice: %s", e.id(), ex.toString());
        } finally {
            synchronized (this) {
                e.noticing = false;
            }
        }
    }

    /**
     * Stores a notification for the sender of {@code m}: into the sender's INBOX when local, else queued from the
     * null sender under {@code queueId} (derived from the original's, so one queued before a crash is not queued
     * twice).
     */
    private void notifySender(QueuedMessage m, byte[] report, String queueId, String what) throws IOException {
        Optional<String> account = local.account(m.returnPath());
        if (account.isEmpty() && local.isLocalDomain(domainOf(m.returnPath()))) {
            LOG.warnf("outbound %s: the sender <%s> is in a local domain but has no account; %s dropped", m.id(),
                    m.returnPath(), what);
            return;
        }
        try (Spool spool = store.createSpool()) {
            spool.write(ByteBuffer.wrap(report));
            if (account.isPresent()) {
                store.deliver(spool, "", List.of(account.get())).join();
            } else {
                try {
                    enqueue(queueId, spool, "", List.of(m.returnPath())).join();
                } catch (CompletionException ex) {
                    if (!(ex.getCause() instanceof FileAlreadyExistsException)) {
                        throw ex; // else: queued before a crash, already on its way
                    }
                }
            }
            LOG.infof("outbound %s: %s sent to <%s>%s", m.id(), what, m.returnPath(), account.isPresent() ? " (local)" : "");
        } catch (CompletionException ex) {
            throw new IOException(what + " to <" + m.returnPath() + "> not stored: " + ex.getCause(), ex.getCause());
        }
    }

    /** The queue id of the bounce of {@code id}: derived, so a bounce queued before a crash is not queued twice. */
    static String dsnId(String id) {
        return noticeId("dsn:", id);
    }

    private static String noticeId(String kind, String id) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest((kind + id).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String s = HexFormat.of().withUpperCase().formatHex(h, 0, 8);
            return QueueId.isValid(s) ? s : QueueId.next();
        } catch (NoSuchAlgorithmException ex) {
            return QueueId.next();
        }
    }

    // ------------------------------------------------------------------ administration (sealmail queue)

    /** Makes every recipient of the entry (or of all entries when id is null) due now. Returns how many entries. */
    int retry(String id) {
        int n = 0;
        synchronized (this) {
            for (QueueEntry e : entries.values()) {
                if (id == null || e.id().equals(id)) {
                    synchronized (e) {
                        e.status = e.status.dueNow();
                    }
                    n++;
                }
            }
        }
        wake();
        return n;
    }

    /**
     * Deletes an entry: {@code bounce} marks its open recipients bounced ("deleted by the administrator") and
     * sends the DSN; otherwise it is dropped silently.
     *
     * @return a sentence for the administrator
     */
    String delete(String id, boolean bounce) throws IOException {
        QueueEntry e = entries.get(id);
        if (e == null) {
            return "no queued message " + id;
        }
        synchronized (this) {
            if (!e.inFlight.isEmpty() || e.finishing) {
                return "message " + id + " is being delivered right now; try again in a moment";
            }
            e.finishing = true;
        }
        try {
            if (bounce) {
                long now = clock.millis();
                synchronized (e) {
                    DeliveryStatus s = e.status;
                    for (RecipientStatus r : s.recipients()) {
                        if (!r.isFinal()) {
                            s = s.with(new RecipientStatus(r.recipient(), RecipientStatus.State.BOUNCED, r.attempts(), 0,
                                    r.lastAttemptMillis() == 0 ? now : r.lastAttemptMillis(),
                                    "550 5.0.0 deleted from the queue by the administrator"
                                            + (r.lastReply() == null ? "" : "; last reply: " + r.lastReply()),
                                    r.remote(), r.policy(), r.tls()));
                        }
                    }
                    queue.saveStatus(s).join();
                    e.status = s;
                }
                finish(e);
                return "message " + id + " deleted; the sender was notified";
            }
            synchronized (e) {
                queue.remove(id);
            }
            entries.remove(id);
            LOG.infof("outbound %s: deleted from the queue by the administrator (no notification)", id);
            return "message " + id + " deleted without notification";
        } catch (IOException | RuntimeException ex) {
            synchronized (this) {
                e.finishing = false;
            }
            throw ex instanceof IOException io ? io : new IOException(ex.getMessage(), ex);
        }
    }

    /** Stops planning, cuts open connections (unrecorded transfers are retried after restart), waits briefly. */
    @Override
    public void close() {
        closed = true;
        scheduler.shutdownNow();
        synchronized (this) {
            idle.drain(); // their connections are in open, closed below
        }
        for (SmtpClientConnection c : open) {
            c.close();
        }
        pool.shutdown();
        try {
            if (!pool.awaitTermination(5, TimeUnit.SECONDS)) {
                pool.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        watchdog.shutdownNow();
    }
}
