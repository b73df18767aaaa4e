package io.sealmail.engine.delivery;

import io.sealmail.testing.MaildirNew;
import io.sealmail.testing.ExternalTool;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Postfix (Debian's) as a child process with its own configuration and queue directory under a private
 * directory, never the system instance: {@code master -c DIR -d} (in the foreground, so destroying it ends it and
 * its children). Delivers its virtual domain into Maildirs under {@code mail/<user>/} (or, with
 * {@code virtual_transport} in the extra main.cf lines, wherever that transport says: engine.smtp's LMTP test). Needs root (master and port
 * 25); the log goes to {@code /var/log/sealmail-test-postfix-<name>.log} (Postfix only logs under /var).
 */
public final class PostfixProcess implements AutoCloseable {
    final Path dir;
    final Path log;
    private final Process master;
    private final String address;
    private final int port;

    private PostfixProcess(Path dir, Path log, Process master, String address, int port) {
        this.dir = dir;
        this.log = log;
        this.master = master;
        this.address = address;
        this.port = port;
    }

    /** Skips (or fails in CI) without Postfix; skips when not root (Postfix's master must start as root). */
    public static void require() {
        ExternalTool.require("postfix", "Debian package postfix");
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "Postfix's master process needs root to start; run as root (CI does)");
    }

    /**
     * @param name     unique per test run (names the directory and log)
     * @param address  the 127.0.1.x address smtpd listens on
     * @param port     its port
     * @param domain   the virtual mailbox domain it accepts
     * @param users    local parts with a Maildir
     * @param mainCf   extra main.cf lines (TLS, SASL)
     */
    public static PostfixProcess start(String name, String address, int port, String domain, List<String> users,
                                String mainCf) throws Exception {
        return start(name, address, port, domain, users, mainCf, d -> {
        });
    }

    /** Prepares files inside the instance directory before Postfix starts ({@code %DIR%} in main.cf names it). */
    interface Setup {
        void prepare(Path instanceDir) throws Exception;
    }

    static PostfixProcess start(String name, String address, int port, String domain, List<String> users,
                                String mainCf, Setup setup) throws Exception {
        require();
        Path dir = Files.createTempDirectory("sealmail-postfix-" + name + "-");
        // Postfix's daemons run as the postfix user and must reach the Maildirs and configuration.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Files.createDirectories(dir.resolve("queue"));
        Path data = Files.createDirectories(dir.resolve("data"));
        Path mail = Files.createDirectories(dir.resolve("mail"));
        String uid = run("id", "-u", "postfix").strip();
        String gid = run("id", "-g", "postfix").strip();
        run("chown", "postfix:postfix", data.toString(), mail.toString());
        Path log = Path.of("/var/log/sealmail-test-postfix-" + name + "-" + ProcessHandle.current().pid() + ".log");
        StringBuilder maps = new StringBuilder();
        for (String u : users) {
            maps.append(maps.length() == 0 ? "" : ", ").append('{').append(u).append('@').append(domain).append('=').append(u).append("/}");
        }
        Files.writeString(conf.resolve("main.cf"), """
                compatibility_level = 3.6
                queue_directory = %1$s/queue
                data_directory = %1$s/data
                mail_owner = postfix
                setgid_group = postdrop
                inet_interfaces = loopback-only
                inet_protocols = ipv4
                myhostname = mx.%2$s
                mydestination =
                mynetworks = 127.0.0.0/8
                relay_domains =
                alias_maps =
                alias_database =
                smtp_dns_support_level = disabled
                virtual_mailbox_domains = %2$s
                virtual_mailbox_base = %1$s/mail
                virtual_mailbox_maps = inline:{ %3$s }
                virtual_uid_maps = static:%4$s
                virtual_gid_maps = static:%5$s
                maillog_file = %6$s
                smtpd_tls_received_header = yes
                # Postfix adds Date:/Message-ID: to mail from local clients; the engine connects from 127.0.0.1.
                local_header_rewrite_clients =
                %7$s
                """.formatted(dir, domain, maps, uid, gid, log, mainCf.replace("%DIR%", dir.toString())),
                StandardCharsets.US_ASCII);
        String masterCf = Files.readString(Path.of("/usr/share/postfix/master.cf.dist"), StandardCharsets.US_ASCII)
                .replaceFirst("(?m)^smtp\\s+inet\\s.*$", address + ":" + port + " inet n - n - - smtpd");
        Files.writeString(conf.resolve("master.cf"), masterCf, StandardCharsets.US_ASCII);
        setup.prepare(dir);
        run("postfix", "-c", conf.toString(), "post-install", "create-missing");
        Process master = new ProcessBuilder("/usr/lib/postfix/sbin/master", "-c", conf.toString(), "-d")
                .redirectErrorStream(true).redirectOutput(dir.resolve("master.out").toFile()).start();
        PostfixProcess p = new PostfixProcess(dir, log, master, address, port);
        p.awaitListening();
        return p;
    }

    private void awaitListening() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!master.isAlive()) {
                throw new IllegalStateException("postfix master exited: " + Files.readString(dir.resolve("master.out"))
                        + "\n" + logText());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(address, port), 500);
                return;
            } catch (IOException notYet) {
                // not listening yet
            }
            master.waitFor(100, TimeUnit.MILLISECONDS); // our own test thread, waiting for a child process
        }
        throw new IllegalStateException("postfix did not listen on " + address + ":" + port + "\n" + logText());
    }

    /** The messages in a user's Maildir new/ (Postfix's virtual(8) delivers there), oldest name first. */
    List<byte[]> maildir(String user) throws IOException {
        return MaildirNew.messages(dir.resolve("mail").resolve(user));
    }

    /** {@code postqueue -p}: the queue listing ("Mail queue is empty" when nothing waits). */
    public String queue() throws IOException, InterruptedException {
        return run("postqueue", "-c", dir.resolve("conf").toString(), "-p");
    }

    /** {@code postqueue -f}: attempt everything in the queue now (the deferred mail too). */
    public void flush() throws IOException, InterruptedException {
        run("postqueue", "-c", dir.resolve("conf").toString(), "-f");
    }

    public String logText() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "(no log)";
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }

    /** Ends master (SIGTERM: it ends its children) and checks no process of this instance survives. */
    @Override
    public void close() throws Exception {
        List<ProcessHandle> children = master.descendants().toList();
        master.destroy();
        if (!master.waitFor(20, TimeUnit.SECONDS)) {
            master.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        for (ProcessHandle c : children) {
            if (c.isAlive()) {
                c.destroyForcibly();
                c.onExit().get(10, TimeUnit.SECONDS);
            }
        }
        System.out.println("---- postfix log " + log + "\n" + logText()); // kept in the test's report
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        Files.deleteIfExists(log);
    }
}
