package io.sealmail.engine.mailauth;

import io.sealmail.testing.ExternalTool;
import org.xbill.DNS.Type;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.awaitility.Awaitility.await;

/**
 * dnsmasq as a child process serving only the records a test gives it (no upstream, no hosts file), on one of
 * this helper's loopback addresses (127.0.3.x) and port 53, so programs that use the system resolver can reach it
 * through a private /etc/resolv.conf (see {@link #privateResolvConf}).
 */
public final class LocalDnsServer implements AutoCloseable {
    final String address;
    final int port;
    private final Process process;
    final Path log;

    private LocalDnsServer(String address, int port, Process process, Path log) {
        this.address = address;
        this.port = port;
        this.process = process;
        this.log = log;
    }

    public static final class Builder {
        private final List<String> args = new ArrayList<>();

        /**
         * A TXT record; values over 255 octets become several strings, as in a real zone. dnsmasq separates the
         * strings at commas (quotes would be kept literally: there is no shell here), so values hold no comma.
         */
        public Builder txt(String name, String value) {
            if (value.contains(",")) {
                throw new IllegalArgumentException("dnsmasq would split the TXT value at its comma: " + value);
            }
            StringBuilder parts = new StringBuilder();
            for (int i = 0; i < value.length(); i += 255) {
                parts.append(parts.length() == 0 ? "" : ",").append(value, i, Math.min(value.length(), i + 255));
            }
            args.add("--txt-record=" + name + "," + parts);
            return this;
        }

        public Builder a(String name, String address) {
            args.add("--host-record=" + name + "," + address);
            return this;
        }

        public Builder mx(String name, String host, int preference) {
            args.add("--mx-host=" + name + "," + host + "," + preference);
            return this;
        }

        public LocalDnsServer start(String address, int port, Path dir) throws Exception {
            String dnsmasq = ExternalTool.require("dnsmasq", "Debian package dnsmasq-base");
            Path log = dir.resolve("dnsmasq-" + address + ".log");
            List<String> command = new ArrayList<>(List.of(dnsmasq, "--no-daemon", "--conf-file=/dev/null",
                    "--port=" + port, "--listen-address=" + address, "--bind-interfaces", "--no-resolv", "--no-hosts",
                    "--user=root", "--pid-file=",
                    // Authoritative for the test names: a missing name is NXDOMAIN, not REFUSED (no upstream).
                    "--local=/test/", "--local=/in-addr.arpa/", "--local=/ip6.arpa/"));
            command.addAll(args);
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            LocalDnsServer server = new LocalDnsServer(address, port, p, log);
            SimpleResolverLookup probe = new SimpleResolverLookup(new InetSocketAddress(address, port), Duration.ofMillis(200));
            try {
                await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
                    if (!p.isAlive()) {
                        throw new IllegalStateException("dnsmasq exited: " + Files.readString(log));
                    }
                    probe.lookup("probe.test", Type.A);
                    return true;
                });
            } catch (RuntimeException e) {
                server.close();
                throw new IllegalStateException("dnsmasq did not answer on " + address + ":" + port + ": " + Files.readString(log), e);
            }
            return server;
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public SimpleResolverLookup lookup() {
        return new SimpleResolverLookup(new InetSocketAddress(address, port), Duration.ofSeconds(2));
    }

    /** A resolv.conf naming only this server (port 53 only: resolv.conf has no port). */
    public Path privateResolvConf(Path dir) throws Exception {
        Path conf = dir.resolve("resolv-" + address + ".conf");
        Files.writeString(conf, "nameserver " + address + "\noptions timeout:2 attempts:2\n");
        return conf;
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
