package io.sealmail.engine.smtp;

import io.sealmail.cli.QueueCommand;
import io.sealmail.config.Role;
import io.sealmail.engine.tls.TestPki;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.sealmail.engine.smtp.SmtpTestServer.ALICE;
import static io.sealmail.engine.smtp.SmtpTestServer.BOB;
import static io.sealmail.engine.smtp.SmtpTestServer.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real clients over real TLS, each verifying our certificate against our ca.crt with a host name check:
 * Angus Mail (Jakarta Mail), curl, swaks and Python's smtplib, on submission (STARTTLS) and SMTPS.
 */
class SmtpClientsTest {
    @TempDir
    static Path dir;
    static SmtpTestServer server;

    @BeforeAll
    static void start() throws Exception {
        // Real clients against the production store: Maildirs and the outbound queue made from the config.
        server = new SmtpTestServer(dir, l -> l, true);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** The message bob received with this marker in it, exactly once. */
    private static String delivered(String marker) throws IOException {
        List<String> hits = server.delivered(BOB).stream().filter(m -> m.contains(marker)).toList();
        assertThat(hits).as("messages with %s", marker).hasSize(1);
        return hits.get(0);
    }

    private Session angus(String protocol, boolean starttls) {
        Properties p = new Properties();
        String prefix = "mail." + protocol + ".";
        p.put(prefix + "host", "localhost");
        p.put(prefix + "port", String.valueOf(server.engine.port(starttls ? Role.SUBMISSION : Role.SMTPS)));
        p.put(prefix + "auth", "true");
        p.put(prefix + "ssl.checkserveridentity", "true");
        p.put(prefix + "ssl.socketFactory", server.pki.clientContext().getSocketFactory());
        p.put(prefix + "connectiontimeout", "5000");
        p.put(prefix + "timeout", "10000");
        if (starttls) {
            p.put(prefix + "starttls.enable", "true");
            p.put(prefix + "starttls.required", "true");
        }
        return Session.getInstance(p);
    }

    private void sendWithAngus(String protocol, boolean starttls, String marker) throws Exception {
        Session session = angus(protocol, starttls);
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress(ALICE));
        message.setRecipient(Message.RecipientType.TO, new InternetAddress(BOB));
        message.setSubject("Angus " + marker);
        message.setText("Hello from Angus Mail.\n.\nA line with a lone dot above.\n" + marker + "\n");
        try (Transport transport = session.getTransport(protocol)) {
            transport.connect(ALICE, PASSWORD);
            transport.sendMessage(message, message.getAllRecipients());
        }
    }

    @Test
    void angusMailOverStarttlsOnSubmission() throws Exception {
        String marker = UUID.randomUUID().toString();
        sendWithAngus("smtp", true, marker);
        String m = delivered(marker);
        assertThat(m).startsWith("Return-Path: <alice@example.test>\r\nReceived: from ");
        assertThat(m).contains("with ESMTPSA id").contains("(using TLSv1.3 with cipher TLS_");
        assertThat(m).contains("\r\n.\r\nA line with a lone dot above.\r\n");
    }

    @Test
    void angusMailOverSmtps() throws Exception {
        String marker = UUID.randomUUID().toString();
        sendWithAngus("smtps", false, marker);
        assertThat(delivered(marker)).contains("with ESMTPSA id");
    }

