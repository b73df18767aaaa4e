package io.sealmail.cli;

import io.sealmail.bench.MaildirCheck;
import io.sealmail.bench.SmtpLoad;
import io.sealmail.bench.TrustedCa;
import io.sealmail.engine.mailauth.DkimAlgorithm;
import io.sealmail.engine.mailauth.DkimSigner;
import io.sealmail.engine.mailauth.DkimSigningKey;
import io.sealmail.engine.mailauth.MessageSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;

/** {@code sealmail bench smtp}: submission load against any SMTP server, with a delivery check afterwards. */
@Command(name = "smtp", mixinStandardHelpOptions = true,
        description = "Send messages over N concurrent TLS sessions; report messages/s and latency, then verify delivery.")
public class BenchSmtpCommand implements Callable<Integer> {

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Server address (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "10587", description = "Server port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--tls", defaultValue = "starttls", description = "starttls, implicit or none (default: ${DEFAULT-VALUE}).")
    String tls;

    @Option(names = "--cafile", description = "CA certificate (PEM) the server's certificate must chain to.")
    Path caFile;

    @Option(names = "--user", defaultValue = "bench%d@demo.sealmail.test",
            description = "Login and sender; %%d is replaced by 1..--users (default: ${DEFAULT-VALUE}).")
    String user;

    @Option(names = "--users", defaultValue = "1", description = "How many distinct users the sessions rotate over.")
    int users;

    @Option(names = "--password", description = "Password for AUTH PLAIN; omit to send without AUTH (port 25).")
    String password;

    @Option(names = "--to", description = "Recipient; default: each session's own user.")
    String to;

    @Option(names = "--connections", defaultValue = "16", description = "Concurrent sessions (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--messages", defaultValue = "2000", description = "Messages in all (default: ${DEFAULT-VALUE}).")
    int messages;

    @Option(names = "--size", defaultValue = "10240", description = "Message size in octets (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--warmup", defaultValue = "0",
            description = "Messages sent over the established sessions before the clock starts (default: ${DEFAULT-VALUE}); "
                    + "a JVM server needs a few thousand to compile its hot paths. Verified like the others.")
    int warmup;

    @Option(names = "--verify-maildir", description = "Maildir tree to scan afterwards: every acknowledged message must be there exactly once.")
    Path verifyMaildir;

    @Option(names = "--verify-timeout", defaultValue = "120", description = "Seconds to wait for delivery when verifying.")
    int verifyTimeout;

    @Option(names = "--dkim-key", paramLabel = "PEM",
            description = "Sign each message as its sender's domain would (DKIM, relaxed/relaxed) with this private key "
                    + "(PKCS#8 RSA or Ed25519): port-25 load for servers that check DKIM.")
    Path dkimKey;

    @Option(names = "--dkim-algorithm", defaultValue = "rsa-sha256",
            description = "rsa-sha256 or ed25519-sha256, the type of --dkim-key (default: ${DEFAULT-VALUE}).")
    String dkimAlgorithm;

    @Option(names = "--dkim-selector", defaultValue = "bench", description = "s= of --dkim-key (default: ${DEFAULT-VALUE}).")
    String dkimSelector;

    @Override
    public Integer call() throws Exception {
        SmtpLoad.TlsMode mode = SmtpLoad.TlsMode.valueOf(tls.toUpperCase(Locale.ROOT));
        if (mode != SmtpLoad.TlsMode.NONE && caFile == null) {
            throw new UserError("--cafile is required with --tls " + tls + " (the server certificate is verified)");
        }
        SSLContext ssl = mode == SmtpLoad.TlsMode.NONE ? null : trusting(caFile);
        SmtpLoad.Plan plan = new SmtpLoad.Plan(host, port, mode, ssl, user, users, password, to,
                connections, messages, size, warmup, dkimKey == null ? null : senderSignature());
        System.out.printf("sealmail bench smtp: %s:%d tls=%s connections=%d messages=%d size=%d warmup=%d%n",
                host, port, tls, connections, messages, size, warmup);
        SmtpLoad.Result r = SmtpLoad.run(plan);
        System.out.printf("sessions established (TLS, AUTH) and warm-up (%d messages) in %.2f s%n",
                r.warmupAcknowledged(), r.setupNanos() / 1e9);
        System.out.printf("accepted %d messages in %.2f s: %.1f msg/s, latency p50 %.2f ms, p99 %.2f ms, failures %d%n",
                r.measured(), r.elapsedNanos() / 1e9, r.messagesPerSecond(),
                r.percentileMillis(50), r.percentileMillis(99), r.failures());
        r.errors().forEach(e -> System.out.println("  error: " + e));
        int exit = r.failures() == 0 ? 0 : 1;
        if (verifyMaildir != null) {
            MaildirCheck.Outcome o = MaildirCheck.await(verifyMaildir, r.acknowledgedIds(), verifyTimeout * 1000L);
            System.out.printf("delivery check: %d acknowledged, %d found, %d missing, %d duplicated%n",
                    o.expected(), o.found(), o.missing(), o.duplicated());
            if (!o.complete()) {
                exit = 2;
            }
        }
        return exit;
    }

    /** A DKIM signature by the domain of the senders (--user's), with --dkim-key, put on top of each message. */
    private UnaryOperator<byte[]> senderSignature() throws Exception {
        String domain = user.substring(user.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
        String pem = Files.readString(dkimKey);
        DkimAlgorithm algorithm = DkimAlgorithm.of(dkimAlgorithm);
        DkimSigner signer = new DkimSigner(List.of(DkimSigningKey.fromPem(domain, dkimSelector, algorithm, pem)), Clock.systemUTC());
        return message -> {
            try {
                byte[] header = signer.sign(MessageSource.of(message)).getBytes(StandardCharsets.US_ASCII);
                if (header.length == 0) {
                    throw new IllegalStateException("--dkim-key: the message's From domain is not " + domain);
                }
                byte[] out = Arrays.copyOf(header, header.length + message.length);
                System.arraycopy(message, 0, out, header.length, message.length);
                return out;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    static SSLContext trusting(Path caFile) throws Exception {
        return TrustedCa.sslContext(caFile);
    }
}
