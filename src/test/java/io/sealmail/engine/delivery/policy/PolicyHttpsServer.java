package io.sealmail.engine.delivery.policy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.sealmail.ca.IssuedCertificate;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * An MTA-STS policy host for tests: the JDK's HTTPS server on a loopback address, with a certificate from our CA,
 * serving whatever {@link #handler} says at {@code /.well-known/mta-sts.txt}.
 */
public final class PolicyHttpsServer implements AutoCloseable {
    private final HttpsServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    /** Released when the server closes: handlers that stall wait on it. */
    final CountDownLatch closing = new CountDownLatch(1);
    volatile HttpHandler handler;

    public PolicyHttpsServer(String address, IssuedCertificate cert) throws IOException {
        server = HttpsServer.create(new InetSocketAddress(address, 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(PolicyCerts.serverContext(cert)));
        server.setExecutor(threads);
        server.createContext("/", exchange -> {
            try (exchange) {
                if (!exchange.getRequestURI().getPath().equals(MtaStsFetcher.PATH)) {
                    exchange.sendResponseHeaders(404, -1);
                    return;
                }
                handler.handle(exchange);
            }
        });
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Serves {@code body} with status 200 and {@code contentType}. */
    public PolicyHttpsServer serve(String contentType, String body) {
        handler = exchange -> respond(exchange, 200, contentType, body.getBytes(StandardCharsets.UTF_8));
        return this;
    }

    static void respond(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        if (contentType != null) {
            exchange.getResponseHeaders().set("Content-Type", contentType);
        }
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** Waits (without a sleep) until the server closes: a policy host that never finishes its answer. */
    void stall() throws IOException {
        try {
            closing.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
        threads.shutdownNow();
    }
}
