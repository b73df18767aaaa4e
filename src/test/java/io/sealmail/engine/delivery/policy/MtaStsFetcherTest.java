package io.sealmail.engine.delivery.policy;

import io.sealmail.ca.CertificateAuthority;
import io.sealmail.ca.IssuedCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The policy fetch against a real HTTPS server on 127.0.2.1 (the tlspolicy helper's loopback range). */
class MtaStsFetcherTest {
    static final String ADDRESS = "127.0.2.1";
    static final CertificateAuthority CA = PolicyCerts.authority("CN=Policy Host CA");
    static final IssuedCertificate POLICY_HOST = PolicyCerts.leaf(CA, "mta-sts.example.test");
    static final String POLICY = "version: STSv1\nmode: enforce\nmx: mx.example.test\nmax_age: 86400\n";

    PolicyHttpsServer server;
    final FakeDns dns = new FakeDns().a("mta-sts.example.test", ADDRESS);

    @BeforeEach
    void start() throws IOException {
        server = new PolicyHttpsServer(ADDRESS, POLICY_HOST);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    MtaStsFetcher fetcher(Duration timeout) {
        return new MtaStsFetcher(dns, WebPkiTrust.of(List.of(CA.root())), server.port(), Duration.ofSeconds(5), timeout);
    }

    String fetch() throws IOException {
        return fetcher(Duration.ofSeconds(20)).fetch("example.test");
    }

    @Test
    void fetchesAPlainTextPolicy() throws Exception {
        server.serve("text/plain", POLICY);
        assertThat(fetch()).isEqualTo(POLICY);
        server.serve("Text/Plain; charset=utf-8", POLICY);
        assertThat(fetch()).isEqualTo(POLICY);
    }

    @Test
    void fetchesAChunkedPolicy() throws Exception {
        server.handler = exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "text/plain");
            exchange.sendResponseHeaders(200, 0); // 0: chunked
            try (OutputStream out = exchange.getResponseBody()) {
                for (String line : POLICY.split("(?<=\n)")) {
                    out.write(line.getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
            }
        };
        assertThat(fetch()).isEqualTo(POLICY);
    }

    @Test
    void aRedirectIsNotFollowed() {
        server.handler = exchange -> {
            exchange.getResponseHeaders().set("Location", "https://attacker.example/.well-known/mta-sts.txt");
            PolicyHttpsServer.respond(exchange, 302, "text/plain", POLICY.getBytes(StandardCharsets.US_ASCII));
        };
        assertThatThrownBy(this::fetch).hasMessageContaining("HTTP 302").hasMessageContaining("not followed");
    }

    @Test
    void aMissingPolicyIsNoPolicy() {
        server.handler = exchange -> PolicyHttpsServer.respond(exchange, 404, "text/plain", new byte[0]);
        assertThatThrownBy(this::fetch).hasMessageContaining("HTTP 404");
    }

    @Test
    void aWrongContentTypeIsRefused() {
        server.serve("text/html", POLICY);
        assertThatThrownBy(this::fetch).hasMessageContaining("Content-Type text/html");
        server.handler = exchange -> PolicyHttpsServer.respond(exchange, 200, null, POLICY.getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(this::fetch).hasMessageContaining("Content-Type missing");
    }

    @Test
    void aPolicyOverTheSizeBoundIsRefusedWithALength() {
        server.serve("text/plain", POLICY + "x: " + "y".repeat(MtaStsPolicy.MAX_BYTES) + "\n");
        assertThatThrownBy(this::fetch).hasMessageContaining("larger than 65536");
    }

    @Test
    void anEndlessChunkedPolicyIsCutOffAtTheSizeBound() {
        server.handler = exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "text/plain");
            exchange.sendResponseHeaders(200, 0);
            byte[] line = "x: yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\n".getBytes(StandardCharsets.US_ASCII);
            try (OutputStream out = exchange.getResponseBody()) {
                for (int i = 0; i < 1_000_000 && server.closing.getCount() > 0; i++) {
                    out.write(line); // 64 MB if nobody stops reading
                }
            } catch (IOException expected) {
                // the client hung up
            }
        };
        assertThatThrownBy(this::fetch).hasMessageContaining("larger than 65536");
    }

    @Test
    void aPolicyHostThatNeverAnswersCostsOnlyTheTimeout() {
        server.handler = exchange -> server.stall();
        assertThatThrownBy(() -> fetcher(Duration.ofMillis(1500)).fetch("example.test")).hasMessageContaining("timed out");
    }

    @Test
    void aPolicyHostThatStallsMidBodyCostsOnlyTheTimeout() {
        server.handler = exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "text/plain");
            exchange.sendResponseHeaders(200, POLICY.length());
            OutputStream out = exchange.getResponseBody();
            out.write(POLICY.substring(0, 10).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            server.stall();
        };
        assertThatThrownBy(() -> fetcher(Duration.ofMillis(1500)).fetch("example.test")).hasMessageContaining("timed out");
    }

    @Test
    void aCertificateForAnotherNameIsRefused() throws IOException {
        server.close();
        server = new PolicyHttpsServer(ADDRESS, PolicyCerts.leaf(CA, "www.example.test")).serve("text/plain", POLICY);
        assertThatThrownBy(this::fetch).isInstanceOf(IOException.class).hasMessageContaining("mta-sts.example.test");
    }

    @Test
    void aCertificateOfAnUntrustedCaIsRefused() throws IOException {
        server.close();
        server = new PolicyHttpsServer(ADDRESS, PolicyCerts.leaf(PolicyCerts.authority("CN=Stranger"), "mta-sts.example.test"))
                .serve("text/plain", POLICY);
        assertThatThrownBy(this::fetch).isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
    }

    @Test
    void aPolicyHostWithoutAddressIsNoPolicy() {
        assertThatThrownBy(() -> fetcher(Duration.ofSeconds(5)).fetch("elsewhere.test")).hasMessageContaining("has no address");
    }

    @Test
    void aBodyThatIsNotUtf8IsRefused() {
        server.handler = exchange -> PolicyHttpsServer.respond(exchange, 200, "text/plain", new byte[] {'m', 'x', ':', (byte) 0xff, '\n'});
        assertThatThrownBy(this::fetch).hasMessageContaining("not UTF-8");
    }
}
