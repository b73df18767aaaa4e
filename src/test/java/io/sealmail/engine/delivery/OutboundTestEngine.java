package io.sealmail.engine.delivery;

import io.sealmail.testing.MaildirNew;
import io.sealmail.config.EngineConfig;
import io.sealmail.config.Limits;
import io.sealmail.config.Listener;
import io.sealmail.config.Outbound;
import io.sealmail.config.Role;
import io.sealmail.config.TlsFiles;
import io.sealmail.engine.MailEngine;
import io.sealmail.engine.auth.AccountDirectory;
import io.sealmail.engine.delivery.dns.DnsLookup;
import io.sealmail.engine.tls.TestPki;
import io.sealmail.store.DeliveryStatus;
import io.sealmail.store.DiskOutboundQueue;
import io.sealmail.store.MaildirStore;
import io.sealmail.store.QueueId;
import io.sealmail.store.QueuedMessage;
import io.sealmail.store.Spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The production engine (Maildir store, disk queue, queue runner) with submission and IMAPS on ephemeral ports of
 * 127.0.0.1, local domain example.test with alice, delivering outbound mail through the given resolver to MX hosts
 * on {@code mxPort}. Retries come after one second (doubling to two), timeouts are short.
 */
final class OutboundTestEngine implements AutoCloseable {
    static final String ALICE = "alice@example.test";
    static final String PASSWORD = "correct horse battery staple";

    final TestPki pki;
    final MailEngine engine;
    final Path dataDir;

    OutboundTestEngine(Path dir, DnsLookup dns, int mxPort) throws Exception {
        this(dir, dns, o -> o.withDns(o.dns(), mxPort));
    }

    OutboundTestEngine(Path dir, DnsLookup dns, UnaryOperator<Outbound> outbound) throws Exception {
        pki = Files.exists(dir.resolve("tls/tls.crt")) ? TestPki.read(dir.resolve("tls")) : TestPki.create(dir.resolve("tls"));
        dataDir = dir.resolve("data");
        Outbound o = outbound.apply(Outbound.DEFAULTS.withTiming(Duration.ofSeconds(1), Duration.ofSeconds(2),
                Duration.ofDays(5), Duration.ofSeconds(2), Duration.ofSeconds(2)));
        EngineConfig config = new EngineConfig("mail.test", List.of("example.test"),
                List.of(new Listener(Role.SUBMISSION, "127.0.0.1", 0), new Listener(Role.IMAPS, "127.0.0.1", 0)),
                new TlsFiles(pki.tlsCrt().toString(), pki.tlsKey().toString()), dir.resolve("accounts").toString(),
                Map.of(), dataDir.toString(), Limits.DEFAULTS, "127.0.0.1", -1).withOutbound(o)
                .withWarmUp(io.sealmail.config.WarmUp.OFF);
        MailEngine.Builder b = MailEngine.builder(config).accounts(new Accounts()).shutdownGrace(Duration.ofMillis(200));
        if (dns != null) {
            b.dns(dns);
        }
        engine = b.start();
    }

    /** Queues a message as submission would after DATA; returns its id. */
    String queue(String from, List<String> to, String message) throws IOException {
        String id = QueueId.next();
        try (Spool spool = engine.context().store().createSpool()) {
            spool.write(ByteBuffer.wrap(message.getBytes(StandardCharsets.UTF_8)));
            engine.context().outbound().enqueue(id, spool, from, to).join();
        }
        return id;
    }

    /** The queue as {@code sealmail queue list} reads it: entry id to its delivery state. */
    Map<String, DeliveryStatus> queued() throws IOException {
        Map<String, DeliveryStatus> out = new java.util.LinkedHashMap<>();
        for (QueuedMessage m : DiskOutboundQueue.read(dataDir)) {
            out.put(m.id(), DiskOutboundQueue.readStatus(dataDir, m));
        }
        return out;
    }

    /** Messages in alice's INBOX (new/). */
    List<String> inbox() throws IOException {
        return MaildirNew.texts(((MaildirStore) engine.context().store()).inbox(ALICE));
    }

    @Override
    public void close() {
        engine.close();
    }

    static final class Accounts implements AccountDirectory {
        @Override
        public Optional<String> authenticate(String username, char[] password) {
            return username.equalsIgnoreCase(ALICE) && PASSWORD.equals(new String(password)) ? Optional.of(ALICE) : Optional.empty();
        }

        @Override
        public Optional<String> resolveRecipient(String address) {
            return address.equalsIgnoreCase(ALICE) ? Optional.of(ALICE) : Optional.empty();
        }

        @Override
        public boolean isLocalDomain(String domain) {
            return domain.toLowerCase(Locale.ROOT).equals("example.test");
        }

        @Override
        public boolean maySendAs(String account, String address) {
            return account.equalsIgnoreCase(address);
        }
    }
}
