package io.sealmail.cli;

import io.sealmail.config.EngineConfig;
import io.sealmail.config.Limits;
import io.sealmail.config.Listener;
import io.sealmail.config.Role;
import io.sealmail.config.TlsFiles;
import io.sealmail.config.WarmUp;
import io.sealmail.engine.MailEngine;
import io.sealmail.engine.imap.ImapWarmUp;
import io.sealmail.engine.imap.TestAccounts;
import io.sealmail.engine.tls.TestPki;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The warm-up ({@code warmUp:} in engine.yaml) as {@code sealmail engine} runs it: before the listeners accept,
 * readiness (/readyz) answers 503 until it is done; it goes through the real IMAP session code on a scratch
 * mailbox, opening the folder from its snapshot after the first round; a failure never stops the start.
 */
class EngineWarmUpTest {
    private static final String USER = "joe@example.test";
    private static final String PASSWORD = "secret-joe";

    @TempDir
    Path dir;
    private final ExecutorService starter = Executors.newSingleThreadExecutor();
    private EngineEndpoint endpoint;
    private MailEngine engine;

    @AfterEach
    void stop() {
        if (engine != null) {
            engine.close();
        }
        if (endpoint != null) {
            endpoint.close();
        }
        starter.shutdownNow();
    }

    private EngineConfig config(TestPki pki) {
        return new EngineConfig("mail.test", List.of("example.test"), List.of(new Listener(Role.IMAPS, "127.0.0.1", 0)),
                new TlsFiles(pki.tlsCrt().toString(), pki.tlsKey().toString()), dir.resolve("accounts").toString(),
                Map.of(), dir.resolve("data").toString(), Limits.DEFAULTS, "127.0.0.1", 0)
                .withWarmUp(new WarmUp(true, 1000, Duration.ofMinutes(5)));
    }

    @Test
    void readinessWaitsForTheWarmUpWhichRunsEveryRoundThroughTheSessionCode() throws Exception {
        TestPki pki = TestPki.create(dir.resolve("tls"));
        EngineConfig config = config(pki);
        Path scratch = dir.resolve("data/warm-up");
        Path inbox = scratch.resolve("mail/warm-up@warm-up.invalid");
        List<Integer> rounds = new CopyOnWriteArrayList<>();
        List<Long> inCur = new CopyOnWriteArrayList<>();
        List<Boolean> snapshots = new CopyOnWriteArrayList<>();
        CountDownLatch inFirstRound = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        endpoint = new EngineEndpoint(config);
        Future<MailEngine> started = starter.submit(() -> endpoint.start(config, b -> b
                .accounts(new TestAccounts(Map.of(USER, PASSWORD)))
                .warmUpRounds(round -> {
                    rounds.add(round);
                    try {
                        // What the round left: every message moved to cur/ and given a cache entry, and the snapshot
                        // the next round's first SELECT starts from.
                        try (var files = Files.list(inbox.resolve("cur"))) {
                            inCur.add(files.count());
                        }
                        snapshots.add(Files.size(inbox.resolve("sealmail-cache")) > 1000 * 100
                                && Files.exists(inbox.resolve("sealmail-snapshot")));
                        if (round == 1) {
                            inFirstRound.countDown();
                            release.await(2, TimeUnit.MINUTES);
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                })));
        assertThat(inFirstRound.await(2, TimeUnit.MINUTES)).isTrue();
        int port = endpoint.server().orElseThrow().port();
        assertThat(get(port, "/readyz").statusCode()).isEqualTo(503);
        assertThat(get(port, "/healthz").statusCode()).isEqualTo(200);
        assertThat(started).isNotDone();
        release.countDown();
        engine = started.get(5, TimeUnit.MINUTES);

        assertThat(get(port, "/readyz").statusCode()).isEqualTo(200);
        assertThat(engine.isReady()).isTrue();
        assertThat(rounds).containsExactlyElementsOf(IntStream.rangeClosed(1, ImapWarmUp.ROUNDS).boxed().toList());
        assertThat(inCur).containsOnly(1000L);
        assertThat(snapshots).containsOnly(true);
        var result = engine.warmUpResult().orElseThrow();
        assertThat(result.rounds()).isEqualTo(ImapWarmUp.ROUNDS);
        assertThat(result.messages()).isEqualTo(1000);
        assertThat(result.complete()).isTrue();
        assertThat(scratch).doesNotExist();
        assertThat(endpoint.registry.find("sealmail.tls.handshakes").counters())
                .as("the warm-up's own handshakes are no clients'").allMatch(c -> c.count() == 0);
        assertThat(imapsGreeting(pki, engine.port(Role.IMAPS))).startsWith("* OK");
    }

    @Test
    void aFailedWarmUpNeverStopsTheEngineFromStarting() throws Exception {
        TestPki pki = TestPki.create(dir.resolve("tls"));
        EngineConfig config = config(pki);
        endpoint = new EngineEndpoint(config);
        engine = starter.submit(() -> endpoint.start(config, b -> b
                .accounts(new TestAccounts(Map.of(USER, PASSWORD)))
                .warmUpRounds(round -> {
                    throw new IllegalStateException("round " + round + " broke");
                }))).get(5, TimeUnit.MINUTES);

        assertThat(engine.isReady()).isTrue();
        assertThat(engine.warmUpResult()).isEmpty();
        assertThat(dir.resolve("data/warm-up")).doesNotExist();
        assertThat(get(endpoint.server().orElseThrow().port(), "/readyz").statusCode()).isEqualTo(200);
        assertThat(imapsGreeting(pki, engine.port(Role.IMAPS))).startsWith("* OK");
    }

    @Test
    void turnedOffOrWithoutAnImapOrPop3ListenerItDoesNotRun() throws Exception {
        TestPki pki = TestPki.create(dir.resolve("tls"));
        EngineConfig off = config(pki).withWarmUp(WarmUp.OFF);
        endpoint = new EngineEndpoint(off);
        engine = endpoint.start(off, b -> b.accounts(new TestAccounts(Map.of(USER, PASSWORD))));
        assertThat(engine.warmUpResult()).isEmpty();
        engine.close();
        EngineConfig smtpOnly = new EngineConfig("mail.test", List.of("example.test"),
                List.of(new Listener(Role.SUBMISSION, "127.0.0.1", 0)), config(pki).tls(), config(pki).accountsFile(),
                Map.of(), dir.resolve("data").toString(), Limits.DEFAULTS, "127.0.0.1", -1);
        assertThat(smtpOnly.warmUp().enabled()).isTrue();
        engine = MailEngine.builder(smtpOnly).accounts(new TestAccounts(Map.of(USER, PASSWORD))).start();
        assertThat(engine.warmUpResult()).isEmpty();
        assertThat(dir.resolve("data/warm-up")).doesNotExist();
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String imapsGreeting(TestPki pki, int port) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("ca", pki.ca());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
        }
    }
}
