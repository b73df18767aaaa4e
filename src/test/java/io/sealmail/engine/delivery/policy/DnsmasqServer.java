package io.sealmail.engine.delivery.policy;

import io.sealmail.testing.ExternalTool;
import org.xbill.DNS.SimpleResolver;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * A real dnsmasq (Debian dnsmasq-base) as a child process on a loopback address of the tlspolicy range, answering only
 * from its command line (no upstream, no /etc/hosts). Skips the test where dnsmasq is not installed.
 */
final class DnsmasqServer implements AutoCloseable {
    private final Process process;
    private final InetSocketAddress address;
    private final Path log;

    /**
     * @param records dnsmasq options such as {@code --txt-record=name,text} (no shell: quotes would be kept)
     */
    DnsmasqServer(String listen, List<String> records) throws IOException {
        String dnsmasq = ExternalTool.require("dnsmasq", "Debian package dnsmasq-base");
        int port = freePort(listen);
        address = new InetSocketAddress(InetAddress.getByName(listen), port);
        List<String> command = new ArrayList<>(List.of(dnsmasq, "--keep-in-foreground", "--no-daemon",
                "--conf-file=/dev/null", "--port=" + port, "--listen-address=" + listen, "--bind-interfaces",
                "--no-resolv", "--no-hosts", "--no-negcache", "--log-facility=-"));
        command.addAll(records);
        log = Files.createTempFile("dnsmasq", ".log");
        process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            SimpleResolver probe = new SimpleResolver(address);
            probe.setTimeout(Duration.ofMillis(500));
            org.xbill.DNS.Message query = org.xbill.DNS.Message.newQuery(org.xbill.DNS.Record.newRecord(
                    org.xbill.DNS.Name.fromConstantString("probe.invalid."), org.xbill.DNS.Type.A, org.xbill.DNS.DClass.IN));
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
                if (!process.isAlive()) {
                    throw new AssertionError("dnsmasq exited: " + Files.readString(log));
                }
                return probe.send(query) != null; // any answer (REFUSED included) means it listens
            });
        } catch (RuntimeException | Error e) {
            close(process);
            throw e;
        }
    }

    /** A port free for both UDP and TCP on {@code listen} (dnsmasq takes a fixed port, not 0). */
    private static int freePort(String listen) throws IOException {
        InetAddress addr = InetAddress.getByName(listen);
        for (int attempt = 0; attempt < 20; attempt++) {
            try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(addr, 0))) {
                int port = udp.getLocalPort();
                try (ServerSocket tcp = new ServerSocket(port, 1, addr)) {
                    return port;
                } catch (IOException taken) {
                    // try another
                }
            }
        }
        throw new IOException("no free port on " + listen);
    }

    InetSocketAddress address() {
        return address;
    }

    ResolverLookup lookup() throws IOException {
        SimpleResolver resolver = new SimpleResolver(address);
        resolver.setTimeout(Duration.ofSeconds(5));
        return new ResolverLookup(resolver);
    }

    @Override
    public void close() throws IOException {
        close(process);
        Files.deleteIfExists(log);
    }

    private static void close(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
