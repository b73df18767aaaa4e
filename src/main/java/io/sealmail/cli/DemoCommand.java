package io.sealmail.cli;

import io.sealmail.ca.CaSpec;
import io.sealmail.ca.CertificateAuthority;
import io.sealmail.ca.IssuedCertificate;
import io.sealmail.ca.LeafSpec;
import io.sealmail.config.ConfigException;
import io.sealmail.config.EngineConfig;
import io.sealmail.config.Limits;
import io.sealmail.config.Listener;
import io.sealmail.config.Role;
import io.sealmail.config.TlsFiles;
import io.sealmail.engine.ListenerProtocols;
import io.sealmail.engine.MailEngine;
import io.sealmail.engine.auth.Argon2Hash;
import io.sealmail.store.QueueLock;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code sealmail demo}: the whole engine on 127.0.0.1 with no cluster. It makes (or reuses) a CA in the data
 * directory, issues the engine's certificate from it, writes demo accounts with Argon2id hashes, opens every listener
 * this build has at the standard port plus an offset, and prints how to connect with real clients.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the mail engine locally on 127.0.0.1 with a generated CA, certificate and demo accounts.")
public class DemoCommand implements Callable<Integer> {
    static final String DOMAIN = "demo.sealmail.test";
    static final String HOST = "localhost";

    @Option(names = "--data-dir", defaultValue = "demo-data", paramLabel = "DIR",
            description = "Where the CA, certificate, accounts and mail live (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--port-offset", defaultValue = "10000", paramLabel = "N",
            description = "Added to each standard port: 25 -> 10025, 587 -> 10587, ... (default: ${DEFAULT-VALUE}).")
    int portOffset;

    @Option(names = "--ephemeral-ports",
            description = "Listen on ports the system picks (printed below) instead of the offset ones: for scripts and tests that run side by side.")
    boolean ephemeralPorts;

    @Option(names = "--user", paramLabel = "ADDRESS:PASSWORD",
            description = "An account (repeatable); replaces the demo accounts. Its domain becomes a local domain.")
    List<String> users = new ArrayList<>();

    @Option(names = "--dkim", paramLabel = "ALGORITHM",
            description = "DKIM-sign submitted mail with a key of this algorithm (rsa-sha256 or ed25519-sha256; repeat "
                    + "for dual signing), kept in DIR/dkim; the record to publish is printed.")
    List<String> dkim = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (portOffset < 1024 || portOffset + 8080 > 65535) {
            throw new UserError("--port-offset must be between 1024 and 57455 so every port is unprivileged and valid, got " + portOffset);
        }
        Map<String, String> accounts = accounts();
        Path dir = dataDir.toAbsolutePath().normalize();
        Files.createDirectories(dir);
        // A demo already running on this directory holds its engine's lock: say so before its certificate and
        // accounts are written again under it (it would reload the new certificate).
        try (QueueLock free = QueueLock.tryAcquire(dir.resolve("data").resolve("queue")).orElse(null)) {
            if (free == null) {
                throw new UserError("another demo (or engine) is running on " + dir + "; stop it first or use another --data-dir");
            }
        }
        Path tls = writeCertificate(dir);
        Path accountsFile = writeAccounts(dir, accounts);