    @Test
    void angusMailRefusesAServerItsCaDidNotSign() throws Exception {
        TestPki otherCa = TestPki.create(dir.resolve("other-ca"));
        Properties p = new Properties();
        p.put("mail.smtps.host", "localhost");
        p.put("mail.smtps.port", String.valueOf(server.engine.port(Role.SMTPS)));
        p.put("mail.smtps.ssl.checkserveridentity", "true");
        p.put("mail.smtps.ssl.socketFactory", otherCa.clientContext().getSocketFactory());
        p.put("mail.smtps.connectiontimeout", "5000");
        Session session = Session.getInstance(p);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> {
            try (Transport t = session.getTransport("smtps")) {
                t.connect(ALICE, PASSWORD);
            }
        }).isInstanceOf(jakarta.mail.MessagingException.class)
                .satisfies(e -> assertThat(org.assertj.core.util.Throwables.getRootCause(e).toString()).containsIgnoringCase("certification path"));
    }

    private static String run(List<String> command, String stdin) throws Exception {
        io.sealmail.testing.ExternalTool.require(command.get(0));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        Process process = pb.start();
        if (stdin != null) {
            process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        process.getOutputStream().close();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread reader = new Thread(() -> {
            try {
                process.getInputStream().transferTo(out);
            } catch (IOException ignored) {
                // process ended
            }
        });
        reader.start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("%s finished", command.get(0)).isTrue();
        reader.join(5000);
        String output = out.toString(StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as("%s exit code; output:%n%s", command.get(0), output).isZero();
        return output;
    }

    private static Path messageFile(String marker) throws IOException {
        return Files.writeString(dir.resolve(marker + ".eml"),
                "From: alice@example.test\r\nTo: bob@example.test\r\nSubject: " + marker + "\r\n\r\nbody " + marker + "\r\n");
    }

    @Test
    void curlOverStarttlsWithSslReqd() throws Exception {
        String marker = UUID.randomUUID().toString();
        run(List.of("curl", "-sS", "--ssl-reqd", "--cacert", server.pki.caCrt().toString(),
                "smtp://localhost:" + server.engine.port(Role.SUBMISSION), "--mail-from", ALICE, "--mail-rcpt", BOB,
                "--upload-file", messageFile(marker).toString(), "-u", ALICE + ":" + PASSWORD), null);
        assertThat(delivered(marker)).contains("with ESMTPSA id");
    }

    @Test
    void curlOverSmtps() throws Exception {
        String marker = UUID.randomUUID().toString();
        run(List.of("curl", "-sS", "--cacert", server.pki.caCrt().toString(),
                "smtps://localhost:" + server.engine.port(Role.SMTPS), "--mail-from", ALICE, "--mail-rcpt", BOB,
                "--upload-file", messageFile(marker).toString(), "-u", ALICE + ":" + PASSWORD), null);
        assertThat(delivered(marker)).contains("with ESMTPSA id");
    }

    @Test
    void curlInboundOnPort25WithStarttls() throws Exception {
        String marker = UUID.randomUUID().toString();
        run(List.of("curl", "-sS", "--ssl-reqd", "--cacert", server.pki.caCrt().toString(),
                "smtp://localhost:" + server.engine.port(Role.SMTP), "--mail-from", "carol@remote.test", "--mail-rcpt", BOB,
                "--upload-file", messageFile(marker).toString()), null);
        assertThat(delivered(marker)).contains("with ESMTPS id");
    }

    /** swaks as alice on submission (STARTTLS, AUTH PLAIN) to {@code to}, the marker as subject and body; its output. */
    private static String swaksSubmission(String to, String marker) throws Exception {
        return run(List.of("swaks", "--server", "localhost", "--port", String.valueOf(server.engine.port(Role.SUBMISSION)),
                "--tls", "--tls-verify", "--tls-ca-path", server.pki.caCrt().toString(),
                "--auth", "PLAIN", "--auth-user", ALICE, "--auth-password", PASSWORD,
                "--from", ALICE, "--to", to, "--header", "Subject: " + marker, "--body", "swaks " + marker), null);
    }

    @Test
    void swaksOverStarttlsAndSmtps() throws Exception {
        String starttls = UUID.randomUUID().toString();
        String output = swaksSubmission(BOB, starttls);
        assertThat(output).contains("250 2.0.0 Ok: queued as");
        assertThat(delivered(starttls)).contains("with ESMTPSA id");

        String implicit = UUID.randomUUID().toString();
        run(List.of("swaks", "--server", "localhost", "--port", String.valueOf(server.engine.port(Role.SMTPS)),
                "--tls-on-connect", "--tls-verify", "--tls-ca-path", server.pki.caCrt().toString(),
                "--auth", "LOGIN", "--auth-user", ALICE, "--auth-password", PASSWORD,
                "--from", ALICE, "--to", BOB, "--header", "Subject: " + implicit, "--body", "swaks " + implicit), null);
        assertThat(delivered(implicit)).contains("with ESMTPSA id");
    }

    /**
     * One id from the client's reply to the queue listing, as with Postfix's queue id: swaks submits to a remote and
     * a local recipient, and the id of its "250 Ok: queued as" is bob's Received id and the queue entry's id.
     */
    @Test
    void theQueuedAsIdOfASubmissionIsTheIdInTheReceivedHeaderAndInQueueList() throws Exception {
        String marker = UUID.randomUUID().toString();
        String output = swaksSubmission("carol@remote.example," + BOB, marker);
        Matcher reply = Pattern.compile("250 2\\.0\\.0 Ok: queued as (\\S+)").matcher(output);
        assertThat(reply.find()).as("swaks output:%n%s", output).isTrue();
        String id = reply.group(1);

        assertThat(delivered(marker)).as("bob's copy").contains(" (Sealmail) with ESMTPSA id " + id + "; ");
        PrintStream saved = System.out;
        ByteArrayOutputStream listing = new ByteArrayOutputStream();
        System.setOut(new PrintStream(listing, true, StandardCharsets.UTF_8));
        int exit;
        try {
            exit = new CommandLine(new QueueCommand()).execute("list", "--data-dir", dir.resolve("data").toString());
        } finally {
            System.setOut(saved);
        }
        assertThat(exit).isZero();
        assertThat(listing.toString(StandardCharsets.UTF_8)).as("sealmail queue list")
                .containsPattern("(?m)^" + id + " .*<" + ALICE + "> -> carol@remote\\.example$");
    }

    @Test
    void swaksPipeliningAndChunkingInbound() throws Exception {
        String marker = UUID.randomUUID().toString();
        run(List.of("swaks", "--server", "localhost", "--port", String.valueOf(server.engine.port(Role.SMTP)),
                "--pipeline", "--from", "carol@remote.test", "--to", BOB, "--header", "Subject: " + marker,
                "--body", "pipelined " + marker), null);
        assertThat(delivered(marker)).contains("with ESMTP id");
    }

    @Test
    void pythonSmtplibStarttlsAndSmtps() throws Exception {
        String starttls = UUID.randomUUID().toString();
        String implicit = UUID.randomUUID().toString();
        String script = """
                import smtplib, ssl, sys
                ctx = ssl.create_default_context(cafile=sys.argv[1])
                msg = "From: %(a)s\\r\\nTo: %(b)s\\r\\nSubject: {m}\\r\\n\\r\\n..dot-stuffed by smtplib\\r\\n{m}\\r\\n"
                with smtplib.SMTP("localhost", int(sys.argv[2]), timeout=10) as s:
                    s.ehlo()
                    s.starttls(context=ctx)
                    s.ehlo()
                    s.login(%(a)r, %(p)r)
                    s.sendmail(%(a)r, [%(b)r], msg.format(m=sys.argv[4]))
                with smtplib.SMTP_SSL("localhost", int(sys.argv[3]), context=ctx, timeout=10) as s:
                    s.login(%(a)r, %(p)r)
                    s.sendmail(%(a)r, [%(b)r], msg.format(m=sys.argv[5]))
                print("sent")
                """.replace("%(a)s", ALICE).replace("%(b)s", BOB).replace("%(a)r", "'" + ALICE + "'")
                .replace("%(b)r", "'" + BOB + "'").replace("%(p)r", "'" + PASSWORD + "'");
        Path file = Files.writeString(dir.resolve("send.py"), script);
        String output = run(List.of("python3", file.toString(), server.pki.caCrt().toString(),
                String.valueOf(server.engine.port(Role.SUBMISSION)), String.valueOf(server.engine.port(Role.SMTPS)), starttls, implicit), null);
        assertThat(output).contains("sent");
        // smtplib dot-stuffs the leading ".." to "...": we must hand back exactly "..".
        assertThat(delivered(starttls)).contains("\r\n..dot-stuffed by smtplib\r\n").contains("with ESMTPSA id");
        assertThat(delivered(implicit)).contains("with ESMTPSA id");
    }

    @Test
    void pythonSmtplibLoginIsRefusedBeforeStarttls() throws Exception {
        String script = """
                import smtplib, sys
                with smtplib.SMTP("localhost", int(sys.argv[1]), timeout=10) as s:
                    s.ehlo()
                    try:
                        s.login("%s", "%s")
                        print("logged in")
                    except smtplib.SMTPNotSupportedError:
                        print("no AUTH offered")
                    code, text = s.docmd("AUTH", "PLAIN")
                    print(code, text.decode())
                """.formatted(ALICE, PASSWORD);
        Path file = Files.writeString(dir.resolve("plain.py"), script);
        String output = run(List.of("python3", file.toString(), String.valueOf(server.engine.port(Role.SUBMISSION))), null);
        assertThat(output).contains("no AUTH offered").contains("530 5.7.0 Must issue a STARTTLS command first").doesNotContain("logged in");
    }
}
