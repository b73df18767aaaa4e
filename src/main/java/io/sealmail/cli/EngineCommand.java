package io.sealmail.cli;

import io.sealmail.config.ConfigException;
import io.sealmail.config.ConfigFileException;
import io.sealmail.config.EngineConfig;
import io.sealmail.config.EngineConfigYaml;
import io.sealmail.engine.MailEngine;
import io.sealmail.engine.imap.ImapWarmUp;
import io.sealmail.http.HealthServer;
import org.jboss.logging.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code sealmail engine --config FILE}: runs the mail engine (what the operator's pods run) until SIGTERM, with
 * {@code /healthz}, {@code /readyz} and {@code /metrics} on the configuration's {@code httpAddress:httpPort}.
 * A configuration that cannot run is reported as one line and exit code 2; nothing is opened then.
 * {@code --exit-when-ready} stops it again once it is ready: a JVM started with {@code -XX:AOTCacheOutput} records
 * what the start and the warm-up loaded and compiled, which the image ships as its AOT cache (docs/store.md).
 */
@Command(name = "engine", mixinStandardHelpOptions = true,
        description = "Run the mail engine (SMTP, submission, SMTPS, and the IMAP/POP3 listeners this build has) "
                + "from an engine.yaml until SIGTERM.")
public class EngineCommand implements Callable<Integer> {
    private static final Logger LOG = Logger.getLogger(EngineCommand.class);

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "engine.yaml (the operator's ConfigMap)")
    Path config;

    @Option(names = "--exit-when-ready", description = "Start (warm-up included), bind every listener, then stop as on "
            + "SIGTERM and exit 0, or 1 when a warm-up that should have run did not run to its end: the image's AOT "
            + "training run (image/aot-train.sh) and start checks.")
    boolean exitWhenReady;

    /** What the warm-up of this command's start did (tests of {@code --exit-when-ready}). */
    Optional<ImapWarmUp.Result> lastWarmUp = Optional.empty();

    @Override
    public Integer call() throws Exception {
        MailEngine engine;
        EngineConfig parsed;
        EngineEndpoint endpoint = null;
        try {
            parsed = readConfig();
            endpoint = new EngineEndpoint(parsed);
            engine = endpoint.start(parsed);
        } catch (ConfigException e) {
            if (endpoint != null) {
                endpoint.close();
            }
            System.err.println("sealmail engine: " + ConfigFileException.in(config, e).getMessage());
            return 2;
        }
        EngineEndpoint http = endpoint;
        if (exitWhenReady) {
            ready(engine, http.server());
            lastWarmUp = engine.warmUpResult();
            engine.close();
            http.close();
            // A training run whose warm-up failed or was cut short would record a cache of the start alone: say so
            // and fail the image build rather than ship it.
            if (MailEngine.warmUpConfigured(parsed) && lastWarmUp.map(r -> !r.complete()).orElse(true)) {
                System.err.println("sealmail engine: --exit-when-ready: the warm-up did not run to its end ("
                        + lastWarmUp.map(r -> r.rounds() + " rounds in " + r.took().toMillis() + " ms; raise warmUp.maxTime")
                        .orElse("it failed; see the log above") + ")");
                return 1;
            }
            return 0;
        }
        Thread hook = new Thread(() -> {
            engine.close();
            http.close();
        }, "sealmail-engine-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        ready(engine, http.server());
        engine.awaitClose();
        return 0;
    }

    /**
     * The configuration to run: the file named by {@code --config}. Package-private so the end-to-end test's
     * container stand-in (ContainerMain) can see the same files and ports through its own root and port mapping,
     * as a container runtime would; nothing else overrides it.
     */
    EngineConfig readConfig() {
        return EngineConfigYaml.read(config);
    }

    /**
     * Every listener accepts: the line people and tests wait for. It names the bound ports, so a configuration with
     * port 0 (the system picks a free one) tells its caller where to connect.
     */
    void ready(MailEngine engine, Optional<HealthServer> health) {
        LOG.infof("engine ready: %s, %d listeners: %s", engine.context().config().hostname(), engine.listeners().size(),
                boundPorts(engine, health));
    }

    /** {@code smtp=127.0.0.1:2525 imaps=127.0.0.1:1993 http=0.0.0.0:8080}: role (or http) = bound address. */
    static String boundPorts(MailEngine engine, Optional<HealthServer> health) {
        StringBuilder sb = new StringBuilder();
        for (MailEngine.BoundListener b : engine.listeners()) {
            sb.append(b.listener().role().id()).append('=').append(b.address().getHostString()).append(':')
                    .append(b.address().getPort()).append(' ');
        }
        health.ifPresent(h -> sb.append("http=").append(h.address().getHostString()).append(':').append(h.port()));
        return sb.toString().trim();
    }
}
