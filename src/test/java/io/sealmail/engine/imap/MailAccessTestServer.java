package io.sealmail.engine.imap;

import io.sealmail.config.EngineConfig;
import io.sealmail.config.Limits;
import io.sealmail.config.Listener;
import io.sealmail.config.Role;
import io.sealmail.config.TlsFiles;
import io.sealmail.engine.MailEngine;
import io.sealmail.engine.tls.TestPki;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.UnaryOperator;

/**
 * The real engine on ephemeral ports of 127.0.0.1 with every listener (SMTP, submission, IMAP, IMAPS, POP3,
 * POP3S), a certificate from our CA read from files as in production (so handshakes are counted in its metrics),
 * and in-memory mailboxes behind the production protocol code.
 */
public final class MailAccessTestServer implements AutoCloseable {
    public static final String JOE = "joe@example.test";
    public static final String ANN = "ann@example.test";
    public static final String PASSWORD = "correct horse battery staple";

    public final TestPki pki;

    public TestPki pki() {
        return pki;
    }
    public final MemoryEngineStore store;
    public final MailEngine engine;

    public MailAccessTestServer(Path dir) throws Exception {
        this(dir, l -> l);
    }

    public MailAccessTestServer(Path dir, UnaryOperator<Limits> limits) throws Exception {
        this(dir, limits, false);
    }

    /** @param maildir true: the production MaildirStore under {@code dir/data} (survives a restart on the same dir) */
    public MailAccessTestServer(Path dir, UnaryOperator<Limits> limits, boolean maildir) throws Exception {
        this(dir, limits, maildir, b -> b);
    }

    /** @param engineOptions changes the engine builder (e.g. the failed-login delay) before it starts */
    public MailAccessTestServer(Path dir, UnaryOperator<Limits> limits, boolean maildir,
                                UnaryOperator<MailEngine.Builder> engineOptions) throws Exception {
        this(dir, limits, maildir, engineOptions, "127.0.0.1");
    }

    /**
     * @param host the loopback address every listener binds (ephemeral ports), e.g. one of a test group's own
     *             127.0.x.y addresses
     */
    public MailAccessTestServer(Path dir, UnaryOperator<Limits> limits, boolean maildir,
                                UnaryOperator<MailEngine.Builder> engineOptions, String host) throws Exception {
        pki = java.nio.file.Files.exists(dir.resolve("tls/tls.crt")) ? TestPki.read(dir.resolve("tls")) : TestPki.create(dir.resolve("tls"));
        store = new MemoryEngineStore(dir.resolve("spool"));
        List<Listener> listeners = List.of(new Listener(Role.SUBMISSION, host, 0),
                new Listener(Role.IMAP, host, 0), new Listener(Role.IMAPS, host, 0),
                new Listener(Role.POP3, host, 0), new Listener(Role.POP3S, host, 0));
        EngineConfig config = new EngineConfig("mail.test", List.of("example.test"), listeners,
                new TlsFiles(pki.tlsCrt().toString(), pki.tlsKey().toString()), dir.resolve("accounts").toString(),
                Map.of(), dir.resolve("data").toString(), limits.apply(Limits.DEFAULTS), "127.0.0.1", -1)
                .withWarmUp(io.sealmail.config.WarmUp.OFF);   // many engines per run; EngineWarmUpTest covers it
        TestAccounts accounts = new TestAccounts(Map.of(JOE, PASSWORD, ANN, PASSWORD));
        MailEngine.Builder builder = MailEngine.builder(config).accounts(accounts);
        builder = engineOptions.apply(builder);
        engine = maildir ? builder.start() : builder.store(store).outbound(store).start();
    }

    public InetSocketAddress address(Role role) {
        return engine.address(role);
    }

    public int port(Role role) {
        return engine.port(role);
    }

    /**
     * Angus Mail settings for this server: submission with STARTTLS required and AUTH, IMAPS and POP3S, each
     * trusting only our CA and checking the host name.
     */
    public Properties angusMail() {
        Properties p = new Properties();
        for (String proto : new String[] {"smtp", "imaps", "pop3s"}) {
            p.put("mail." + proto + ".ssl.socketFactory", pki().clientContext().getSocketFactory());
            p.put("mail." + proto + ".ssl.checkserveridentity", "true");
            p.put("mail." + proto + ".timeout", "10000");
        }
        p.put("mail.smtp.starttls.enable", "true");
        p.put("mail.smtp.starttls.required", "true");
        p.put("mail.smtp.auth", "true");
        p.put("mail.smtp.localhost", "client.test");
        p.put("mail.smtp.host", "localhost");
        p.put("mail.smtp.port", "" + port(Role.SUBMISSION));
        return p;
    }

    /** A submission session over STARTTLS, logged in with AUTH PLAIN as {@code user}: the next reply is MAIL's. */
    public WireClient submissionLoggedIn(String user, String password) throws Exception {
        WireClient c = WireClient.plain(address(Role.SUBMISSION));
        c.readUntil("220 ");
        c.sendLine("EHLO client.test");
        c.readUntil("250 ");
        c.sendLine("STARTTLS");
        c.readUntil("220 ");
        c.startTls(pki().clientContext());
        c.sendLine("EHLO client.test");
        c.readUntil("250 ");
        c.sendLine("AUTH PLAIN " + java.util.Base64.getEncoder().encodeToString(
                ("\0" + user + "\0" + password).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        c.readUntil("235 ");
        return c;
    }

    public void deliver(String account, String message) throws Exception {
        store.mailboxes().deliver(account, message);
    }

    @Override
    public void close() {
        engine.close();
    }
}
