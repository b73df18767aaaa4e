package io.sealmail.ship;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sealmail.engine.tls.TestPki;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The image as shipped: unpacks Jib's tarball (target/jib-image.tar) layer by layer into a root filesystem, as a
 * container runtime would, and runs its entrypoint in a chroot as the image's own non-root user. Runs in the
 * {@code image} profile (image/build.sh); needs root for chroot and mknod.
 */
class ImageIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static Path root;
    static JsonNode config;

    @BeforeAll
    static void unpack() throws Exception {
        Path tar = Path.of(System.getProperty("sealmail.image.tar", "target/jib-image.tar"));
        assertThat(tar).as("build the image first: image/build.sh").exists();
        Path work = Path.of("target", "image-it");
        run(List.of("rm", "-rf", work.toString()), 120);
        Path image = Files.createDirectories(work.resolve("image"));
        root = Files.createDirectories(work.resolve("rootfs"));
        run(List.of("tar", "-xf", tar.toString(), "-C", image.toString()), 300);
        JsonNode manifest = JSON.readTree(image.resolve("manifest.json").toFile()).get(0);
        config = JSON.readTree(image.resolve(manifest.get("Config").asText()).toFile());
        for (JsonNode layer : manifest.get("Layers")) { // in order: later layers overwrite earlier ones
            run(List.of("tar", "-xf", image.resolve(layer.asText()).toString(), "-C", root.toString()), 300);
        }
        // What a container runtime provides and an image does not carry.
        Files.createDirectories(root.resolve("dev"));
        Files.createDirectories(root.resolve("proc"));
        for (String[] dev : new String[][] {{"null", "3"}, {"zero", "5"}, {"random", "8"}, {"urandom", "9"}}) {
            run(List.of("mknod", "-m", "666", root.resolve("dev/" + dev[0]).toString(), "c", "1", dev[1]), 10);
        }
    }

    @Test
    void theImageRunsAsTheNumericNonRootUserWithTheSealmailCommand() {
        JsonNode c = config.get("config");
        assertThat(c.get("User").asText()).isEqualTo("10001:10001");
        assertThat(c.get("Entrypoint").toString()).isEqualTo("[\"/usr/local/bin/sealmail\"]");
        assertThat(c.get("ExposedPorts").toString())
                .contains("2525/tcp", "5587/tcp", "4465/tcp", "1110/tcp", "1995/tcp", "1143/tcp", "1993/tcp", "8080/tcp");
        assertThat(root.resolve("app/quarkus-run.jar")).isRegularFile();
        assertThat(root.resolve("app/lib/main")).isDirectory();
        assertThat(root.resolve("opt/jib-unused")).as("Jib's own layout is filtered out").doesNotExist();
        assertThat(root.resolve("usr/local/bin/sealmail")).isExecutable();
        assertThat(c.get("Env").toString()).contains("JAVA_TOOL_OPTIONS=-XX:MaxRAMPercentage=75");
    }

    @Test
    void theImageRunsJava25WithTheAotCacheItWasBuiltWith() throws Exception {
        assertThat(root.resolve("app/sealmail.aot")).as("recorded by image/aot-train.sh").isRegularFile().isReadable();
        assertThat(root.resolve("usr/local/lib/sealmail/aot-train")).isExecutable();
        Result version = chroot(List.of("/usr/bin/java", "-version"), 60);
        assertThat(version.output()).as(version.output()).contains("version \"25");
        // -XX:AOTMode=on turns "ignore a cache that does not fit" into a failed start: the cache matches this JVM and
        // the jars exactly as the image holds them (Jib's file times included), under the image's JVM options, in a
        // small pod (one CPU: the serial collector) and in a large one. Only `sealmail engine` is given the cache.
        for (String options : List.of("-XX:MaxRAMPercentage=75",
                "-XX:MaxRAMPercentage=75 -XX:MaxRAM=512m -XX:ActiveProcessorCount=1",
                "-XX:MaxRAMPercentage=75 -XX:MaxRAM=16g -XX:ActiveProcessorCount=4")) {
            Result r = run(chrootCommand(List.of("/usr/local/bin/sealmail", "engine", "--help"), options + " -XX:AOTMode=on"), 180);
            assertThat(r.exit()).as(options + "\n" + r.output()).isZero();
            assertThat(r.output()).as(options).contains("Usage: sealmail engine").doesNotContain("[aot]", "Unable to use AOT cache");
        }
        // -XX:AOTMode=on alone would pass without any cache, so whether one is opened is read from the JVM's own
        // log: this JVM says so when it opens one (the control), and the launcher gives none to other commands.
        Result control = chroot(List.of("/usr/bin/java", "-Xlog:aot", "-XX:AOTCache=/app/sealmail.aot", "-jar",
                "/app/quarkus-run.jar", "--version"), 120);
        assertThat(control.output()).contains("Opened AOT cache /app/sealmail.aot");
        Result other = run(chrootCommand(List.of("/usr/local/bin/sealmail", "--version"), "-XX:MaxRAMPercentage=75 -Xlog:aot"), 120);
        assertThat(other.exit()).as(other.output()).isZero();
        assertThat(other.output()).contains("sealmail ").doesNotContain("Opened AOT cache");
    }

    @Test
    void helpRunsFromTheImage() throws Exception {
        Result r = chroot(List.of("/usr/local/bin/sealmail", "--help"), 180);
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("Usage: sealmail", "ca", "engine");
    }

    @Test
    void theEngineStartsFromTheImageAsShipped() throws Exception {
        // The operator's pod layout: config, TLS and accounts under /etc/sealmail, data on /var/lib/sealmail.
        Result ca = chroot(List.of("/bin/sh", "-c", "sealmail ca init --out /tmp/ca"
                + " && sealmail ca issue --ca /tmp/ca --dns mail.example.test --out /tmp/tls"), 240);
        assertThat(ca.exit()).as(ca.output()).isZero();
        Path etc = Files.createDirectories(root.resolve("etc/sealmail"));
        Files.createDirectories(etc.resolve("tls"));
        for (String f : List.of("tls.crt", "tls.key", "ca.crt")) {
            Files.copy(root.resolve("tmp/tls/" + f), etc.resolve("tls/" + f));
        }
        run(List.of("chmod", "-R", "a+rX", etc.toString()), 10);
        Files.createDirectories(etc.resolve("accounts"));
        Files.writeString(etc.resolve("accounts/accounts"), "");
        // Port 0 for both: the engine picks free ports and names them in its "engine ready" line.
        Files.writeString(etc.resolve("engine.yaml"), """
                hostname: mail.example.test
                domains: [example.test]
                listeners:
                  - {role: smtp, address: 127.0.0.1, port: 0}
                  - {role: imaps, address: 127.0.0.1, port: 0}
                tls: {certFile: /etc/sealmail/tls/tls.crt, keyFile: /etc/sealmail/tls/tls.key}
                accountsFile: /etc/sealmail/accounts/accounts
                dataDir: /var/lib/sealmail
                httpPort: 0
                """);

        Process engine = new ProcessBuilder(chrootCommand(
                List.of("/usr/local/bin/sealmail", "engine", "--config", "/etc/sealmail/engine.yaml")))
                .redirectErrorStream(true).start();
        StringBuilder log = new StringBuilder();
        CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(engine.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    synchronized (log) {
                        log.append(line).append('\n');
                    }
                    if (line.contains("engine ready")) {
                        return line;
                    }
                }
            } catch (IOException ignored) {
                // the stream closes when the engine exits
            }
            return null;
        });
        try {
            String readyLine = ready.get(240, TimeUnit.SECONDS);
            assertThat(readyLine).as(log::toString).isNotNull();
            synchronized (log) {
                assertThat(log.toString()).as("the AOT cache fits: no JVM warning about it").doesNotContain("[aot]");
            }
            assertThat(mapsOfChrootProcesses()).as("the engine's JVM has the AOT cache mapped").contains("/app/sealmail.aot");
            int smtp = boundPort(readyLine, "smtp");
            int http = boundPort(readyLine, "http");
            try (Socket s = new Socket("127.0.0.1", smtp)) {
                s.setSoTimeout(30_000);
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                assertThat(in.readLine()).startsWith("220 mail.example.test");
                s.getOutputStream().write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(in.readLine()).startsWith("221");
            }
            // IMAP over TLS with the CA made in the image: the engine warmed up (an IMAP listener) on the image's own
            // Java 25 with its AOT cache, netty-tcnative's BoringSSL on the image's C library, the certificate served.
            X509Certificate caCert;
            try (var in = Files.newInputStream(etc.resolve("tls/ca.crt"))) {
                caCert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            }
            try (SSLSocket s = (SSLSocket) TestPki.trusting(caCert).getSocketFactory()
                    .createSocket("127.0.0.1", boundPort(readyLine, "imaps"))) {
                s.setSoTimeout(30_000);
                SSLParameters p = s.getSSLParameters();
                p.setServerNames(List.of(new SNIHostName("mail.example.test")));
                p.setEndpointIdentificationAlgorithm("HTTPS");
                s.setSSLParameters(p);
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                assertThat(in.readLine()).startsWith("* OK [CAPABILITY IMAP4rev1");
                s.getOutputStream().write("a LOGOUT\r\n".getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                assertThat(in.readLine()).startsWith("* BYE");
            }
            synchronized (log) {
                assertThat(log.toString()).as("the warm-up ran to its end before ready").containsPattern("warm-up: \\d+ rounds");
            }
            HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + http + "/healthz")).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
        } finally {
            stop(engine);
        }
        // It wrote its data as the image's user, on the data volume.
        assertThat(Files.getOwner(root.resolve("var/lib/sealmail")).getName()).isIn("10001", "sealmail");
    }

    record Result(int exit, String output) {
    }

    static List<String> chrootCommand(List<String> command) {
        return chrootCommand(command, "-XX:MaxRAMPercentage=75");
    }

    static List<String> chrootCommand(List<String> command, String javaToolOptions) {
        // A fresh /proc in its own mount and PID namespaces, as a container has (the JVM and the dynamic linker's
        // $ORIGIN need it); SIGTERM to unshare reaches the engine, as the kubelet's reaches PID 1.
        List<String> c = new ArrayList<>(List.of("unshare", "--mount", "--pid", "--fork", "--kill-child=SIGTERM",
                "--mount-proc=" + root.toAbsolutePath().resolve("proc"), "chroot", "--userspec=10001:10001", root.toString(),
                "/usr/bin/env", "-i", "PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/var/lib/sealmail",
                "JAVA_TOOL_OPTIONS=" + javaToolOptions));
        c.addAll(command);
        return c;
    }

    /**
     * SIGTERM to every process of the chroot, as the kubelet stops a pod; what has not exited after a minute is killed.
     * Signalling {@code unshare} alone is not enough: {@code --kill-child} sets a parent-death signal that the kernel
     * clears when {@code chroot --userspec} changes the child's credentials, so the engine (PID 1 of its namespace)
     * outlived it, reparented to init.
     */
    static void stop(Process unshare) throws Exception {
        List<ProcessHandle> all = new ArrayList<>(unshare.descendants().toList());
        all.add(unshare.toHandle());
        all.addAll(inChroot());
        all.forEach(ProcessHandle::destroy);
        for (ProcessHandle p : all) {
            try {
                p.onExit().get(60, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                p.destroyForcibly();
            }
        }
        assertNoSurvivors();
    }

    /** The memory maps of every process in the chroot, together (the launcher execs java: the engine is one of them). */
    static String mapsOfChrootProcesses() throws IOException {
        StringBuilder maps = new StringBuilder();
        for (ProcessHandle p : inChroot()) {
            try {
                maps.append(Files.readString(Path.of("/proc", Long.toString(p.pid()), "maps")));
            } catch (IOException e) {
                // gone meanwhile
            }
        }
        return maps.toString();
    }

    /** Every process whose root directory is the unpacked image (i.e. started by this test in the chroot). */
    static List<ProcessHandle> inChroot() throws IOException {
        Path rootfs = root.toRealPath();
        List<ProcessHandle> found = new ArrayList<>();
        for (ProcessHandle p : ProcessHandle.allProcesses().toList()) {
            try {
                if (Files.readSymbolicLink(Path.of("/proc", Long.toString(p.pid()), "root")).equals(rootfs)) {
                    found.add(p);
                }
            } catch (IOException | UnsupportedOperationException | SecurityException e) {
                // gone meanwhile, or not ours to inspect
            }
        }
        return found;
    }

    static void assertNoSurvivors() throws Exception {
        List<ProcessHandle> left = inChroot();
        left.forEach(ProcessHandle::destroyForcibly);
        assertThat(left).as("processes left running in the chroot: %s",
                left.stream().map(p -> p.pid() + " " + p.info().commandLine().orElse("?")).toList()).isEmpty();
    }

    @org.junit.jupiter.api.AfterAll
    static void nothingLeftRunning() throws Exception {
        if (root != null) {
            assertNoSurvivors();
        }
    }

    static Result chroot(List<String> command, int seconds) throws Exception {
        return run(chrootCommand(command), seconds);
    }

    static Result run(List<String> command, int seconds) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return e.getMessage();
            }
        });
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError(command + " did not finish in " + seconds + " s");
        }
        Result r = new Result(p.exitValue(), out.get(10, TimeUnit.SECONDS));
        if (!command.get(0).equals("unshare") && r.exit() != 0) {
            throw new AssertionError(command + " failed: " + r.output());
        }
        return r;
    }

    /** The port of {@code name=127.0.0.1:PORT} in the engine's "engine ready" line. */
    static int boundPort(String readyLine, String name) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\b" + name + "=[^ ]*:([0-9]+)").matcher(readyLine);
        assertThat(m.find()).as("%s port in: %s", name, readyLine).isTrue();
        return Integer.parseInt(m.group(1));
    }
}
