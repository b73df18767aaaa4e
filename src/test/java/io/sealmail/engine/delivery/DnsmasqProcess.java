package io.sealmail.engine.delivery;

import io.sealmail.testing.ExternalTool;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * dnsmasq (Debian's dnsmasq-base) as a child process: the DNS server of the delivery tests on a 127.0.1.x address,
 * answering from its command-line records only. Names under {@code .test} it has no record for are NXDOMAIN
 * ({@code --local}), so nothing is ever asked upstream.
 */
public final class DnsmasqProcess implements AutoCloseable {
    final String address;
    final int port;
    private final Process process;

    private DnsmasqProcess(String address, int port, Process process) {
        this.address = address;
        this.port = port;
        this.process = process;
    }

    /**
     * dnsmasq cannot be told to pick its own port (port 0 turns DNS off), so a free port is probed and, when another
     * run takes it between the probe and dnsmasq's bind, dnsmasq exits and the next probe's port is tried.
     *
     * @param records dnsmasq options such as {@code --mx-host=remote.test,mx.remote.test,10}
     */
    public static DnsmasqProcess start(String address, Path dir, List<String> records) throws Exception {
        String dnsmasq = ExternalTool.require("dnsmasq", "Debian package dnsmasq-base");
        Files.createDirectories(dir);
        for (int attempt = 1; ; attempt++) {
            DnsmasqProcess started = tryStart(dnsmasq, address, dir, records);
            if (started != null) {
                return started;
            }
            String log = Files.readString(dir.resolve("dnsmasq.log"));
            if (attempt == 5 || !log.contains("in use")) {
                throw new IllegalStateException("dnsmasq exited: " + log);
            }
        }
    }

    /** The running dnsmasq once it answers, or null when it exited at start (its log says why). */
    private static DnsmasqProcess tryStart(String dnsmasq, String address, Path dir, List<String> records) throws Exception {
        int port;
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getByName(address))) {
            port = probe.getLocalPort();
        }
        List<String> command = new ArrayList<>(List.of(dnsmasq, "--no-daemon", "--conf-file=/dev/null", "--port=" + port,
                "--listen-address=" + address, "--bind-interfaces", "--no-resolv", "--no-hosts", "--local=/test/",
                "--user=root", "--pid-file=" + dir.resolve("dnsmasq.pid"), "--log-queries"));
        command.addAll(records);
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("dnsmasq.log").toFile()).start();
        DnsmasqProcess d = new DnsmasqProcess(address, port, p);
        // Ready once it answers: ask with our own resolver.
        io.sealmail.engine.delivery.dns.ResolverDnsLookup lookup = new io.sealmail.engine.delivery.dns.ResolverDnsLookup(
                new io.sealmail.config.Outbound.Dns(List.of(d.server()), java.time.Duration.ofMillis(300), false, null));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            if (!p.isAlive()) {
                return null;
            }
            try {
                lookup.lookup("ready.test", org.xbill.DNS.Type.A);
                return d;
            } catch (java.io.IOException notYet) {
                if (System.nanoTime() > deadline) {
                    d.close();
                    throw new IllegalStateException("dnsmasq did not answer on " + d.server());
                }
            }
        }
    }

    /** {@code address:port} for {@code outbound.dns.servers}. */
    public String server() {
        return address + ":" + port;
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
