package io.sealmail.engine.smtp;

import io.sealmail.testing.MaildirNew;
import io.sealmail.config.EngineConfig;
import io.sealmail.config.Limits;
import io.sealmail.config.Listener;
import io.sealmail.config.Outbound;
import io.sealmail.config.Role;
import io.sealmail.config.TlsFiles;
import io.sealmail.engine.MailEngine;
import io.sealmail.engine.tls.TestPki;
import io.sealmail.store.MaildirStore;
import io.sealmail.engine.tls.TlsCounters;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * An engine with the three SMTP listeners on ephemeral ports of 127.0.0.1, a certificate from our CA, domain
 * example.test with alice (alias postmaster, sales) and bob.
 */
final class SmtpTestServer implements AutoCloseable {
    static final String ALICE = "alice@example.test";
    static final String BOB = "bob@example.test";
    static final String PASSWORD = "correct horse battery staple";

    final TestPki pki;
    final TestAccounts accounts;
    final TestMailStore store;
    final MailEngine engine;
    final Path dir;
    final TlsCounters tlsCounters = new TlsCounters();

    /** The production store: Maildirs and the outbound queue under dataDir, made by the engine itself. */
    final boolean maildir;

    SmtpTestServer(Path dir) throws Exception {
        this(dir, l -> l);
    }

    SmtpTestServer(Path dir, UnaryOperator<Limits> limits) throws Exception {
        this(dir, limits, false);
    }

    /**
     * @param limits  adjusts the default limits (tests use short timeouts and small bounds)
     * @param maildir true: the engine makes its own MaildirStore and DiskOutboundQueue from the config (as in
     *                production); false: the controllable {@link TestMailStore}
     */
    SmtpTestServer(Path dir, UnaryOperator<Limits> limits, boolean maildir) throws Exception {
        this(dir, limits, maildir, c -> c, null);
    }

    /**
     * @param configure adjusts the engine configuration (DKIM keys, inbound checks)
     * @param dns       the resolver of the inbound checks (none: they are off)
     */
    SmtpTestServer(Path dir, UnaryOperator<Limits> limits, boolean maildir, UnaryOperator<EngineConfig> configure,
                   io.sealmail.engine.delivery.dns.DnsLookup dns) throws Exception {
        this.maildir = maildir;
        this.dir = dir;
        pki = TestPki.create(dir.resolve("tls"));
        accounts = new TestAccounts(List.of("example.test"))
                .user(ALICE, PASSWORD).user(BOB, PASSWORD)
                .alias("postmaster@example.test", ALICE).alias("sales@example.test", ALICE);
        store = new TestMailStore(dir.resolve("data"));
        EngineConfig config = new EngineConfig("mail.test", List.of("example.test"),
                List.of(new Listener(Role.SMTP, "127.0.0.1", 0), new Listener(Role.SUBMISSION, "127.0.0.1", 0),
                        new Listener(Role.SMTPS, "127.0.0.1", 0)),
                new TlsFiles(pki.tlsCrt().toString(), pki.tlsKey().toString()), dir.resolve("accounts").toString(),
                Map.of(), dir.resolve("data").toString(), limits.apply(Limits.DEFAULTS), "127.0.0.1", -1)
                // Inbound tests: mail for other domains stays queued (the delivery tests are in engine.delivery).
                .withOutbound(Outbound.DEFAULTS.withMode(Outbound.Mode.HOLD, null));
        config = configure.apply(config);
        MailEngine.Builder builder = MailEngine.builder(config).tlsListener(tlsCounters).accounts(accounts).dns(dns);
        engine = (maildir ? builder : builder.store(store).outbound(store)).start();
    }

    /** A configuration step adding {@code more} listeners beside the three SMTP ones (PROXY, LMTP). */
    static UnaryOperator<EngineConfig> addListeners(Listener... more) {
        return c -> {
            List<Listener> listeners = new java.util.ArrayList<>(c.listeners());
            listeners.addAll(List.of(more));
            return new EngineConfig(c.hostname(), c.domains(), listeners, c.tls(), c.accountsFile(), c.aliases(),
                    c.dataDir(), c.limits(), c.httpAddress(), c.httpPort(), c.dkim(), c.inbound(), c.outbound());
        };
    }

    /** Messages in the account's INBOX (new/), whichever store is in use. */
    List<String> delivered(String account) throws IOException {
        if (!maildir) {
            return store.messages(account);
        }
        return MaildirNew.texts(((MaildirStore) engine.context().store()).inbox(account));
    }

    InetSocketAddress address(Role role) {
        return engine.address(role);
    }

    Transcript connect(Role role) throws IOException {
        Transcript t = role.implicitTls() ? Transcript.connectTls(address(role), pki.clientContext())
                : Transcript.connect(address(role), pki.clientContext());
        t.expect("220 mail.test ESMTP");
        return t;
    }

    /** A submission session over STARTTLS, logged in as alice. */
    Transcript submission() throws IOException {
        Transcript t = submission0();
        t.run("""
                C: AUTH PLAIN %s
                S: 235 2.7.0
                """.formatted(plain(ALICE, PASSWORD)));
        return t;
    }

    /** A submission session over STARTTLS, after EHLO, not logged in. */
    Transcript submission0() throws IOException {
        Transcript t = connect(Role.SUBMISSION);
        t.run("""
                C: EHLO client.test
                S: 250
                C: STARTTLS
                S: 220 2.0.0
                TLS
                C: EHLO client.test
                S: 250
                """);
        return t;
    }

    static String plain(String user, String password) {
        return java.util.Base64.getEncoder().encodeToString(("\0" + user + "\0" + password).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    static String b64(String s) {
        return java.util.Base64.getEncoder().encodeToString(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    static Limits limits(Long maxMessageSize, Integer maxRecipients, Integer maxErrors, java.time.Duration idle, java.time.Duration data,
                         Integer maxConnections, Integer maxPerAddress) {
        Limits d = Limits.DEFAULTS;
        return new Limits(maxMessageSize != null ? maxMessageSize : d.maxMessageSize(), maxRecipients != null ? maxRecipients : d.maxRecipients(),
                d.maxCommandLine(), d.maxTextLine(), maxErrors != null ? maxErrors : d.maxErrors(),
                d.maxAuthFailuresPerConnection(), d.maxAuthFailuresPerAddress(), d.authFailureWindow(),
                idle != null ? idle : d.idleTimeout(), data != null ? data : d.dataTimeout(), d.imapIdleTimeout(),
                maxConnections != null ? maxConnections : d.maxConnections(), maxPerAddress != null ? maxPerAddress : d.maxConnectionsPerAddress(),
                d.maxLiteralSize(), d.quotaPerAccount());
    }

    @Override
    public void close() {
        engine.close();
    }
}