        List<String> domains = new ArrayList<>();
        domains.add(DOMAIN);
        accounts.keySet().forEach(a -> {
            String d = a.substring(a.indexOf('@') + 1);
            if (!domains.contains(d)) {
                domains.add(d);
            }
        });
        List<Listener> listeners = new ArrayList<>();
        for (Role role : Role.values()) {
            if (ListenerProtocols.supports(role)) {
                listeners.add(new Listener(role, "127.0.0.1", ephemeralPorts ? 0 : role.standardPort() + portOffset));
            }
        }
        MailEngine engine;
        EngineConfig config = config(dir, tls, accountsFile, domains, listeners);
        EngineEndpoint endpoint = null;
        try {
            endpoint = new EngineEndpoint(config);
            engine = endpoint.start(config);
        } catch (ConfigException e) {
            if (endpoint != null) {
                endpoint.close();
            }
            throw new UserError("cannot start the demo: " + e.getMessage()
                    + " (is another demo running? try --port-offset)", e);
        }
        EngineEndpoint http = endpoint;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            engine.close();
            http.close();
        }, "sealmail-demo-shutdown"));
        printGuide(engine, tls.resolve("ca.crt"), accounts, dir, http.metricsUrl());
        System.out.println("sealmail demo ready");
        System.out.flush();
        engine.awaitClose();
        return 0;
    }

    private EngineConfig config(Path dir, Path tls, Path accountsFile, List<String> domains, List<Listener> listeners)
            throws IOException {
        return new EngineConfig(HOST, domains, listeners,
                new TlsFiles(tls.resolve("tls.crt").toString(), tls.resolve("tls.key").toString()),
                accountsFile.toString(), Map.of(), dir.resolve("data").toString(), Limits.DEFAULTS,
                "127.0.0.1", ephemeralPorts ? 0 : 8080 + portOffset)
                // A demo on 127.0.0.1 has no sender domains to check: no SPF/DKIM/DMARC look-ups on its port 25.
                .withMailAuth(dkimKeys(dir, domains), new io.sealmail.config.Inbound(false, null, null))
                // A demo's mailboxes are small and it is started by hand: it is ready at once rather than warmed up.
                .withWarmUp(io.sealmail.config.WarmUp.OFF);
    }

    /** One key per {@code --dkim} algorithm, made once and kept, signing for every local domain. */
    private List<io.sealmail.config.DkimKey> dkimKeys(Path dir, List<String> domains) throws IOException {
        List<io.sealmail.config.DkimKey> keys = new ArrayList<>();
        for (String id : dkim) {
            io.sealmail.ca.DkimKey.Algorithm algorithm;
            try {
                algorithm = io.sealmail.ca.DkimKey.Algorithm.parse(id);
            } catch (io.sealmail.ca.CaException e) {
                throw new UserError("--dkim must be rsa-sha256 or ed25519-sha256, got '" + id + "'");
            }
            String selector = "demo-" + algorithm.keyType();
            Path file = dir.resolve("dkim").resolve(selector + ".pem");
            io.sealmail.ca.DkimKey key;
            if (Files.isRegularFile(file)) {
                key = io.sealmail.ca.DkimKey.fromPem(Files.readString(file));
            } else {
                key = io.sealmail.ca.DkimKey.generate(algorithm);
                Files.createDirectories(file.getParent());
                Files.writeString(file, key.privateKeyPem());
            }
            for (String domain : domains) {
                keys.add(new io.sealmail.config.DkimKey(domain, selector, algorithm.id(), file.toString()));
                System.out.println("DKIM: publish " + selector + "._domainkey." + domain + " TXT \"" + key.recordValue() + "\"");
            }
        }
        return keys;
    }

    private Map<String, String> accounts() throws IOException {
        Map<String, String> accounts = new LinkedHashMap<>();
        for (String u : users) {
            int colon = u.indexOf(':');
            String address = colon < 0 ? "" : u.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            if (colon < 0 || !address.matches("[^@\\s:]+@[a-z0-9.-]+") || colon == u.length() - 1) {
                throw new UserError("--user must be ADDRESS:PASSWORD with a non-empty password, e.g. carol@example.com:s3cret; got '"
                        + (colon < 0 ? u : address + ":***") + "'");
            }
            accounts.put(address, u.substring(colon + 1));
        }
        if (!accounts.isEmpty()) {
            return accounts;
        }
        // Demo accounts with random passwords, kept in the data directory so a restart keeps them.
        Path saved = dataDir.resolve("demo-passwords");
        if (Files.isRegularFile(saved)) {
            for (String line : Files.readAllLines(saved, StandardCharsets.UTF_8)) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    accounts.put(line.substring(0, colon), line.substring(colon + 1));
                }
            }
        }
        if (accounts.isEmpty()) {
            SecureRandom random = new SecureRandom();
            for (String name : List.of("alice", "bob")) {
                accounts.put(name + "@" + DOMAIN, randomPassword(random));
            }
            Files.createDirectories(dataDir);
            StringBuilder sb = new StringBuilder();
            accounts.forEach((a, p) -> sb.append(a).append(':').append(p).append('\n'));
            writePrivate(saved, sb.toString());
        }
        return accounts;
    }

    private static String randomPassword(SecureRandom random) {
        String alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 16; i++) {
            sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    /** Reuses the demo CA across runs (so a client that trusted it once keeps trusting it) and issues a fresh leaf. */
    private static Path writeCertificate(Path dir) throws IOException {
        Path caDir = Files.createDirectories(dir.resolve("ca"));
        Path caCrt = caDir.resolve("ca.crt");
        Path caKey = caDir.resolve("ca.key");
        Clock clock = Clock.systemUTC();
        CertificateAuthority ca;
        if (Files.isRegularFile(caCrt) && Files.isRegularFile(caKey)) {
            ca = CertificateAuthority.fromPem(Files.readString(caCrt), Files.readString(caKey), clock);
        } else {
            ca = CertificateAuthority.create(new CaSpec("CN=Sealmail demo CA", CaSpec.defaults().key(),
                    CaSpec.defaults().validity()), clock);
            Files.writeString(caCrt, ca.certificatePem());
            writePrivate(caKey, ca.privateKeyPem());
        }
        IssuedCertificate leaf = ca.issue(LeafSpec.of(List.of(HOST, "mail." + DOMAIN), List.of("127.0.0.1", "::1")));
        Path tls = Files.createDirectories(dir.resolve("tls"));
        Files.writeString(tls.resolve("tls.crt"), leaf.tlsCrtPem());
        writePrivate(tls.resolve("tls.key"), leaf.tlsKeyPem());
        Files.writeString(tls.resolve("ca.crt"), leaf.caCrtPem());
        return tls;
    }

    private static Path writeAccounts(Path dir, Map<String, String> accounts) throws IOException {
        SecureRandom random = new SecureRandom();
        StringBuilder sb = new StringBuilder("# sealmail demo accounts: address and Argon2id hash\n");
        for (Map.Entry<String, String> e : accounts.entrySet()) {
            sb.append(e.getKey()).append(' ')
                    .append(Argon2Hash.create(e.getValue().toCharArray(), Argon2Hash.Parameters.OWASP, random).encoded())
                    .append('\n');
        }
        Path file = dir.resolve("accounts");
        writePrivate(file, sb.toString());
        return file;
    }

    private static void writePrivate(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, content);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static void printGuide(MailEngine engine, Path caCrt, Map<String, String> accounts, Path dir, Optional<String> metrics) {
        var it = accounts.entrySet().iterator();
        var first = it.next();
        var second = it.hasNext() ? it.next() : first;
        String a = first.getKey();
        String pa = first.getValue();
        String b = second.getKey();
        String pb = second.getValue();
        String ca = caCrt.toString();
        Map<Role, Integer> ports = engine.ports();
        System.out.println();
        System.out.println("Sealmail demo on 127.0.0.1 (data in " + dir + ")");
        ports.forEach((role, port) -> System.out.printf("  %-11s %d%s%n", role.id(), port,
                role.implicitTls() ? "  implicit TLS" : (role == Role.SMTP ? "  STARTTLS offered, inbound only" : "  STARTTLS required")));
        System.out.println("  accounts:");
        accounts.forEach((addr, pw) -> System.out.println("    " + addr + "  password " + pw));
        System.out.println("  CA certificate (trust this): " + ca);
        System.out.println();
        Integer submission = ports.get(Role.SUBMISSION);
        Integer smtps = ports.get(Role.SMTPS);
        if (submission != null) {
            System.out.println("Send with swaks (STARTTLS on submission):");
            System.out.printf("  swaks --server %s:%d --tls --tls-verify --tls-ca-path %s -au %s -ap '%s' --from %s --to %s%n",
                    HOST, submission, ca, a, pa, a, b);
            System.out.println("Send with curl:");
            System.out.printf("  printf 'Subject: hello\\r\\n\\r\\nHi from curl\\r\\n' | curl --ssl-reqd --cacert %s smtp://%s:%d "
                    + "-u '%s:%s' --mail-from %s --mail-rcpt %s -T -%n", ca, HOST, submission, a, pa, a, b);
        }
        if (smtps != null) {
            System.out.printf("  printf 'Subject: hello\\r\\n\\r\\nHi over SMTPS\\r\\n' | curl --cacert %s smtps://%s:%d "
                    + "-u '%s:%s' --mail-from %s --mail-rcpt %s -T -%n", ca, HOST, smtps, a, pa, a, b);
        }
        if (submission != null) {
            System.out.println("Look at the TLS session:");
            System.out.printf("  openssl s_client -starttls smtp -connect %s:%d -CAfile %s -verify_hostname %s%n",
                    HOST, submission, ca, HOST);
        }
        Integer imaps = ports.get(Role.IMAPS);
        Integer imap = ports.get(Role.IMAP);
        Integer pop3s = ports.get(Role.POP3S);
        if (imaps != null || pop3s != null || imap != null) {
            System.out.println("Read it back:");
        }
        if (imaps != null) {
            System.out.printf("  curl --cacert %s -u '%s:%s' 'imaps://%s:%d/INBOX;UID=1'%n", ca, b, pb, HOST, imaps);
        }
        if (pop3s != null) {
            System.out.printf("  curl --cacert %s -u '%s:%s' pop3s://%s:%d/1%n", ca, b, pb, HOST, pop3s);
        }
        if (imap != null) {
            System.out.printf("  openssl s_client -starttls imap -connect %s:%d -CAfile %s -verify_hostname %s%n",
                    HOST, imap, ca, HOST);
        }
        metrics.ifPresent(url -> System.out.println("Metrics (Prometheus): curl -s " + url + " | grep ^sealmail_"));
        System.out.println("Mail lands in Maildirs under " + dir.resolve("data").resolve("mail") + "; stop with Ctrl-C.");
        System.out.println();
    }
}
