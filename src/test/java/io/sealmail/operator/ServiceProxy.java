package io.sealmail.operator;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.fabric8.kubernetes.api.model.IntOrString;

/**
 * The Service and cluster DNS of the end-to-end test: an HTTP CONNECT proxy on 127.0.0.1 that knows exactly what
 * the Service object declares. {@code CONNECT mail.ns.svc:587} reaches the port the Service maps 587 to (its
 * targetPort, resolved through the pod's container ports to where the engine listens); a port the Service does not
 * declare, or a name that is not the Service's, is refused (502), as a cluster would refuse it. Clients (Angus Mail's
 * {@code mail.*.proxy.*}, curl's {@code --proxytunnel}) then speak TLS end to end through it, addressing the
 * Service's DNS name and its real port numbers, so certificate checks see the names a pod in the cluster would use.
 *
 * <p>"localhost" is also accepted, as {@code kubectl port-forward} would give, to show that a name the certificate
 * does not cover is refused by the clients.
 */
final class ServiceProxy implements AutoCloseable {
    private final ServerSocket server;
    private final Set<String> names;
    private final Map<Integer, InetSocketAddress> ports;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;

    ServiceProxy(Service service, String clusterDomain, Function<IntOrString, InetSocketAddress> targetPorts)
            throws IOException {
        String name = service.getMetadata().getName();
        String ns = service.getMetadata().getNamespace();
        this.names = Set.of(name + "." + ns + ".svc", name + "." + ns + ".svc." + clusterDomain, name + "." + ns,
                "localhost");
        this.ports = service.getSpec().getPorts().stream().collect(Collectors.toUnmodifiableMap(ServicePort::getPort,
                p -> {
                    InetSocketAddress target = targetPorts.apply(p.getTargetPort());
                    if (target == null) {
                        throw new IllegalStateException("Service port " + p.getPort() + " targets " + p.getTargetPort()
                                + ", which nothing in the pod listens on");
                    }
                    return target;
                }));
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::accept, "service-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    Set<Integer> servicePorts() {
        return ports.keySet();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                open.add(client);
                Thread t = new Thread(() -> serve(client), "service-proxy-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try {
            String request = readHead(client.getInputStream());
            String[] words = request.split("\r\n", 2)[0].split(" ");
            InetSocketAddress target = null;
            if (words.length == 3 && words[0].equals("CONNECT")) {
                int colon = words[1].lastIndexOf(':');
                String host = words[1].substring(0, colon).toLowerCase(java.util.Locale.ROOT);
                int port = Integer.parseInt(words[1].substring(colon + 1));
                if (names.contains(host)) {
                    target = ports.get(port);
                }
            }
            OutputStream out = client.getOutputStream();
            if (target == null) {
                out.write("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                client.close();
                return;
            }
            Socket upstream = new Socket();
            open.add(upstream);
            try {
                upstream.connect(target, 5000);
            } catch (IOException e) {
                out.write("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                client.close();
                return;
            }
            out.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread back = new Thread(() -> pump(upstream, client), "service-proxy-down");
            back.setDaemon(true);
            back.start();
            pump(client, upstream);
            back.join();
            close(client);
            close(upstream);
        } catch (IOException | RuntimeException | InterruptedException e) {
            close(client);
        }
    }

    /** Reads the CONNECT request up to the blank line, byte by byte so nothing after it is consumed. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (head.size() < 8192) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed before the request ended");
            }
            head.write(b);
            byte[] h = head.toByteArray();
            int n = h.length;
            if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
                return head.toString(StandardCharsets.US_ASCII);
            }
        }
        throw new IOException("request head too long");
    }

    private void pump(Socket from, Socket to) {
        byte[] buf = new byte[16384];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
                out.flush();
            }
            to.shutdownOutput();
        } catch (IOException e) {
            close(from);
            close(to);
        }
    }

    private void close(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
        open.remove(s);
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : List.copyOf(open)) {
            close(s);
        }
    }
}
